package org.prefixmoe.simulation.moe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.prefixmoe.io.InputFileException;
import org.prefixmoe.model.moe.Components;
import org.prefixmoe.model.moe.ConstantGate;
import org.prefixmoe.model.moe.FfnExpert;
import org.prefixmoe.model.moe.LinearExpert;
import org.prefixmoe.model.moe.NormalizedSigmoidGate;
import org.prefixmoe.model.moe.SharedRoutedMixture;
import org.prefixmoe.model.moe.SoftmaxGate;
import org.prefixmoe.simulation.Progress;

/**
 * The shared + routed model's scenario files (docs/theory.md §8): the four shipped settings read
 * with the paper's truths as we read them; the loss is the sum of the blocks' Voronoi losses,
 * checked on hand-computed cases; bad input names the field; a tiny run through {@link MoeRunner}
 * ends with finite losses and a summary with the exponents against log(n)/n.
 */
class SharedRoutedScenarioTest {

    static final String TINY = """
            name: tiny-shared-routed
            seed: 7
            shared:
              model: {gate: constant, expert: linear, d: 1}
              truth:
                - {pi: 1, a: [2], b: [0], nu: 0.2}
              init:
                weight-split: divide
                noise:
                  a: {scale: 0.1, exponent: 0.083}
              loss:
                blocks: {a: rbar/2, b: rbar, nu: rbar/2}
            routed:
              model: {gate: softmax, reference: last, expert: linear, d: 1}
              truth:
                - {beta1: [2], beta0: -1, a: [8], b: [2], nu: 0.4}
                - {a: [-6], b: [1], nu: 0.4}
              init:
                assignment: surjection-reference-last
                noise:
                  beta1: {scale: 0.1, exponent: 0.083}
                  a: {scale: 0.1, exponent: 0.083}
              loss:
                blocks: {beta1: rbar, a: rbar/2, b: rbar, nu: rbar/2}
            design: uniform[-3,3]^D
            studies:
              - {name: exact, K-shared: 1, K-routed: 2}
              - {name: over, K-shared: 2, K-routed: 3, start-noise: fixed}
            sizes: [300, 600, 1200]
            replicates: 2
            estimator: {name: em, tolerance: 1.0e-5, stop: progress, max-iterations: 300}
            theory: {slope: -0.5}
            """;

