package org.prefixmoe.simulation.moe;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
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
import org.junit.jupiter.params.provider.CsvSource;
import org.prefixmoe.io.InputFileException;
import org.prefixmoe.model.moe.Components;
import org.prefixmoe.model.moe.FrozenExpert;
import org.prefixmoe.model.moe.IndexExpert;
import org.prefixmoe.model.moe.MixtureOfExperts;
import org.prefixmoe.model.moe.SigmoidGate;
import org.prefixmoe.sampling.Dataset;
import org.prefixmoe.sampling.MixtureSampler;
import org.prefixmoe.sampling.RandomStreams;
import org.prefixmoe.simulation.Progress;

/**
 * The softmax-contaminated MoE's scenario files (docs/theory.md §8) and truths that move with n:
 * the shipped settings (a), (b-i), (b-ii) read with the published sizes and replicates; the factor
 * grammar; a task at n draws its data from, starts near and is scored against {@code θ*(n)}; a tiny
 * run through {@link MoeRunner} ends with finite losses.
 */
class ContaminatedScenarioTest {
    static final String TINY = """
            name: tiny-contaminated
            seed: 5
            model:
              gate: sigmoid
              expert: {name: index, activation: tanh}
              observation: gaussian-mixture
              frozen: {family: laplace, activation: tanh, weights: [1, 0], bias: 0, variance: 0.01}
              d: 2
            truth:
              - {beta1: [0.7, 0.7], beta0: 1, eta: {value: [1, 0], times: "1 + n^-1/8"}, nu: 0.01}
            design: gaussian(0,1)^D
            studies:
              - {name: k1, K: 1}
            sizes: [300, 600]
            replicates: 2
            estimator: {name: em, tolerance: 1.0e-6, max-iterations: 500}
            init:
              noise:
                beta1: {scale: 0.1, exponent: 0.083}
                eta: {scale: 0.1, exponent: 0.083}
            loss:
              blocks: {beta1: 1, beta0: 1, eta: 1, nu: 1}
            """;

    static MoeScenario tiny() {
        return MoeScenarioFiles.parse(TINY, Path.of("tiny.yaml"));
    }

    @Test
    void shippedSettingsRead() {
        for (String name : List.of("a", "b-i", "b-ii")) {
            MoeScenario s = MoeScenarioFiles.read(Path.of("simulations/moe/contaminated-" + name + ".yaml"));
            MixtureOfExperts m = s.model();
            assertTrue(m.gate() instanceof SigmoidGate, name);
            assertTrue(m.expert() instanceof IndexExpert, name);
            FrozenExpert f0 = (FrozenExpert) m.frozen();
            assertEquals(FrozenExpert.Family.LAPLACE, f0.family());
            assertEquals(0.001, f0.variance());
            assertEquals(8, m.inputDimension());
            assertEquals(20, s.sizes().size(), name);
            assertEquals(1000, s.sizes().get(0));
            assertEquals(100_000, s.sizes().get(19));
            assertEquals(40, s.replicates());
            assertEquals(2, s.studies().size());
            double[] atom = m.atom(s.truthAt(1000), 0);
            assertEquals(1 / Math.sqrt(8), atom[0], 1e-15);
            assertEquals(1, atom[8]);
            double factor = 1 + Math.pow(1000, -1.0 / 8);
            switch (name) {
                case "a" -> {
                    assertEquals(-1, atom[9]);
                    assertEquals(0.001, atom[17]);
                    assertTrue(s.truthScaling().isEmpty());
                }
                case "b-i" -> {
                    assertEquals(factor, atom[9], 1e-15);
                    assertEquals(0, atom[10]);
                    assertEquals(0.001, atom[17]);
                }
                default -> {
                    assertEquals(-1, atom[9]);
                    assertEquals(0.001 * factor, atom[17], 1e-18);
                }
            }
        }
    }

