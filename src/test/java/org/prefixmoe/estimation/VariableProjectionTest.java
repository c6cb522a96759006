package org.prefixmoe.estimation;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.prefixmoe.TestModels;
import org.prefixmoe.model.TruthModel;
import org.prefixmoe.sampling.RandomStreams;
import org.prefixmoe.sampling.RegressionSampler;

/** {@code lm-vp}'s damping metric (issue 23): the Schur complement's diagonal, and {@code lm} where nothing is linear. */
class VariableProjectionTest {
    /**
     * A = [[4, 2, 1], [2, 3, 1], [1, 1, 2]] with coordinate 2 linear: the nonlinear coordinates get
     * A_cc − A_c2²/A_22 = 4 − 1/2 = 3.5 and 3 − 1/2 = 2.5 (by hand), the linear one 1e-6·2.
     */
    @Test
    void nonlinearCoordinatesAreDampedByTheSchurComplementsDiagonal() {
        double[] a = {4, 2, 1, 2, 3, 1, 1, 1, 2};
        double[] d = new double[3];
        VariableProjection vp = new VariableProjection(new boolean[] {false, false, true});
        assertTrue(vp.damping(a, new boolean[3], 0.0, d));
        assertArrayEquals(new double[] {3.5, 2.5, 2e-6}, d, 1e-15);
        // Two linear coordinates: 4 − [2 1] [[3, 1], [1, 2]]⁻¹ [2 1]ᵀ = 4 − 7/5 = 2.6.
        VariableProjection two = new VariableProjection(new boolean[] {false, true, true});
        assertTrue(two.damping(a, new boolean[3], 0.0, d));
        assertEquals(2.6, d[0], 1e-14);
        // A held linear coordinate takes no part: coordinate 0 is then damped by 4 − 2²/3.
        assertTrue(two.damping(a, new boolean[] {false, false, true}, 0.0, d));
        assertEquals(4 - 4.0 / 3, d[0], 1e-14);
        // The floor bounds every entry from below.
        assertTrue(vp.damping(a, new boolean[3], 0.1, d));
        assertEquals(0.1, d[2], 0.0);
    }

    @Test
    void aSingularLinearBlockWithoutAFloorIsRefused() {
        double[] a = {1, 0, 0, 0, 0, 0, 0, 0, 0};
        double[] d = {7, 7, 7};
        assertFalse(new VariableProjection(new boolean[] {false, true, true}).damping(a, new boolean[3], 0.0, d));
        assertArrayEquals(new double[] {7, 7, 7}, d, 0.0);
    }

    @Test
    void onlyNonSharedValuesAreLinear() {
        TruthModel ns = TestModels.defaultTruth("non-shared");
        FitProblem problem = FitProblem.of(ns, RegressionSampler.of(ns).sample(200, RandomStreams.stream(5, 1)), 3);
        boolean[] mask = VariableProjection.linearMask(problem);
        int r = ns.model().parameterization().keyDimension();
        int q = ns.model().parameterization().valueDimension();
        int stride = r + q + 1;
        assertEquals(3 * stride, mask.length);
        for (int c = 0; c < mask.length; c++) {
            int j = c % stride;
            assertEquals(j >= r && j < r + q, mask[c], "coordinate " + c);
        }
        TruthModel shared = TestModels.defaultTruth("shared-linear");
        assertNull(VariableProjection.linearMask(FitProblem.of(shared,
                RegressionSampler.of(shared).sample(200, RandomStreams.stream(5, 1)), 3)));
    }

    @Test
    void onSharedMapsItIsLmBitForBit() {
        for (Crawls.Crawl c : Crawls.sharedLinear(3301, 3306)) {
            Crawls.assertSameFit(c.lm(), Crawls.fit(LeastSquaresEstimator.Method.LM_VP, c.problem(), c.start()));
        }
        Crawls.Crawl c = Crawls.noCrawl();
        Crawls.assertSameFit(c.lm(), Crawls.fit(LeastSquaresEstimator.Method.LM_VP, c.problem(), c.start()));
    }

    @Test
    void isNamed() {
        Crawls.assertNamed(LeastSquaresEstimator.Method.LM_VP, "lm-vp", 11);
    }
}
