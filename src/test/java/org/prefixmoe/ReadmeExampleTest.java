package org.prefixmoe;

import org.prefixmoe.sampling.RegressionSampler;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.apache.commons.rng.UniformRandomProvider;
import org.junit.jupiter.api.Test;
import org.prefixmoe.estimation.FitProblem;
import org.prefixmoe.estimation.FitResult;
import org.prefixmoe.estimation.Fitting;
import org.prefixmoe.estimation.LeastSquaresEstimator;
import org.prefixmoe.estimation.RandomInitializer;
import org.prefixmoe.io.DefaultTruths;
import org.prefixmoe.model.TruthModel;
import org.prefixmoe.loss.CellErrors;
import org.prefixmoe.loss.RegressionError;
import org.prefixmoe.loss.VoronoiLoss;
import org.prefixmoe.sampling.Dataset;
import org.prefixmoe.sampling.RandomStreams;

/** The library example of the README, kept compiling and correct. */
class ReadmeExampleTest {

    @Test
    void sampleFitLoss() {
        // --- README example begins
        TruthModel truth = DefaultTruths.sharedLinear();                 // simulations/models/default-shared-linear.yaml, from the jar
        UniformRandomProvider rng = RandomStreams.stream(2025, 1);       // master seed, coordinates

        Dataset data = RegressionSampler.of(truth).sample(20_000, rng);               // Y = f_G*(X) + noise
        FitProblem problem = new FitProblem(truth.model(), data, 3, truth.box()); // L = 3 > L* = 2
        FitResult fit = Fitting.fitWithRestarts(new LeastSquaresEstimator(), problem,
                new RandomInitializer(), 10, rng);                        // 10 random starts, best kept

        double d1 = VoronoiLoss.d1(fit.estimate(), truth.truth());
        CellErrors cells = CellErrors.of(fit.estimate(), truth.truth());
        double[] fresh = RegressionSampler.of(truth).sample(10_000, RandomStreams.stream(2025, 2)).x();
        double l2 = RegressionError.l2(truth.model(), fit.estimate(), truth.model(), truth.truth(), fresh);
        System.out.printf("%s%nD1 = %.4f, ||f - f*|| = %.4f, redundant atom: %s%n",
                fit.estimate(), d1, l2, cells.redundancy().label());
        // --- README example ends
        assertTrue(fit.converged());
        assertEquals(0, cells.emptyCells());
        assertTrue(l2 < 0.02, "regression error " + l2);
    }
}
