package org.prefixmoe.estimation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;
import org.prefixmoe.TestModels;
import org.prefixmoe.model.MixingMeasure;
import org.prefixmoe.model.TruthModel;
import org.prefixmoe.sampling.RandomStreams;
import org.prefixmoe.sampling.RegressionSampler;

/** The {@code initial_damping} setting of the least-squares estimator (issue 23). */
class InitialDampingTest {
    @Test
    void defaultIsTheCommittedOneAndBadValuesAreNamed() {
        assertEquals(1e-3, LeastSquaresEstimator.Options.DEFAULT.initialDamping());
        for (double bad : new double[] {0, -1, Double.NaN, Double.POSITIVE_INFINITY}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> LeastSquaresEstimator.Options.DEFAULT.withInitialDamping(bad));
            assertTrue(e.getMessage().startsWith("initial_damping:"), e.getMessage());
        }
        LeastSquaresEstimator est = (LeastSquaresEstimator) Estimators.create("least-squares",
                Map.of("initial_damping", 1.0));
        assertEquals(1.0, est.options().initialDamping());
        assertEquals(LeastSquaresEstimator.Options.DEFAULT.method(), est.options().method());
        assertEquals(1e-3, ((LeastSquaresEstimator) Estimators.byName("least-squares")).options().initialDamping());
    }

    /** A larger start λ takes another path (shorter first steps) to the same optimum of a regular problem. */
    @Test
    void anotherPathToTheSameOptimum() {
        TruthModel tm = TestModels.defaultTruth("non-shared");
        FitProblem problem = FitProblem.of(tm, RegressionSampler.of(tm).sample(5_000, RandomStreams.stream(2513, 1)),
                tm.trueAtoms());
        MixingMeasure start = new NearTruthInitializer(tm.truth()).start(problem, RandomStreams.stream(2513, 2));
        // lm: the method whose path the start λ shapes most (trf-pair-w's region starts from its own radius)
        FitResult ref = new LeastSquaresEstimator(LeastSquaresEstimator.Options.LEGACY_LM).fit(problem, start);
        FitResult damped = new LeastSquaresEstimator(LeastSquaresEstimator.Options.LEGACY_LM.withInitialDamping(1))
                .fit(problem, start);
        FitAssertions.sameOptimumByAnotherPath(ref, damped, "initial_damping 1 (the setting must reach the solver)");
    }
}
