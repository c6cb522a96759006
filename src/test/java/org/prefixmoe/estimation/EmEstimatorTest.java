package org.prefixmoe.estimation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.prefixmoe.TestModels;
import org.prefixmoe.estimation.em.EmEstimator;
import org.prefixmoe.model.TruthModel;
import org.prefixmoe.loss.VoronoiCells;
import org.prefixmoe.model.MixingMeasure;
import org.prefixmoe.sampling.Dataset;
import org.prefixmoe.sampling.DensitySampler;
import org.prefixmoe.sampling.RandomStreams;

class EmEstimatorTest {

    private static Dataset densityData(TruthModel tm, int n, long seed) {
        return new DensitySampler(tm.model(), tm.truth(), tm.sigma(), tm.input()).sample(n, RandomStreams.stream(seed, n));
    }

    private static void assertMonotone(double[] ll, String what) {
        for (int t = 1; t < ll.length; t++) {
            assertTrue(Double.isFinite(ll[t]), what + ": iteration " + t + " log-likelihood " + ll[t]);
            // Exact in exact arithmetic; allow rounding of the summed log-likelihood.
            assertTrue(ll[t] >= ll[t - 1] - 1e-12 * Math.max(1, Math.abs(ll[t - 1])),
                    what + ": log-likelihood decreased at iteration " + t + ": " + ll[t - 1] + " -> " + ll[t]);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"non-shared", "shared-linear", "shared-nonlinear", "shared-mlp", "prompt-tuning"})
    void logLikelihoodNeverDecreases(String parameterization) {
        TruthModel tm = TestModels.defaultTruth(parameterization);
        Dataset data = densityData(tm, 1500, 21);
        FitProblem problem = new FitProblem(tm.model(), data, 3, tm.box());
        EmEstimator em = new EmEstimator(new EmEstimator.Options(150, 0, 3, 1e-6));
        // Over-specified, from a random start and from a near-truth start.
        MixingMeasure[] starts = {
            new RandomInitializer().start(problem, RandomStreams.stream(21, 1)),
            new NearTruthInitializer(tm.truth()).start(problem, RandomStreams.stream(21, 2))
        };
        for (MixingMeasure start : starts) {
            EmEstimator.Trace trace = em.trace(problem, start);
            double[] ll = trace.logLikelihood();
            // With tolerance 0 only an exactly repeated likelihood stops the run before the cap.
            assertEquals(trace.result().iterations() + 1, ll.length);
            assertTrue(ll.length == 151 || trace.result().stopReason() == StopReason.OBJECTIVE_CHANGE);
            assertMonotone(ll, parameterization);
            assertTrue(ll[ll.length - 1] > ll[0], "EM made progress");
            assertEquals(-ll[ll.length - 1], trace.result().objective(), 0.0);
            assertTrue(tm.box().contains(trace.result().estimate()), "estimate stays in the box");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"shared-linear", "non-shared"})
    void recoversTheTruthAtLargeN(String parameterization) {
        TruthModel tm = TestModels.defaultTruth(parameterization);
        Dataset data = densityData(tm, 40_000, 22);
        FitProblem problem = new FitProblem(tm.model(), data, tm.trueAtoms(), tm.box());
        FitResult fit = Fitting.fitWithRestarts(new EmEstimator(), problem, new NearTruthInitializer(tm.truth()), 1,
                RandomStreams.stream(22, 2));
        assertTrue(fit.converged(), fit.stopReason().label());
        MixingMeasure g = fit.estimate();
        VoronoiCells cells = VoronoiCells.of(g, tm.truth());
        for (int j = 0; j < tm.trueAtoms(); j++) {
            assertEquals(1, cells.size(j));
            int l = cells.members(j).get(0);
            for (int c = 0; c < g.atomDimension(); c++) {
                assertEquals(tm.truth().atom(j, c), g.atom(l, c), 0.05, "atom " + j + " coordinate " + c);
            }
            assertEquals(tm.truth().bias(j), g.bias(l), 0.1, "bias " + j);
        }
        assertEquals(tm.sigma() * tm.sigma(), fit.noiseVariance(), 0.0005);
    }

