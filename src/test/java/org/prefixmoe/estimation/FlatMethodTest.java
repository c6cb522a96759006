package org.prefixmoe.estimation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.prefixmoe.TestModels;
import org.prefixmoe.model.MixingMeasure;
import org.prefixmoe.model.TruthModel;
import org.prefixmoe.sampling.Dataset;
import org.prefixmoe.sampling.RandomStreams;
import org.prefixmoe.sampling.RegressionSampler;

/** The {@code flat} least-squares method of issue 23: finishing flat sets, settings (recovery: OptionalMethodsRecoveryTest). */
class FlatMethodTest {
    private static final LeastSquaresEstimator FLAT = new LeastSquaresEstimator(
            LeastSquaresEstimator.Options.LEGACY_LM.withMethod(LeastSquaresEstimator.Method.FLAT));

    /**
     * Up to lm's stop the flat method takes lm's steps with lm's operations: where the Newton check
     * confirms lm's end point (a regular, exact-specified fit), the estimate is lm's bit for bit and
     * the check costs one finite-difference Hessian, one pass per coordinate.
     */
    @ParameterizedTest
    @ValueSource(strings = {"shared-linear", "non-shared"})
    void followsLmBitForBitUntilItsStop(String parameterization) {
        TruthModel tm = TestModels.defaultTruth(parameterization);
        Dataset data = RegressionSampler.of(tm).sample(5_000, RandomStreams.stream(2312, 1));
        FitProblem problem = new FitProblem(tm.model(), data, tm.trueAtoms(), tm.box());
        MixingMeasure start = new NearTruthInitializer(tm.truth()).start(problem, RandomStreams.stream(2312, 2));
        FitResult lm = new LeastSquaresEstimator(LeastSquaresEstimator.Options.LEGACY_LM).fit(problem, start);
        FitResult flat = FLAT.fit(problem, start);
        assertEquals(StopReason.OBJECTIVE_CHANGE, lm.stopReason());
        assertEquals(StopReason.OBJECTIVE_CHANGE, flat.stopReason());
        assertEquals(lm.iterations(), flat.iterations());
        assertEquals(lm.evaluations() + problem.lower().length, flat.evaluations());
        assertEquals(lm.objective(), flat.objective(), 0.0);
        assertTrue(java.util.Arrays.equals(lm.estimate().pack(), flat.estimate().pack()));
    }

    /**
     * The crawl of issue 23 (bench/same_start.py, n = 10^3, seed 802, first near-truth start): the
     * default method stops on a small objective change about 6.5e-6 relative above the end of a
     * flat valley in which the redundant atom's first coordinate runs to the box; the flat method
     * reaches that end (found with every tolerance at 1e-15 after 3,900 more default iterations:
     * 0.0203467636113) within 1e-10 relative and stops converged, with the coordinate on the bound
     * held. (The scaled projected gradient there is still about 3e-6: along the flat direction, with
     * an eigenvalue near 1e-9, a sizeable cosine leaves almost no decrease to come.)
     */
    @Test
    void finishesTheSharedNonlinearCrawl() {
        TruthModel tm = TestModels.defaultTruth("shared-nonlinear");
        Dataset data = RegressionSampler.of(tm).sample(1000, RandomStreams.stream(802, 1));
        FitProblem problem = new FitProblem(tm.model(), data, 3, tm.box());
        MixingMeasure raw = new NearTruthInitializer(tm.truth()).start(problem, RandomStreams.stream(802, 2, 0));
        MixingMeasure start = MixingMeasure.unpack(problem.startVector(raw), raw.atomDimension(), raw.hasBias());
        FitResult lm = new LeastSquaresEstimator(LeastSquaresEstimator.Options.LEGACY_LM).fit(problem, start);
        FitResult flat = FLAT.fit(problem, start);
        assertTrue(flat.converged(), flat.stopReason().label());
        assertTrue((lm.objective() - flat.objective()) / flat.objective() > 1e-6,
                "lm " + lm.objective() + " flat " + flat.objective());
        assertEquals(0.0203467636113, flat.objective(), 0.0203467636113 * 1e-10);
        double[] x = flat.estimate().pack();
        double[] hi = problem.upper();
        int onBound = 0;
        for (int c = 0; c < x.length; c++) {
            onBound += x[c] == hi[c] ? 1 : 0;
        }
        assertEquals(1, onBound, "one coordinate held on the box: " + flat.estimate());
    }

    @Test
    void defaultMethodIsTrfPairMAndAlwaysInTheSettings() {
        assertEquals(LeastSquaresEstimator.Method.TRF_PAIR_M, LeastSquaresEstimator.Options.DEFAULT.method());
        assertEquals(1000, LeastSquaresEstimator.Options.DEFAULT.maxIterations());
        assertEquals(LeastSquaresEstimator.Method.LM, LeastSquaresEstimator.Options.LEGACY_LM.method());
        assertEquals(500, LeastSquaresEstimator.Options.LEGACY_LM.maxIterations());
        Map<String, Double> plain = Estimators.settings("least-squares", Map.of());
        // the default method is in every resolved setting, so that changing it changes every fingerprint
        assertEquals((double) LeastSquaresEstimator.Method.TRF_PAIR_M.code(), plain.get("method"));
        assertFalse(plain.containsKey("initial_damping"), "so does an unstated initial damping");
        Map<String, Double> stated = Estimators.settings("least-squares", Map.of("method", 1.0));
        assertEquals(1.0, stated.get("method"));
        LeastSquaresEstimator est = (LeastSquaresEstimator) Estimators.create("least-squares", Map.of("method", 1.0));
        assertEquals(LeastSquaresEstimator.Method.FLAT, est.options().method());
        assertEquals(LeastSquaresEstimator.Method.TRF_PAIR_M,
                ((LeastSquaresEstimator) Estimators.byName("least-squares")).options().method());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Estimators.create("least-squares", Map.of("method", 42.0)));
        assertTrue(e.getMessage().contains("method") && e.getMessage().contains("0 (lm), 1 (flat)")
                && e.getMessage().contains("got 42"), e.getMessage());
        assertEquals(LeastSquaresEstimator.Method.FLAT, LeastSquaresEstimator.Method.byLabel("flat"));
        assertThrows(IllegalArgumentException.class, () -> LeastSquaresEstimator.Method.byLabel("dogleg"));
    }

    @Test
    void flatStepNeedsAShortStepAndSmallDecreases() {
        StopRule rule = StopRule.flatStep(1e-9, 1e-10);
        // A short step whose decrease is small: stop.
        assertEquals(Optional.of(StopReason.STEP_SIZE),
                rule.test(new Iterate(5, 1.0, 1.0 + 1e-12, 1.0 + 2e-12, 1e-12, 1, 1e-10, 1, 1e-6, 1e-3, 0)));
        // A short step that still lowered the objective by more than the tolerance: go on.
        assertEquals(Optional.empty(),
                rule.test(new Iterate(5, 1.0, 1.0 + 1e-8, 1.0 + 2e-8, 1e-8, 1, 1e-10, 1, 1e-6, 1e-3, 0)));
        // A small decrease on a long step (the crawl): go on.
        assertEquals(Optional.empty(),
                rule.test(new Iterate(5, 1.0, 1.0 + 1e-12, 1.0 + 2e-12, 1e-12, 1, 1e-3, 1, 1e-6, 1e-3, 0)));
        // After a rejected trial: go on.
        assertEquals(Optional.empty(),
                rule.test(new Iterate(5, 1.0, 1.0 + 1e-12, 1.0 + 2e-12, 1e-12, 1, 1e-10, 1, 1e-6, 1e-3, 1)));
    }
}
