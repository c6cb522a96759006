package org.prefixmoe.estimation;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.prefixmoe.TestModels;
import org.prefixmoe.model.MixingMeasure;
import org.prefixmoe.model.TruthModel;
import org.prefixmoe.sampling.Dataset;
import org.prefixmoe.sampling.RandomStreams;
import org.prefixmoe.sampling.RegressionSampler;

class ParametricBootstrapTest {

    /**
     * Exact-specified least squares: the bootstrap's standard errors agree with the observed ones within 30%
     * (B = 60), and the result is the same on 1 and 2 threads.
     */
    @Test
    void agreesWithWaldWhenExactAndIsDeterministic() {
        TruthModel tm = TestModels.defaultTruth("shared-linear");
        Dataset data = RegressionSampler.of(tm).sample(4000, RandomStreams.stream(11, 1));
        FitProblem problem = FitProblem.of(tm, data, 2);
        LeastSquaresEstimator est = new LeastSquaresEstimator();
        FitResult fit = est.fit(problem, tm.truth());
        Inference boot1 = ParametricBootstrap.run(problem, fit, est, 60, 3, 1);
        Inference boot2 = ParametricBootstrap.run(problem, fit, est, 60, 3, 2);
        assertEquals(boot1, boot2);
        assertArrayEquals(boot1.lower(), boot2.lower(), 0.0);
        Inference obs = StandardErrors.observed(problem, fit.estimate());
        for (int c = 0; c < obs.size(); c++) {
            assertEquals(1.0, boot1.standardErrors()[c] / obs.standardErrors()[c], 0.3, obs.names().get(c));
            assertTrue(boot1.lower()[c] < fit.estimate().pack()[c] && fit.estimate().pack()[c] < boot1.upper()[c]);
        }
        assertTrue(boot1.warnings().isEmpty(), boot1.warnings().toString());
    }

    @Test
    void alignFindsThePermutation() {
        MixingMeasure ref = MixingMeasure.builder().atom(new double[] {0, 0}, 1).atom(new double[] {5, 5}, 2)
                .atom(new double[] {-5, 5}, 3).build();
        MixingMeasure g = MixingMeasure.builder().atom(new double[] {-4.9, 5}, 30).atom(new double[] {0.1, 0}, 10)
                .atom(new double[] {5, 4.9}, 20).build();
        MixingMeasure a = ParametricBootstrap.align(g, ref);
        assertArrayEquals(new double[] {10, 20, 30}, a.biases(), 0.0);
        assertArrayEquals(new double[] {5, 4.9}, a.atom(1), 0.0);
    }

    @Test
    void quantileInterpolates() {
        assertEquals(2.5, ParametricBootstrap.quantile(new double[] {1, 2, 3, 4}, 0.5), 1e-15);
        assertEquals(1, ParametricBootstrap.quantile(new double[] {1, 2, 3, 4}, 0), 0);
        assertTrue(Double.isNaN(ParametricBootstrap.quantile(new double[0], 0.5)));
    }

    @Test
    void refusesBadArguments() {
        TruthModel tm = TestModels.defaultTruth("shared-linear");
        Dataset data = RegressionSampler.of(tm).sample(100, RandomStreams.stream(11, 2));
        FitProblem problem = FitProblem.of(tm, data, 2);
        FitResult fit = new FitResult(tm.truth(), 0.01, 0.01, 1, 1, StopReason.GRADIENT);
        assertThrows(IllegalArgumentException.class,
                () -> ParametricBootstrap.run(problem, fit, new LeastSquaresEstimator(), 1, 1, 1));
        assertThrows(IllegalArgumentException.class,
                () -> ParametricBootstrap.run(problem, fit, new LeastSquaresEstimator(), 10, 1, 0));
    }
}
