package org.prefixmoe.estimation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.prefixmoe.TestModels;
import org.prefixmoe.model.MixingMeasure;
import org.prefixmoe.model.TruthModel;
import org.prefixmoe.sampling.RandomStreams;
import org.prefixmoe.sampling.RegressionSampler;

/**
 * The opt-in methods with Transtrum and Sethna's damping ({@code lm-ts}, {@code geodesic-ts}; issue
 * 23): named and coded, never the default, and on a regular problem they reach the optimum of the
 * method they modify by another path (recovery: OptionalMethodsRecoveryTest).
 */
class TranstrumDampingTest {
    @ParameterizedTest
    @EnumSource(names = {"LM_TS", "GEODESIC_TS"})
    void sameOptimumAsTheUndampedVariantByAnotherPath(LeastSquaresEstimator.Method method) {
        LeastSquaresEstimator.Method base = method == LeastSquaresEstimator.Method.LM_TS
                ? LeastSquaresEstimator.Method.LM : LeastSquaresEstimator.Method.GEODESIC;
        TruthModel tm = TestModels.defaultTruth("shared-nonlinear");
        FitProblem problem = FitProblem.of(tm, RegressionSampler.of(tm).sample(5_000, RandomStreams.stream(2512, 1)),
                tm.trueAtoms());
        MixingMeasure start = new NearTruthInitializer(tm.truth()).start(problem, RandomStreams.stream(2512, 2));
        FitResult ts = new LeastSquaresEstimator(LeastSquaresEstimator.Options.DEFAULT.withMethod(method))
                .fit(problem, start);
        FitResult ref = new LeastSquaresEstimator(LeastSquaresEstimator.Options.DEFAULT.withMethod(base))
                .fit(problem, start);
        assertTrue(ts.converged(), ts.stopReason().label());
        assertEquals(ref.objective(), ts.objective(), 1e-9 * ref.objective());
        double[] a = ref.estimate().pack();
        double[] b = ts.estimate().pack();
        for (int c = 0; c < a.length; c++) {
            assertEquals(a[c], b[c], 1e-4, "coordinate " + c);
        }
        assertFalse(Arrays.equals(a, b), "another damping, not " + base.label() + " under another name");
        assertEquals(method, LeastSquaresEstimator.Method.byLabel(method.label()));
        assertEquals(method, LeastSquaresEstimator.Method.byCode(method.code()));
        LeastSquaresEstimator est = (LeastSquaresEstimator) Estimators.create("least-squares",
                Map.of("method", (double) method.code()));
        assertEquals(method, est.options().method());
        assertEquals(LeastSquaresEstimator.Method.LM, LeastSquaresEstimator.Options.DEFAULT.method());
    }
}