    @Test
    void sizeFactorGrammar() {
        assertEquals(1 + Math.pow(256, -1.0 / 8), SizeFactor.parse("t", "1 + n^-1/8").at(256), 1e-15);
        assertEquals(1 - 0.5 * Math.pow(16, -0.25), SizeFactor.parse("t", "1 - 0.5 n^(-1/4)").at(16), 1e-15);
        assertEquals(2 * Math.pow(100, -0.125), SizeFactor.parse("t", "2*n^-0.125").at(100), 1e-15);
        assertEquals(-3 + 100, SizeFactor.parse("t", "-3 + n").at(100), 1e-12);
        assertEquals(2.5e-3, SizeFactor.parse("t", "2.5e-3").at(7), 1e-18);
        for (String bad : List.of("", "1 +", "1 + m^-1/8", "n^", "1 + n^(-1/8", "n^-1/0", "2*3")) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> SizeFactor.parse("times", bad),
                    bad);
            assertTrue(e.getMessage().startsWith("times: "), e.getMessage());
        }
    }

    /** The data of a task at n come from θ*(n), not from the written truth; its loss is taken against θ*(n). */
    @Test
    void aTaskAtNUsesTheTruthAtN() {
        MoeScenario s = tiny();
        int n = 300;
        Components atN = s.truthAt(n);
        assertEquals(1 + Math.pow(n, -1.0 / 8), atN.expert(0)[0], 1e-15);
        assertEquals(1, s.truth().expert(0)[0]);
        Dataset data = MoeRunner.data(s, n, 1);
        Dataset fromAtN = new MixtureSampler(s.model(), atN, s.design(), 0).sample(n, RandomStreams.stream(s.seed(), n, 1, 0));
        Dataset fromWritten = new MixtureSampler(s.model(), s.truth(), s.design(), 0).sample(n,
                RandomStreams.stream(s.seed(), n, 1, 0));
        assertArrayEquals(fromAtN.y(), data.y());
        assertFalse(java.util.Arrays.equals(fromWritten.y(), data.y()));
        MixtureOfExperts fitted = s.fitted(s.studies().get(0));
        assertEquals(0, MoeRunner.losses(s, n, fitted, atN).raw().loss(), 1e-15);
        // one atom, weight σ(β_0): the loss is σ(1) ||η − η*(n)|| = σ(1) n^{-1/8}
        assertEquals(1 / (1 + Math.exp(-1)) * Math.pow(n, -1.0 / 8), MoeRunner.losses(s, n, fitted, s.truth()).raw().loss(),
                1e-12);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "times: \"1 + n^-1/8\"|times: \"1 + m^-1/8\"|field 'truth[0].eta.times': cannot read '1 + m^-1/8'",
        "value: [1, 0], times|value: [1, 0, 0], times|field 'truth[0].eta.value': has 3 numbers, the block needs 2",
        "times: \"1 + n^-1/8\"|times: \"1 + n^-1/8\", by: 2|field 'truth[0].eta.by': unknown field",
        "nu: 0.01}|nu: {value: 0.01, times: \"n^-1 - 1\"}}|truth (at n = 300)[0].nu: must be a positive number",
        "family: laplace|family: cauchy|field 'model.frozen.family': unknown 'cauchy' (known: gaussian, laplace)",
        "weights: [1, 0]|weights: [1, 0, 0]|field 'model.frozen.weights': has 3 numbers, the model has d = 2",
        "variance: 0.01}|variance: 0}|field 'model.frozen.variance': must be a finite number > 0",
        "expert: {name: index, activation: tanh}|expert: index|field 'model.expert': the index expert needs its activation",
        "{name: k1, K: 1}|{name: k1, K: 2}|field 'studies.k1.K': the sigmoid gate takes a frozen component only as the complement",
    })
    void badFilesNameTheField(String from, String to, String message) {
        assertTrue(TINY.contains(from), from);
        InputFileException e = assertThrows(InputFileException.class,
                () -> MoeScenarioFiles.parse(TINY.replace(from, to), Path.of("bad.yaml")));
        assertTrue(e.getMessage().startsWith("bad.yaml: "), e.getMessage());
        assertTrue(e.getMessage().contains(message), e.getMessage());
        assertFalse(e.getMessage().contains("\n"), e.getMessage());
    }

    /** A tiny study through the runner: every fit ends ok with finite losses. */
    @Test
    void smokeRun(@TempDir Path dir) throws IOException {
        MoeScenario s = tiny();
        Path f = dir.resolve("results.csv");
        MoeRunner.Report r = new MoeRunner(1, null, Progress.Mode.LINES).run(s, f, false);
        assertEquals(s.taskCount(), r.ran());
        List<MoeRow> rows = MoeRunner.read(f, s);
        assertEquals(s.taskCount(), rows.size());
        for (MoeRow row : rows) {
            assertEquals("ok", row.status(), row.toString());
            assertTrue(Double.isFinite(row.loss()) && Double.isFinite(row.logLikelihood()), row.toString());
        }
        assertTrue(Files.size(f) > 0);
    }
}
