package org.prefixmoe;

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
import org.prefixmoe.loss.CellErrors;
import org.prefixmoe.loss.RegressionError;
import org.prefixmoe.loss.VoronoiLoss;
import org.prefixmoe.model.Activation;
import org.prefixmoe.model.PrefixModel;
import org.prefixmoe.model.SharedNonlinear;
import org.prefixmoe.model.TruthModel;
import org.prefixmoe.sampling.Dataset;
import org.prefixmoe.sampling.RandomStreams;
import org.prefixmoe.sampling.RegressionSampler;

/** The library examples of the README, kept compiling, correct and identical to the README's blocks (imports too). */
class ReadmeExampleTest {
    private static final String TEST = "src/test/java/org/prefixmoe/ReadmeExampleTest.java";

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

    @Test
    void modelInCode() {
        double[][] a1 = {{0.6, 0.1, 0.0, -0.1}, {0.1, -0.4, 0.2, 0.0}, {0.0, 0.2, 0.3, 0.1}, {-0.1, 0.0, 0.1, 0.2}};
        double[][] a2 = {{-0.3, 0.0, 0.1, 0.2}, {0.0, 0.5, -0.1, 0.0}, {0.1, -0.1, -0.5, 0.0}, {0.2, 0.0, 0.0, 0.4}};
        double[][] h1 = {{1.0, -0.5, 0.3, 0.0}, {0.2, 0.8, -0.4, 0.5}};
        double[][] h2 = {{-0.6, 0.4, 0.0, 0.7}, {0.5, 0.0, 0.9, -0.3}};
        double[] e1 = {0.3, -0.2};
        double[] e2 = {-0.4, 0.5};
        double[][] b = {{1.0, 0.2}, {-0.3, 1.0}, {0.5, 0.4}, {0.2, -0.6}};
        double[][] rk = {{1.0, 0.4}, {-0.3, 0.9}};
        double[][] rv = {{0.8, -0.5}, {0.4, 1.0}};
        // --- README model begins
        PrefixModel model = PrefixModel.builder()
                .expert(a1, 0.0, h1, e1).expert(a2, 0.0, h2, e2)   // score XᵀA_jX + c_j, output H_jX + e_j
                .gatingProjection(b)                               // D × r
                .parameterization(new SharedNonlinear(rk, rv, Activation.TANH))
                .build();                                          // .bias(false): every prompt weighs 1
        TruthModel mine = TruthModel.builder().name("mine").model(model)
                .atom(new double[] {1.0, 0.6}, 0.0).atom(new double[] {-0.7, 0.9}, 0.0)   // θ*_l, b*_l
                .sigma(0.1)                        // input: uniform[-1,1]^D and box: Box.DEFAULT unless set
                .build();                          // checks identifiability and the box, as a model file's reader does
        // --- README model ends
        assertEquals(2, mine.trueAtoms());
        assertEquals("shared-nonlinear", mine.model().parameterization().name());
    }

    @Test
    void theReadmeShowsExactlyThisCode() {
        ReadmeBlocks.assertReadmeShows("### From Java: sample → fit → loss", 0, TEST,
                "// --- README example begins", "// --- README example ends");
        ReadmeBlocks.assertReadmeShows("### From Java: sample → fit → loss", 1, TEST,
                "// --- README model begins", "// --- README model ends");
    }
}
