package org.prefixmoe.estimation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.prefixmoe.TestModels;
import org.prefixmoe.model.MixingMeasure;
import org.prefixmoe.model.TruthModel;
import org.prefixmoe.sampling.Dataset;
import org.prefixmoe.sampling.RandomStreams;
import org.prefixmoe.sampling.RegressionSampler;

/** The {@code geodesic} least-squares method of issue 23: agreement with lm, stops, settings (recovery: OptionalMethodsRecoveryTest). */
class GeodesicMethodTest {
    private static final LeastSquaresEstimator GEODESIC = new LeastSquaresEstimator(
            LeastSquaresEstimator.Options.LEGACY_LM.withMethod(LeastSquaresEstimator.Method.GEODESIC));

    /**
     * A regular, exact-specified problem from a near-truth start: the geodesic method ends at lm's
     * optimum (objective within 1e-9 relative, estimate within 1e-4), converged, with its extra
     * passes counted (each trial costs three passes: the trial and the acceleration's two).
     */
    @ParameterizedTest
    @ValueSource(strings = {"shared-linear", "shared-nonlinear", "non-shared"})
    void reachesLmsOptimumOnAnEasyProblem(String parameterization) {
        TruthModel tm = TestModels.defaultTruth(parameterization);
        FitProblem problem = FitProblem.of(tm, RegressionSampler.of(tm).sample(5_000, RandomStreams.stream(2412, 1)),
                tm.trueAtoms());
        Initializer near = new NearTruthInitializer(tm.truth());
        MixingMeasure start = near.start(problem, RandomStreams.stream(2412, 2));
        FitResult geo = GEODESIC.fit(problem, start);
        FitResult lm = new LeastSquaresEstimator(LeastSquaresEstimator.Options.LEGACY_LM).fit(problem, start);
        assertTrue(lm.converged(), lm.stopReason().label());
        FitAssertions.sameOptimumByAnotherPath(lm, geo, "geodesic (a different method, not lm under another name)");
        assertTrue(geo.evaluations() >= 1 + 3 * geo.iterations(),
                geo.evaluations() + " passes for " + geo.iterations() + " iterations");
    }

    /** Stop reasons stay data: the cap is {@code max-iterations}, not converged; a finished fit says why. */
    @Test
    void stopReasonsAreData() {
        TruthModel tm = TestModels.defaultTruth("shared-linear");
        Dataset data = RegressionSampler.of(tm).sample(2_000, RandomStreams.stream(2413, 1));
        FitProblem problem = new FitProblem(tm.model(), data, tm.trueAtoms(), tm.box());
        MixingMeasure start = new NearTruthInitializer(tm.truth()).start(problem, RandomStreams.stream(2413, 2));
        FitResult capped = new LeastSquaresEstimator(LeastSquaresEstimator.Options.DEFAULT
                .withMethod(LeastSquaresEstimator.Method.GEODESIC).withMaxIterations(2)).fit(problem, start);
        assertEquals(StopReason.MAX_ITERATIONS, capped.stopReason());
        assertFalse(capped.converged());
        assertEquals("max-iterations", capped.stopReason().label());
        assertEquals(2, capped.iterations());
        FitResult done = GEODESIC.fit(problem, start);
        assertTrue(java.util.Set.of(StopReason.OBJECTIVE_CHANGE, StopReason.GRADIENT, StopReason.STEP_SIZE)
                .contains(done.stopReason()), done.stopReason().label());
        assertTrue(done.objective() <= capped.objective());
    }

    @Test
    void methodIsNamedCodedAndNeverTheDefault() {
        assertNotEquals(LeastSquaresEstimator.Method.GEODESIC, LeastSquaresEstimator.Options.DEFAULT.method());
        assertEquals(LeastSquaresEstimator.Method.GEODESIC, LeastSquaresEstimator.Method.byLabel("geodesic"));
        assertEquals(LeastSquaresEstimator.Method.GEODESIC, LeastSquaresEstimator.Method.byCode(2));
        assertEquals(2, LeastSquaresEstimator.Method.GEODESIC.code());
        LeastSquaresEstimator est = (LeastSquaresEstimator) Estimators.create("least-squares", Map.of("method", 2.0));
        assertEquals(LeastSquaresEstimator.Method.GEODESIC, est.options().method());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> LeastSquaresEstimator.Method.byLabel("dogleg"));
        assertTrue(e.getMessage().startsWith("method:") && e.getMessage().contains("dogleg")
                && e.getMessage().contains("lm, flat, geodesic"), e.getMessage());
    }
}
