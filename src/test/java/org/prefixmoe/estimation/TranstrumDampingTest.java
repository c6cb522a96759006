package org.prefixmoe.estimation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
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
 * The opt-in variants of issue 23 that modify {@code lm} or {@code geodesic} (Transtrum and Sethna's
 * damping: {@code lm-ts}, {@code geodesic-ts}; the corrector on rejected trials: {@code lm-soc}):
 * named and coded, never the default, and on a regular problem they reach the optimum of the method
 * they modify by another path (recovery: OptionalMethodsRecoveryTest).
 */
class TranstrumDampingTest {
    @ParameterizedTest
    @EnumSource(names = {"LM_TS", "GEODESIC_TS"})
    void sameOptimumAsTheUndampedVariantByAnotherPath(LeastSquaresEstimator.Method method) {
        LeastSquaresEstimator.Method base = method == LeastSquaresEstimator.Method.GEODESIC_TS
                ? LeastSquaresEstimator.Method.GEODESIC : LeastSquaresEstimator.Method.LM;
        TruthModel tm = TestModels.defaultTruth("shared-nonlinear");
        FitProblem problem = FitProblem.of(tm, RegressionSampler.of(tm).sample(5_000, RandomStreams.stream(2512, 1)),
                tm.trueAtoms());
        MixingMeasure start = new NearTruthInitializer(tm.truth()).start(problem, RandomStreams.stream(2512, 2));
        FitResult ts = new LeastSquaresEstimator(LeastSquaresEstimator.Options.LEGACY_LM.withMethod(method))
                .fit(problem, start);
        FitResult ref = new LeastSquaresEstimator(LeastSquaresEstimator.Options.LEGACY_LM.withMethod(base))
                .fit(problem, start);
        FitAssertions.sameOptimumByAnotherPath(ref, ts, method.label() + " (another damping, not " + base.label()
                + " under another name)");
        assertEquals(method, LeastSquaresEstimator.Method.byLabel(method.label()));
        assertEquals(method, LeastSquaresEstimator.Method.byCode(method.code()));
        LeastSquaresEstimator est = (LeastSquaresEstimator) Estimators.create("least-squares",
                Map.of("method", (double) method.code()));
        assertEquals(method, est.options().method());
        assertNotEquals(method, LeastSquaresEstimator.Options.DEFAULT.method());
    }

    /**
     * {@code lm-soc} changes only what happens after a rejected trial: where {@code lm} rejects
     * nothing it is {@code lm} bit for bit; from random over-specified starts, where trials are
     * rejected, its corrector passes are counted and the path differs.
     */
    @org.junit.jupiter.api.Test
    void correctorActsOnlyOnRejectedTrials() {
        LeastSquaresEstimator soc = new LeastSquaresEstimator(
                LeastSquaresEstimator.Options.LEGACY_LM.withMethod(LeastSquaresEstimator.Method.LM_SOC));
        LeastSquaresEstimator lm = new LeastSquaresEstimator(LeastSquaresEstimator.Options.LEGACY_LM);
        TruthModel tm = TestModels.defaultTruth("shared-nonlinear");
        FitProblem easy = FitProblem.of(tm, RegressionSampler.of(tm).sample(5_000, RandomStreams.stream(2512, 1)),
                tm.trueAtoms());
        MixingMeasure near = new NearTruthInitializer(tm.truth()).start(easy, RandomStreams.stream(2512, 2));
        FitResult a = lm.fit(easy, near);
        assertEquals(a.iterations() + 1, a.evaluations(), "this lm fit rejects no trial");
        FitResult b = soc.fit(easy, near);
        assertTrue(Arrays.equals(a.estimate().pack(), b.estimate().pack()));
        assertEquals(a.evaluations(), b.evaluations());
        TruthModel ns = TestModels.defaultTruth("non-shared");
        FitProblem hard = FitProblem.of(ns, RegressionSampler.of(ns).sample(2_000, RandomStreams.stream(2712, 1)),
                ns.trueAtoms() + 1);
        int differs = 0;
        for (int k = 0; k < 4; k++) {
            MixingMeasure start = new RandomInitializer().start(hard, RandomStreams.stream(2712, 2 + k));
            FitResult x = lm.fit(hard, start);
            FitResult y = soc.fit(hard, start);
            assertTrue(Double.isFinite(y.objective()));
            if (x.evaluations() > x.iterations() + 1 && !Arrays.equals(x.estimate().pack(), y.estimate().pack())) {
                differs++;
            }
        }
        assertTrue(differs > 0, "no start with rejected trials took another path");
    }
}
