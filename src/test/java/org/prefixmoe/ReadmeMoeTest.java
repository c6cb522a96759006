package org.prefixmoe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.prefixmoe.estimation.moe.MixtureEm;
import org.prefixmoe.estimation.moe.MixtureFit;
import org.prefixmoe.estimation.moe.NearTruthStart;
import org.prefixmoe.loss.BlockVoronoiLoss;
import org.prefixmoe.loss.ExponentRule;
import org.prefixmoe.model.moe.Components;
import org.prefixmoe.model.moe.LinearExpert;
import org.prefixmoe.model.moe.MixtureOfExperts;
import org.prefixmoe.model.moe.Observation;
import org.prefixmoe.model.moe.SoftmaxGate;
import org.prefixmoe.sampling.Dataset;
import org.prefixmoe.sampling.MixtureSampler;
import org.prefixmoe.sampling.RandomStreams;

/** The README's Java example of the mixture-of-experts family, kept compiling, correct and in the README. */
class ReadmeMoeTest {
    private static final String BEGIN = "// --- README family example begins";
    private static final String END = "// --- README family example ends";

    @Test
    void softmaxGatedGaussianMoe() {
        // --- README family example begins
        MixtureOfExperts model = MixtureOfExperts.builder()
                .gate(new SoftmaxGate(1, 2, 1))                  // d = 1, K* = 2, the last score fixed at 0
                .expert(new LinearExpert(1, 1))                  // h(x) = a x + b
                .observation(Observation.GAUSSIAN_MIXTURE)       // a variance nu per expert: EM
                .build();
        Components truth = new Components(
                new double[][] {{25, -8}, {0, 0}},               // gate blocks (beta1, beta0) per component
                new double[][] {{-20, 15}, {20, -5}},            // expert blocks (a, b)
                new double[] {0.09, 0.16});                      // nu
        Dataset data = new MixtureSampler(model, truth, new MixtureSampler.Grid(0, 1), 0)
                .sample(20_000, RandomStreams.stream(7, 1));     // x = linspace(0, 1, n), y from the mixture

        MixtureOfExperts fitted = model.withComponents(3);      // over-specified: K = 3
        NearTruthStart starts = new NearTruthStart(Map.of(
                "beta1", new NearTruthStart.BlockNoise(0.1, 0, NearTruthStart.Noise.GAUSSIAN),
                "a", new NearTruthStart.BlockNoise(0.1, 0, NearTruthStart.Noise.GAUSSIAN)),
                NearTruthStart.Assignment.SURJECTION_REFERENCE_LAST, NearTruthStart.WeightSplit.LOG);
        MixtureFit fit = MixtureEm.defaults().fit(fitted, data.x(), data.y(),
                starts.draw(fitted, truth, data.size(), RandomStreams.stream(7, 2)));

        BlockVoronoiLoss loss = BlockVoronoiLoss.forModel(model, Map.of(
                "beta1", ExponentRule.rbar(1), "b", ExponentRule.rbar(1),      // r̄(m) in cells of m > 1 atoms
                "a", ExponentRule.rbar(0.5), "nu", ExponentRule.rbar(0.5)),    // r̄(m)/2
                BlockVoronoiLoss.CellDistance.SUM_OF_BLOCK_NORMS);
        BlockVoronoiLoss.Result r = loss.evaluate(fitted, fit.estimate(), model, truth);         // weights exp(beta0)
        BlockVoronoiLoss.Result n = loss.evaluateNormalized(fitted, fit.estimate(), model, truth); // weights summing to 1
        System.out.printf("log-likelihood %.2f after %d EM iterations (%s); loss %.4f, normalized %.4f, cells %s%n",
                fit.logLikelihood(), fit.iterations(), fit.stopReason().label(), r.loss(), n.loss(),
                java.util.Arrays.toString(r.cellSizes()));
        // --- README family example ends
        assertTrue(fit.converged(), fit.stopReason().label());
        assertEquals(0, fit.decreases());
        assertEquals(3, java.util.Arrays.stream(r.cellSizes()).sum());
        assertTrue(n.weightTerm() < 0.05, "normalized weight term " + n.weightTerm() + " " + fit.estimate());
    }

    @Test
    void theReadmeShowsExactlyThisCode() throws IOException {
        List<String> test = Files.readAllLines(Path.of("src/test/java/org/prefixmoe/ReadmeMoeTest.java"),
                StandardCharsets.UTF_8);
        List<String> code = test.subList(indexOf(test, BEGIN, 0) + 1, indexOf(test, END, 0)).stream()
                .map(l -> l.length() >= 8 ? l.substring(8) : l.strip()).toList();
        List<String> readme = Files.readAllLines(Path.of("README.md"), StandardCharsets.UTF_8);
        int from = indexOf(readme, "```java", indexOf(readme, "### From Java: a softmax-gated Gaussian MoE", 0)) + 1;
        assertEquals(code, readme.subList(from, indexOf(readme, "```", from)));
    }

    private static int indexOf(List<String> lines, String marker, int from) {
        for (int i = from; i < lines.size(); i++) {
            if (lines.get(i).strip().equals(marker)) {
                return i;
            }
        }
        throw new AssertionError("no line '" + marker + "' after line " + from);
    }
}
