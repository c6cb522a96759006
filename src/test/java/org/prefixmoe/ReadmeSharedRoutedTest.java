package org.prefixmoe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.apache.commons.rng.UniformRandomProvider;
import org.junit.jupiter.api.Test;
import org.prefixmoe.estimation.moe.MixtureEm;
import org.prefixmoe.estimation.moe.NearTruthStart;
import org.prefixmoe.estimation.moe.SharedRoutedFit;
import org.prefixmoe.loss.BlockVoronoiLoss;
import org.prefixmoe.loss.ExponentRule;
import org.prefixmoe.model.InputDistribution;
import org.prefixmoe.model.Prediction;
import org.prefixmoe.model.moe.Components;
import org.prefixmoe.model.moe.ConstantGate;
import org.prefixmoe.model.moe.LinearExpert;
import org.prefixmoe.model.moe.MixtureOfExperts;
import org.prefixmoe.model.moe.NormalizedSigmoidGate;
import org.prefixmoe.model.moe.Observation;
import org.prefixmoe.model.moe.SharedRoutedMixture;
import org.prefixmoe.sampling.Dataset;
import org.prefixmoe.sampling.MixtureSampler;
import org.prefixmoe.sampling.RandomStreams;
import org.prefixmoe.sampling.SharedRoutedSampler;

/** The README's Java example of the shared + routed model, kept compiling, correct and in the README. */
class ReadmeSharedRoutedTest {
    private static final String BEGIN = "// --- README shared + routed example begins";
    private static final String END = "// --- README shared + routed example ends";

    @Test
    void sharedAndRoutedExperts() {
        // --- README shared + routed example begins
        MixtureOfExperts shared = MixtureOfExperts.builder()
                .gate(new ConstantGate(1, 1))                    // omega: input-free weights
                .expert(new LinearExpert(1, 1))                  // h_1(x, kappa) = a x + b
                .observation(Observation.GAUSSIAN_MIXTURE).build();
        MixtureOfExperts routed = MixtureOfExperts.builder()
                .gate(new NormalizedSigmoidGate(1, 2))           // g_j(x) = sigma(s_j) / sum_l sigma(s_l)
                .expert(new LinearExpert(1, 1))
                .observation(Observation.GAUSSIAN_MIXTURE).build();
        SharedRoutedMixture model = SharedRoutedMixture.halves(shared, routed);  // 1/2 shared + 1/2 routed
        SharedRoutedMixture.Parameters truth = new SharedRoutedMixture.Parameters(
                new Components(new double[][] {{1}}, new double[][] {{2, 0}}, new double[] {0.2}),
                new Components(new double[][] {{5, -0.5}, {5, 0.5}},  // (beta1, beta0) per routed expert
                        new double[][] {{8, 2}, {-6, 1}}, new double[] {0.4, 0.4}));
        Dataset data = new SharedRoutedSampler(model, truth,
                new MixtureSampler.Random(new InputDistribution.Uniform(-3, 3)))
                .sample(5_000, RandomStreams.stream(11, 1));

        SharedRoutedMixture fitted = model.withComponents(2, 3);             // over-specified: k1 = 2, k2 = 3
        NearTruthStart starts = new NearTruthStart(Map.of(
                "a", new NearTruthStart.BlockNoise(0.1, 0, NearTruthStart.Noise.GAUSSIAN)),
                NearTruthStart.Assignment.SURJECTION, NearTruthStart.WeightSplit.NONE);
        UniformRandomProvider rng = RandomStreams.stream(11, 2);
        SharedRoutedFit fit = MixtureEm.defaults().withTolerance(1e-6).fit(fitted, data.x(), data.y(),
                new SharedRoutedMixture.Parameters(starts.draw(fitted.shared(), truth.shared(), data.size(), rng),
                        starts.draw(fitted.routed(), truth.routed(), data.size(), rng)));

        Map<String, ExponentRule> linear = Map.of("a", ExponentRule.rbar(0.5), "b", ExponentRule.rbar(1),
                "nu", ExponentRule.rbar(0.5));                     // r̄(m)/2, r̄(m), r̄(m)/2 in cells of m > 1
        BlockVoronoiLoss.Result s = BlockVoronoiLoss.forModel(shared, linear,
                        BlockVoronoiLoss.CellDistance.SUM_OF_BLOCK_NORMS)
                .evaluate(fitted.shared(), fit.estimate().shared(), shared, truth.shared());
        BlockVoronoiLoss.Result r = BlockVoronoiLoss.forModel(routed, linear,
                        BlockVoronoiLoss.CellDistance.SUM_OF_BLOCK_NORMS)
                .evaluate(fitted.routed(), fit.estimate().routed(), routed, truth.routed());
        System.out.printf("log-likelihood %.2f after %d EM iterations; loss %.4f (shared %.4f + routed %.4f)%n",
                fit.logLikelihood(), fit.iterations(), s.loss() + r.loss(), s.loss(), r.loss());
        Prediction at = fitted.predict(fit.estimate(), new double[] {-1, 0, 1});   // f(x); omega, then g_j(x)
        double[] tau = fitted.responsibilities(fit.estimate(), data.x(), data.y()); // n x (2 + 3), rows sum to 1
        System.out.printf("f(0) = %.3f (true %.3f); routed gates at 0: %.3f %.3f %.3f%n", at.regression()[1],
                model.regression(truth, new double[] {0})[0], at.gates()[7], at.gates()[8], at.gates()[9]);
        // --- README shared + routed example ends
        assertEquals(model.regression(truth, new double[] {0})[0], at.regression()[1], 0.1);
        assertEquals(1.0, at.gates()[5] + at.gates()[6], 1e-12);
        assertEquals(1.0, at.gates()[7] + at.gates()[8] + at.gates()[9], 1e-12);
        assertEquals(5_000 * 5, tau.length);
        assertEquals(1.0, tau[0] + tau[1] + tau[2] + tau[3] + tau[4], 1e-12);
        assertEquals(0, fit.decreases());
        assertEquals(2, java.util.Arrays.stream(s.cellSizes()).sum());
        assertEquals(3, java.util.Arrays.stream(r.cellSizes()).sum());
        assertTrue(s.loss() + r.loss() < 1, s.loss() + " + " + r.loss() + " " + fit.estimate());
    }

    @Test
    void theReadmeShowsExactlyThisCode() {
        ReadmeBlocks.assertReadmeShows("### From Java: shared + routed experts", 0,
                "src/test/java/org/prefixmoe/ReadmeSharedRoutedTest.java", BEGIN, END);
    }
}
