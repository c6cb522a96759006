package org.prefixmoe.estimation;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.prefixmoe.TestModels;
import org.prefixmoe.model.Evaluator;
import org.prefixmoe.model.TruthModel;
import org.prefixmoe.sampling.RandomStreams;
import org.prefixmoe.sampling.RegressionSampler;

/** {@code lm-pair-v}'s value-moment coordinates (issue 23): the map, its inverse, its Jacobian, what is linear. */
class ValueMomentsTest {
    // Two non-shared atoms (key 2, value 2, bias): slots (k1, k2, v1, v2, b).
    private static final double[] X = {1.2, 0.3, -2.5, 0.8, -0.7, 1.2, 0.28, 2.9, 1.1, -1.4};
    private static final boolean[] VALUES = {false, false, true, true, false, false, false, true, true, false};
    private static final double[] LO = {-3, -3, -3, -3, -10, -3, -3, -3, -3, -10};
    private static final double[] HI = {3, 3, 3, 3, 10, 3, 3, 3, 3, 10};

    @Test
    void coordinatesByHandAndBack() {
        ValueMoments vm = new ValueMoments(VALUES, 5);
        assertTrue(vm.prepare(X, LO, HI, true));
        double[] z = vm.point().clone();
        double w0 = Math.exp(-0.7);
        double w1 = Math.exp(-1.4);
        assertArrayEquals(new double[] {1.2, 0.3, -2.5 * w0, 0.8 * w0, w0, 1.2, 0.28, 2.9 * w1, 1.1 * w1, w1}, z, 1e-15);
        double[] back = new double[10];
        vm.back(z, back);
        assertArrayEquals(X, back, 1e-14);
    }

    /** The analytic Jacobian of the back map against central differences. */
    @Test
    void jacobianMatchesFiniteDifferences() {
        ValueMoments vm = new ValueMoments(VALUES, 5);
        vm.prepare(X, LO, HI, true);
        double[] z = vm.point().clone();
        double[] jac = vm.jacobian().clone();
        double[] plus = new double[10];
        double[] minus = new double[10];
        for (int c = 0; c < 10; c++) {
            double h = 1e-6;
            double[] zp = z.clone();
            double[] zm = z.clone();
            zp[c] += h;
            zm[c] -= h;
            vm.back(zp, plus);
            vm.back(zm, minus);
            for (int r = 0; r < 10; r++) {
                assertEquals((plus[r] - minus[r]) / (2 * h), jac[r * 10 + c], 1e-7, "∂x" + r + "/∂z" + c);
            }
        }
    }

    /** A step that makes a weight non-positive sends that bias to its lower bound and keeps that atom's values. */
    @Test
    void aVanishedWeightGoesToTheLowerBound() {
        ValueMoments vm = new ValueMoments(VALUES, 5);
        vm.prepare(X, LO, HI, true);
        double[] z = vm.point().clone();
        z[9] = -0.01;
        z[2] = 5.0;
        double[] out = new double[10];
        vm.back(z, out);
        assertEquals(-10, out[9]);
        assertEquals(2.9, out[7]);
        assertEquals(1.1, out[8]);
        assertEquals(5.0 / Math.exp(-0.7), out[2], 1e-14);
    }

    /**
     * Why the coordinates: on the non-shared default model, two atoms with the same key enter the regression
     * function only through the sums of their weights and of their weighted values, so moving weight and weighted
     * value from one to the other along a straight line in these coordinates leaves every fitted value, and so the
     * objective, unchanged; the same line in (v, b) changes it.
     */
    @Test
    void equalKeysTradeAlongAStraightLine() {
        TruthModel tm = TestModels.defaultTruth("non-shared");
        FitProblem problem = FitProblem.of(tm, RegressionSampler.of(tm).sample(2_000, RandomStreams.stream(4501, 1)), 3);
        double[] x = {1.24, 0.24, 0.5, 1.0, -0.4, -0.34, 1.02, -1.01, 0.62, 0.0, 1.24, 0.24, 2.0, -1.5, -1.2};
        boolean[] values = VariableProjection.linearMask(problem);
        ValueMoments vm = new ValueMoments(values, 5);
        assertTrue(vm.prepare(x, problem.lower(), problem.upper(), true));
        Evaluator ev = problem.evaluator();
        double[] y = problem.data().y();
        double[] a = new double[225];
        double[] g = new double[15];
        ev.setParameters(x);
        double at = ev.normalEquations(y, a, g);
        double[] z = vm.point().clone();
        double[] moved = z.clone();
        double dw = 0.3 * z[4];
        double[] dm = {0.2 * z[2], -0.5 * z[3]};
        moved[4] -= dw;
        moved[14] += dw;
        moved[2] -= dm[0];
        moved[12] += dm[0];
        moved[3] -= dm[1];
        moved[13] += dm[1];
        double[] xMoved = new double[15];
        vm.back(moved, xMoved);
        ev.setParameters(xMoved);
        double along = ev.normalEquations(y, a, g);
        assertEquals(at, along, 1e-12 * at);
        // The same displacement of (v, b) taken as a straight line in the packed coordinates is not flat.
        double[] straight = x.clone();
        for (int c = 0; c < 15; c++) {
            straight[c] += 0.5 * (xMoved[c] - x[c]);
        }
        double[] half = z.clone();
        for (int c = 0; c < 15; c++) {
            half[c] += 0.5 * (moved[c] - z[c]);
        }
        double[] xHalf = new double[15];
        vm.back(half, xHalf);
        ev.setParameters(xHalf);
        assertEquals(at, ev.normalEquations(y, a, g), 1e-12 * at);
        ev.setParameters(straight);
        assertTrue(Math.abs(ev.normalEquations(y, a, g) - at) > 1e-6 * at, Arrays.toString(straight));
    }

    @Test
    void isNamed() {
        Crawls.assertNamed(LeastSquaresEstimator.Method.LM_PAIR_V, "lm-pair-v", 21);
        Crawls.assertNamed(LeastSquaresEstimator.Method.TRF_PAIR_V, "trf-pair-v", 22);
        assertEquals(LeastSquaresEstimator.Method.LM_PAIR_V, LeastSquaresEstimator.Method.TRF_PAIR_V.crawlPhase());
    }

    /** For a model without linear coordinates (shared-linear) {@code lm-pair-v} is {@code lm-pair-c} bit for bit. */
    @Test
    void withoutValuesItIsLmPairC() {
        java.util.List<Crawls.Crawl> crawls = Crawls.sharedLinear(3301, 3311);
        assertTrue(!crawls.isEmpty());
        for (Crawls.Crawl c : crawls) {
            Crawls.assertSameFit(Crawls.fit(LeastSquaresEstimator.Method.LM_PAIR_C, c.problem(), c.start()),
                    Crawls.fit(LeastSquaresEstimator.Method.LM_PAIR_V, c.problem(), c.start()));
        }
    }
}
