package org.prefixmoe.estimation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.prefixmoe.TestModels;
import org.prefixmoe.model.MixingMeasure;
import org.prefixmoe.model.TruthModel;
import org.prefixmoe.sampling.Dataset;
import org.prefixmoe.sampling.RandomStreams;

/**
 * What every estimator promises (STYLE "contract test suites"): the start is projected into the
 * box, every iterate stays inside it, the objective never increases, the iteration cap is
 * respected and reported as not converged, and a stop reason is always set. Each estimator's
 * test subclasses this with a factory. Iterates are observed by capping the fit at k = 1, 2, ...
 * iterations: the estimators are deterministic, so the fit capped at k ends at iterate k.
 */
abstract class EstimatorContractTest {

    /** The estimator under test with the given iteration cap and its other settings at their defaults. */
    abstract Estimator estimator(int maxIterations);

    /** A data set of the truth suited to this estimator. */
    abstract Dataset data(TruthModel tm, int n, long seed);

    @ParameterizedTest
    @ValueSource(strings = {"shared-linear", "non-shared"})
    void iteratesStayInTheBoxTheObjectiveNeverIncreasesAndTheCapHolds(String parameterization) {
        TruthModel tm = TestModels.defaultTruth(parameterization);
        Dataset data = data(tm, 1500, 31);
        FitProblem problem = new FitProblem(tm.model(), data, 3, tm.box());
        // A start far outside the box in every atom coordinate: projected onto it first.
        MixingMeasure inside = new RandomInitializer().start(problem, RandomStreams.stream(31, 2));
        double[][] atoms = inside.atoms();
        for (double[] a : atoms) {
            a[0] = 50;
        }
        MixingMeasure start = new MixingMeasure(atoms, inside.biases());
        assertFalse(tm.box().contains(start));
        double previous = Double.POSITIVE_INFINITY;
        for (int cap = 1; cap <= 8; cap++) {
            FitResult fit = estimator(cap).fit(problem, start);
            assertNotNull(fit.stopReason());
            assertTrue(fit.iterations() <= cap, "cap " + cap + ": " + fit.iterations() + " iterations");
            assertTrue(tm.box().contains(fit.estimate()), "cap " + cap + ": left the box: " + fit.estimate());
            assertTrue(fit.objective() <= previous * (1 + 1e-12) + 1e-12,
                    "cap " + cap + ": objective rose from " + previous + " to " + fit.objective());
            if (fit.iterations() == cap && fit.stopReason() == StopReason.MAX_ITERATIONS) {
                assertFalse(fit.converged(), "a fit at the cap is not converged");
            }
            previous = fit.objective();
        }
        FitResult full = estimator(500).fit(problem, start);
        assertTrue(full.converged(), full.stopReason().label());
        assertTrue(full.objective() <= previous * (1 + 1e-12) + 1e-12);
        assertTrue(tm.box().contains(full.estimate()));
        FitResult one = estimator(1).fit(problem, start);
        assertEquals(StopReason.MAX_ITERATIONS, one.stopReason(), "one iteration never converges from this start");
    }
}