    static SharedRoutedScenario tiny() {
        return SharedRoutedScenarioFiles.parse(TINY, Path.of("tiny.yaml"));
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 3, 4})
    void shippedSettingsRead(int theorem) {
        Path file = Path.of("simulations", "moe", "shared-routed-th" + theorem + ".yaml");
        assertTrue(SharedRoutedScenarioFiles.isSharedRoutedScenario(file));
        assertFalse(MoeScenarioFiles.isFamilyScenario(file));
        SharedRoutedScenario s = SharedRoutedScenarioFiles.read(file);
        assertEquals("shared-routed-th" + theorem, s.name());
        assertEquals(0.5, s.model().sharedWeight());
        assertEquals(1, s.model().shared().components());
        assertEquals(2, s.model().routed().components());
        assertTrue(s.model().shared().gate() instanceof ConstantGate);
        boolean relu = theorem == 1 || theorem == 3;
        assertTrue(relu ? s.model().shared().expert() instanceof FfnExpert : s.model().shared().expert() instanceof LinearExpert);
        assertTrue(theorem <= 2 ? s.model().routed().gate() instanceof SoftmaxGate
                : s.model().routed().gate() instanceof NormalizedSigmoidGate);
        for (SharedRoutedScenario.Study st : s.blockStudies()) {
            assertEquals(2, st.sharedComponents());
            assertEquals(3, st.routedComponents());
        }
        assertEquals(100, s.sizes().get(0));
        // Theorems 3 and 4 (normalized-sigmoid router): 2.5 decades for compute, as their files say
        assertEquals(theorem <= 2 ? 100_000 : 31_623, s.sizes().get(s.sizes().size() - 1));
        assertEquals(theorem >= 3 ? 5 : 10, s.replicates());
        // the paper's routed truths as read: expert intercepts -0.5, 0.5 (softmax: relative to the last)
        Components r = s.truth().routed();
        if (theorem <= 2) {
            assertEquals(-1, r.gate(0)[1]);
        } else {
            assertEquals(-0.5, r.gate(0)[1]);
            assertEquals(0.5, r.gate(1)[1]);
            assertEquals(theorem == 3 ? 0 : 5, r.gate(0)[0]);
        }
    }

    /** At the truth the loss is 0; moving the shared expert's slope by δ (one atom per cell) costs ω δ. */
    @Test
    void lossIsTheSumOfTheBlocksLosses() {
        SharedRoutedScenario s = tiny();
        SharedRoutedMixture.Parameters t = s.truth();
        MoeRunner.Losses at = s.losses(s.model(), t);
        assertEquals(0, at.raw().loss(), 1e-15);
        double delta = 0.01;
        Components moved = new Components(t.shared().gate(), new double[][] {{2 + delta, 0}}, t.shared().variances());
        MoeRunner.Losses l = s.losses(s.model(), new SharedRoutedMixture.Parameters(moved, t.routed()));
        assertEquals(delta, l.raw().loss(), 1e-12);
        assertEquals(delta, l.raw().contributions().get("shared-a"), 1e-12);
        assertEquals(0, l.raw().contributions().get("routed-a"), 1e-15);
        assertEquals(List.of("shared-a", "shared-b", "shared-nu", "routed-beta1", "routed-a", "routed-b", "routed-nu"),
                s.lossTerms());
    }

    /**
     * Two shared atoms of weight ½ with slopes 2 ± δ: a cell of 2, so the slope is seen at r̄(2)/2 = 2:
     * the loss is 2 · ½ · δ² (weights sum to ω* = 1: no weight term).
     */
    @Test
    void overSpecifiedSharedCellUsesItsExponent() {
        SharedRoutedScenario s = tiny();
        SharedRoutedMixture.Parameters t = s.truth();
        double delta = 0.1;
        SharedRoutedMixture fitted = s.model().withComponents(2, 2);
        Components shared = new Components(new double[][] {{0.5}, {0.5}}, new double[][] {{2 + delta, 0}, {2 - delta, 0}},
                new double[] {0.2, 0.2});
        MoeRunner.Losses l = s.losses(fitted, new SharedRoutedMixture.Parameters(shared, t.routed()));
        assertEquals(delta * delta, l.raw().loss(), 1e-12);
        assertEquals(0, l.raw().weightTerm(), 1e-15);
    }

    /** Values at exactly 3 (log(n)/n)^0.45 give a = 0.45 against log(n)/n, and a slope against n less steep than −0.45. */
    @Test
    void logFactorRateRecoversTheExponent() {
        double[] n = {100, 1000, 10_000, 100_000};
        double[][] v = new double[n.length][];
        for (int i = 0; i < n.length; i++) {
            double c = 3 * Math.pow(Math.log(n[i]) / n[i], 0.45);
            v[i] = new double[] {c, c, c};
        }
        org.prefixmoe.simulation.RateFit a = MoeSummary.logFactorRate(n, v, org.prefixmoe.sampling.RandomStreams.stream(1),
                org.prefixmoe.simulation.RateFit.Centre.MEDIAN);
        assertEquals(-0.45, a.slope(), 1e-12);
        double againstN = org.prefixmoe.simulation.RateFit.ols(n, new double[] {v[0][0], v[1][0], v[2][0], v[3][0]}).slope();
        assertTrue(againstN > -0.45 && againstN < -0.35, "slope against n " + againstN);
    }

    @Test
    void badInputNamesTheField() {
        InputFileException e = assertThrows(InputFileException.class, () -> SharedRoutedScenarioFiles.parse(
                TINY.replace("K-routed: 3, start-noise", "K-routed: 1, start-noise"), Path.of("bad.yaml")));
        assertTrue(e.getMessage().contains("bad.yaml"), e.getMessage());
        assertTrue(e.getMessage().contains("K-shared, K-routed"), e.getMessage());
        e = assertThrows(InputFileException.class, () -> SharedRoutedScenarioFiles.parse(
                TINY.replace("model: {gate: softmax, reference: last, expert: linear, d: 1}",
                        "model: {gate: softmax, reference: last, expert: linear, d: 2}"), Path.of("bad.yaml")));
        assertTrue(e.getMessage().contains("routed.d"), e.getMessage());
        e = assertThrows(InputFileException.class, () -> SharedRoutedScenarioFiles.parse(
                TINY.replace("shared:\n  model", "shared:\n  colour: red\n  model"), Path.of("bad.yaml")));
        assertTrue(e.getMessage().contains("colour"), e.getMessage());
    }

    @Test
    void tinyRunEndsWithFiniteLossesAndLogFactorRates(@TempDir Path dir) throws IOException {
        SharedRoutedScenario s = tiny();
        Path results = dir.resolve("results.csv");
        MoeRunner.Report rep = new MoeRunner(2, null, Progress.Mode.LINES).run(s, results, false);
        assertEquals(12, rep.ran());
        assertEquals(0, rep.failed());
        List<MoeRow> rows = MoeRunner.read(results, s);
        assertEquals(12, rows.size());
        for (MoeRow r : rows) {
            assertTrue(Double.isFinite(r.loss()) && r.loss() >= 0, r.key() + " " + r.loss());
            assertTrue(r.estimate().contains(" || "), r.estimate());
        }
        // resumable and deterministic: the same rows again
        MoeRow again = s.runTask(new MoeRunner.Task(1, 600, 2));
        MoeRow committed = rows.stream().filter(r -> r.key().equals("over/600/2")).findFirst().orElseThrow();
        assertEquals(committed.loss(), again.loss());
        assertEquals(committed.estimate(), again.estimate());
        MoeSummary sum = MoeSummary.of(s.header(), rows);
        assertTrue(sum.markdown().contains("against log(n)/n"), sum.markdown());
        assertEquals(0, new MoeRunner(1, null, Progress.Mode.LINES).run(s, results, false).ran());
    }
}
