package org.prefixmoe.estimation;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;
import org.prefixmoe.TestModels;
import org.prefixmoe.model.Evaluator;
import org.prefixmoe.model.MixingMeasure;
import org.prefixmoe.model.TruthModel;
import org.prefixmoe.sampling.RandomStreams;
import org.prefixmoe.sampling.RegressionSampler;

/** The {@code trf} method (SciPy's trust-region reflective steps on the normal equations). */
class ReflectiveTrustRegionTest {
    @Test
    void sameOptimumAsLmByAnotherPathAndNamedAndCoded() {
        TruthModel tm = TestModels.defaultTruth("shared-nonlinear");
        FitProblem problem = FitProblem.of(tm, RegressionSampler.of(tm).sample(5_000, RandomStreams.stream(2812, 1)),
                tm.trueAtoms());
        MixingMeasure start = new NearTruthInitializer(tm.truth()).start(problem, RandomStreams.stream(2812, 2));
        LeastSquaresEstimator.Method trf = LeastSquaresEstimator.Method.TRF;
        FitResult fit = new LeastSquaresEstimator(LeastSquaresEstimator.Options.LEGACY_LM.withMethod(trf))
                .fit(problem, start);
        FitResult ref = new LeastSquaresEstimator(LeastSquaresEstimator.Options.LEGACY_LM).fit(problem, start);
        FitAssertions.sameOptimumByAnotherPath(ref, fit, "trf");
        assertEquals(trf, LeastSquaresEstimator.Method.byLabel("trf"));
        assertEquals(trf, LeastSquaresEstimator.Method.byCode(6));
        LeastSquaresEstimator est = (LeastSquaresEstimator) Estimators.create("least-squares",
                Map.of("method", 6.0));
        assertEquals(trf, est.options().method());
    }

    /**
     * From a start on the box's faces (every coordinate on a bound) the method moves inside first, as
     * {@code least_squares} does, and every estimate it returns lies in the box.
     */
    @Test
    void startOnTheBoundsStaysInTheBox() {
        TruthModel tm = TestModels.defaultTruth("non-shared");
        FitProblem problem = FitProblem.of(tm, RegressionSampler.of(tm).sample(2_000, RandomStreams.stream(2813, 1)),
                tm.trueAtoms() + 1);
        double[] lo = problem.lower();
        double[] hi = problem.upper();
        double[] corner = new double[lo.length];
        for (int c = 0; c < corner.length; c++) {
            corner[c] = c % 2 == 0 ? lo[c] : hi[c];
        }
        MixingMeasure start = MixingMeasure.unpack(corner, tm.truth().atomDimension(), tm.truth().hasBias());
        FitResult fit = new LeastSquaresEstimator(LeastSquaresEstimator.Options.DEFAULT
                .withMethod(LeastSquaresEstimator.Method.TRF)).fit(problem, start);
        assertTrue(fit.iterations() > 0);
        double[] x = fit.estimate().pack();
        for (int c = 0; c < x.length; c++) {
            assertTrue(x[c] >= lo[c] && x[c] <= hi[c], "coordinate " + c + " = " + x[c]);
        }
        Evaluator ev = problem.evaluator();
        ev.setParameters(corner);
        double startObjective = ev.sumOfSquares(problem.data().y()) / problem.data().size();
        assertTrue(fit.objective() < startObjective, fit.objective() + " vs " + startObjective);
    }

    /** SciPy's {@code make_strictly_feasible}, by hand: rstep 0 moves a bound to the next float inside. */
    @Test
    void strictlyFeasibleAsSciPy() {
        double[] lo = {-1, 0, 2};
        double[] hi = {1, 10, 3};
        double[] x = {-1, 10, 2.5};
        ReflectiveTrustRegion.strictlyFeasible(x, lo, hi, 0);
        assertArrayEquals(new double[] {Math.nextUp(-1.0), Math.nextDown(10.0), 2.5}, x);
        double[] y = {-1 + 1e-12, 10, 2.0 + 1e-11};
        ReflectiveTrustRegion.strictlyFeasible(y, lo, hi, 1e-10);
        assertArrayEquals(new double[] {-1 + 1e-10, 10 - 1e-9, 2 + 2e-10}, y, 1e-15);
    }
}
