package org.prefixmoe.estimation;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import org.junit.jupiter.api.Test;
import org.prefixmoe.TestModels;
import org.prefixmoe.model.MixingMeasure;
import org.prefixmoe.model.TruthModel;
import org.prefixmoe.sampling.RandomStreams;
import org.prefixmoe.sampling.RegressionSampler;

/**
 * {@code trf-pair-m}: {@code trf-pair-g} whose long finishes walk the valley's profile; and the held {@code trf} its
 * profile values come from.
 */
class ProfileWalkTest {
    private static final LeastSquaresEstimator.Options G =
            LeastSquaresEstimator.Options.DEFAULT.withMethod(LeastSquaresEstimator.Method.TRF_PAIR_G);
    private static final LeastSquaresEstimator.Options M = G.withMethod(LeastSquaresEstimator.Method.TRF_PAIR_M);
    private static final LeastSquaresEstimator.Options TIGHT = G.withMethod(LeastSquaresEstimator.Method.TRF)
            .withObjectiveTolerance(1e-13).withStepTolerance(1e-13);

    @Test
    void isNamed() {
        Crawls.assertNamed(LeastSquaresEstimator.Method.TRF_PAIR_M, "trf-pair-m", 33);
    }

    /** With no coordinate held the held trf is the plain one to the bit; a held coordinate never moves. */
    @Test
    void aHeldCoordinateStaysWhereItStartedAndNoneHeldIsPlainTrf() {
        TruthModel tm = TestModels.defaultTruth("non-shared");
        FitProblem problem = FitProblem.of(tm, RegressionSampler.of(tm).sample(3_000, RandomStreams.stream(71, 1)),
                tm.trueAtoms() + 1);
        MixingMeasure start = new NearTruthInitializer(tm.truth()).start(problem, RandomStreams.stream(71, 2));
        int dim = problem.startVector(start).length;
        FitResult plain = ReflectiveTrustRegion.fit(problem, start, TIGHT, TIGHT.lmStopRule(), 1);
        FitResult none = ReflectiveTrustRegion.fit(problem, start, TIGHT, TIGHT.lmStopRule(), 1, new boolean[dim]);
        assertArrayEquals(plain.estimate().pack(), none.estimate().pack());
        assertEquals(plain.iterations(), none.iterations());
        assertEquals(plain.gaussNewtonDecrement(), none.gaussNewtonDecrement());
        boolean[] held = new boolean[dim];
        held[2] = true;
        held[dim - 2] = true;
        double[] x0 = problem.startVector(start);
        FitResult h = ReflectiveTrustRegion.fit(problem, start, TIGHT, TIGHT.lmStopRule(), 1, held);
        double[] x = problem.startVector(h.estimate());
        assertEquals(x0[2], x[2]);
        assertEquals(x0[dim - 2], x[dim - 2]);
        assertTrue(h.converged() && Double.isNaN(h.gaussNewtonDecrement()), h.stopReason().label());
        org.prefixmoe.model.Evaluator ev = problem.evaluator();
        ev.setParameters(x0);
        double f0 = ev.normalEquations(problem.data().y(), new double[dim * dim], new double[dim]) / problem.data().size();
        assertTrue(h.objective() < f0 * (1 - 1e-6), f0 + " -> " + h.objective());
    }

    /**
     * Where the finish ends within its first 100 iterations (every exactly specified fit, and the crawl of
     * FinishedCrawlTest) {@code trf-pair-m} is {@code trf-pair-g} to the bit.
     */
    @Test
    void aShortFinishIsTrfPairGs() throws IOException {
        for (String p : new String[] {"shared-linear", "non-shared"}) {
            TruthModel tm = TestModels.defaultTruth(p);
            FitProblem problem = FitProblem.of(tm,
                    RegressionSampler.of(tm).sample(1_000, RandomStreams.stream(3108, 1)), tm.trueAtoms());
            MixingMeasure start = new NearTruthInitializer(tm.truth()).start(problem, RandomStreams.stream(3108, 2));
            Crawls.assertSameFit(new LeastSquaresEstimator(G).fit(problem, start),
                    new LeastSquaresEstimator(M).fit(problem, start));
        }
        Crawls.Crawl crawl = Crawls.secondTruthNonShared();
        FitProblem problem = crawl.problem();
        MixingMeasure start = crawl.start();
        FitResult g = new LeastSquaresEstimator(G).fit(problem, start);
        FitResult m = new LeastSquaresEstimator(M).fit(problem, start);
        assertTrue(g.iterations() - new LeastSquaresEstimator(G.withMethod(LeastSquaresEstimator.Method.TRF_PAIR_W))
                .fit(problem, start).iterations() < LeastSquaresEstimator.Options.WALK_ITERATIONS, "a short finish");
        Crawls.assertSameFit(g, m);
    }
}