    @Test
    void agreesWithLeastSquaresInAWellSeparatedExactSpecifiedCase() {
        TruthModel tm = TestModels.defaultTruth("shared-linear");
        Dataset data = densityData(tm, 30_000, 23);
        FitProblem problem = new FitProblem(tm.model(), data, tm.trueAtoms(), tm.box());
        MixingMeasure start = new NearTruthInitializer(tm.truth()).start(problem, RandomStreams.stream(23, 1));
        FitResult em = new EmEstimator().fit(problem, start);
        FitResult ls = new LeastSquaresEstimator().fit(problem, start);
        assertTrue(em.converged() && ls.converged());
        // Both are consistent on density data (its conditional mean is f_G*); EM is the efficient one.
        VoronoiCells cells = VoronoiCells.of(em.estimate(), ls.estimate());
        for (int j = 0; j < tm.trueAtoms(); j++) {
            int l = cells.members(j).get(0);
            for (int c = 0; c < tm.model().atomDimension(); c++) {
                assertEquals(ls.estimate().atom(j, c), em.estimate().atom(l, c), 0.06, "atom " + j + "," + c);
            }
            assertEquals(ls.estimate().bias(j), em.estimate().bias(l), 0.12, "bias " + j);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"non-shared", "shared-linear", "shared-nonlinear", "shared-mlp"})
    void degenerateStartWithAllAtomsEqualGivesNoNaN(String parameterization) {
        TruthModel tm = TestModels.defaultTruth(parameterization);
        Dataset data = densityData(tm, 1000, 24);
        FitProblem problem = new FitProblem(tm.model(), data, 3, tm.box());
        double[] atom = tm.truth().atom(0);
        MixingMeasure start = new MixingMeasure(new double[][] {atom, atom.clone(), atom.clone()},
                new double[] {0, 0, 0});
        EmEstimator.Trace trace = new EmEstimator(new EmEstimator.Options(200, 1e-10, 3, 1e-6)).trace(problem, start);
        assertMonotone(trace.logLikelihood(), parameterization);
        FitResult fit = trace.result();
        assertFalse(Double.isNaN(fit.objective()));
        assertTrue(Double.isFinite(fit.noiseVariance()) && fit.noiseVariance() > 0);
        for (double v : fit.estimate().pack()) {
            assertTrue(Double.isFinite(v));
        }
    }

    @Test
    void stopsOnTheIterationCapOrTheLikelihoodChangeAndRestartsWork() {
        TruthModel tm = TestModels.defaultTruth("shared-linear");
        Dataset data = densityData(tm, 2000, 25);
        FitProblem problem = new FitProblem(tm.model(), data, 2, tm.box());
        MixingMeasure start = new RandomInitializer().start(problem, RandomStreams.stream(25, 1));
        FitResult capped = new EmEstimator(new EmEstimator.Options(3, 1e-8, 3, 1e-6)).fit(problem, start);
        assertEquals(StopReason.MAX_ITERATIONS, capped.stopReason());
        assertEquals(3, capped.iterations());
        FitResult best = Fitting.fitWithRestarts(Estimators.byName("em"), problem, new RandomInitializer(), 4,
                RandomStreams.stream(25, 2));
        assertNotNull(best);
        assertEquals(StopReason.OBJECTIVE_CHANGE, best.stopReason());
        assertTrue(best.objective() <= capped.objective());
        // The density data's log-likelihood at the truth is a lower bound on what the best fit reaches.
        FitResult atTruth = new EmEstimator(new EmEstimator.Options(1, 1e-8, 1, 1e-6)).fit(problem, tm.truth());
        assertTrue(best.objective() <= atTruth.objective() + 1e-3, best.objective() + " vs " + atTruth.objective());
    }

    @ParameterizedTest
    @ValueSource(strings = {"non-shared", "shared-linear", "shared-nonlinear"})
    void squaremIsMonotoneAndNeedsFewerIterations(String parameterization) {
        // Over-specified fits converge sublinearly: SQUAREM must keep the likelihood monotone and
        // reach at least plain EM's likelihood in fewer iterations.
        TruthModel tm = TestModels.defaultTruth(parameterization);
        Dataset data = densityData(tm, 2000, 31);
        FitProblem problem = new FitProblem(tm.model(), data, 3, tm.box());
        MixingMeasure start = new NearTruthInitializer(tm.truth()).start(problem, RandomStreams.stream(31, 2));
        EmEstimator.Options opts = new EmEstimator.Options(1000, 1e-8, 1, 1e-6);
        EmEstimator.Trace plain = new EmEstimator(opts, false).trace(problem, start);
        EmEstimator.Trace fast = new EmEstimator(opts, true).trace(problem, start);
        assertMonotone(fast.logLikelihood(), parameterization + " with SQUAREM");
        assertEquals(-fast.logLikelihood()[fast.logLikelihood().length - 1], fast.result().objective(), 0.0);
        assertTrue(tm.box().contains(fast.result().estimate()), "SQUAREM's estimate stays in the box");
        assertTrue(fast.result().objective() <= plain.result().objective() + 1e-6,
                "SQUAREM " + fast.result().objective() + " vs plain EM " + plain.result().objective());
        assertTrue(fast.result().iterations() < plain.result().iterations(),
                "SQUAREM " + fast.result().iterations() + " iterations vs plain EM " + plain.result().iterations());
    }
}
