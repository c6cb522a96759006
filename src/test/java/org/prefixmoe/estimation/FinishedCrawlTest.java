package org.prefixmoe.estimation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import org.junit.jupiter.api.Test;
import org.prefixmoe.TestModels;
import org.prefixmoe.model.MixingMeasure;
import org.prefixmoe.model.TruthModel;
import org.prefixmoe.sampling.RandomStreams;
import org.prefixmoe.sampling.RegressionSampler;

/** {@code trf-pair-f}: {@code trf-pair-w}, then {@code trf} at tight tolerances from its end. */
class FinishedCrawlTest {
    private static final LeastSquaresEstimator.Options W =
            LeastSquaresEstimator.Options.DEFAULT.withMethod(LeastSquaresEstimator.Method.TRF_PAIR_W);
    private static final LeastSquaresEstimator.Options F = W.withMethod(LeastSquaresEstimator.Method.TRF_PAIR_F);
    private static final LeastSquaresEstimator.Options G = W.withMethod(LeastSquaresEstimator.Method.TRF_PAIR_G);

    @Test
    void isNamed() {
        Crawls.assertNamed(LeastSquaresEstimator.Method.TRF_PAIR_F, "trf-pair-f", 31);
        Crawls.assertNamed(LeastSquaresEstimator.Method.TRF_PAIR_G, "trf-pair-g", 32);
    }

    /**
     * A non-shared fit with one atom too many on the second truth (n = 10^3) on which {@code trf-pair-w} stops on the
     * objective test 1.4e-9 above the optimum SciPy reaches from the same start: the finish goes on to the optimum.
     */
    @Test
    void finishesACrawlThatTrfPairWStopsOn() throws IOException {
        Crawls.Crawl crawl = Crawls.secondTruthNonShared();
        FitProblem problem = crawl.problem();
        MixingMeasure start = crawl.start();
        FitResult w = new LeastSquaresEstimator(W).fit(problem, start);
        FitResult f = new LeastSquaresEstimator(F).fit(problem, start);
        assertTrue(w.converged() && f.converged(), w.stopReason() + " " + f.stopReason());
        assertTrue(f.objective() < w.objective() * (1 - 1e-9), w.objective() + " -> " + f.objective());
        assertTrue(f.iterations() > w.iterations() && f.evaluations() > w.evaluations());
        // Nothing left: trf at the tightest tolerances from the finished end gains at most rounding.
        LeastSquaresEstimator.Options tightest = W.withMethod(LeastSquaresEstimator.Method.TRF)
                .withObjectiveTolerance(1e-15).withStepTolerance(1e-15).withGradientTolerance(1e-15);
        FitResult polish = new LeastSquaresEstimator(tightest).fit(problem, f.estimate());
        assertTrue(f.objective() - polish.objective() <= 1e-12 * f.objective(),
                f.objective() + " polished to " + polish.objective());
        // trf-pair-g: the end promises 8.7e-10 (certified at 1e-9, above the 1e-10 trigger), so it is finished too.
        assertTrue(GaussNewtonCertificate.of(problem, w.estimate()).decrement()
                > LeastSquaresEstimator.Options.FINISH_TRIGGER);
        Crawls.assertSameFit(f, new LeastSquaresEstimator(G).fit(problem, start));
    }

    /** An end that is not finished (the cap, here) is {@code trf-pair-w}'s bit for bit. */
    @Test
    void anEndAtTheCapIsTrfPairWs() {
        TruthModel tm = TestModels.defaultTruth("non-shared");
        FitProblem problem = FitProblem.of(tm, RegressionSampler.of(tm).sample(2_000, RandomStreams.stream(3107, 1)),
                tm.trueAtoms() + 1);
        MixingMeasure start = new RandomInitializer().start(problem, RandomStreams.stream(3107, 3));
        FitResult w = new LeastSquaresEstimator(W.withMaxIterations(4)).fit(problem, start);
        FitResult f = new LeastSquaresEstimator(F.withMaxIterations(4)).fit(problem, start);
        assertEquals(StopReason.MAX_ITERATIONS, w.stopReason());
        assertEquals(StopReason.MAX_ITERATIONS, f.stopReason());
        Crawls.assertSameFit(w, f);
        assertEquals(w.objective(), f.objective());
    }

    /**
     * Exactly specified fits (a regular optimum), all three parameterizations: {@code trf-pair-f} finishes the converged
     * end, never higher, its passes added, still converged; {@code trf-pair-g} leaves it alone, since its Gauss–Newton
     * model promises nothing more there: {@code trf-pair-w}'s fit bit for bit.
     */
    @Test
    void aRegularEndIsFinishedNeverRaisedOrLeftAlone() {
        for (String p : new String[] {"shared-linear", "shared-nonlinear", "non-shared"}) {
            TruthModel tm = TestModels.defaultTruth(p);
            FitProblem problem = FitProblem.of(tm, RegressionSampler.of(tm).sample(1_000, RandomStreams.stream(3108, 1)),
                    tm.trueAtoms());
            MixingMeasure start = new NearTruthInitializer(tm.truth()).start(problem, RandomStreams.stream(3108, 2));
            FitResult w = new LeastSquaresEstimator(W).fit(problem, start);
            FitResult f = new LeastSquaresEstimator(F).fit(problem, start);
            assertTrue(w.converged() && f.converged(), p + ": " + w.stopReason() + " " + f.stopReason());
            assertTrue(f.objective() <= w.objective(), p);
            assertTrue(w.stopReason() == StopReason.GRADIENT || f.evaluations() > w.evaluations(), p);
            double promise = GaussNewtonCertificate.of(problem, w.estimate()).decrement();
            assertTrue(promise <= LeastSquaresEstimator.Options.FINISH_TRIGGER, p + ": " + promise);
            FitResult g = new LeastSquaresEstimator(G).fit(problem, start);
            Crawls.assertSameFit(w, g);
            assertEquals(w.stopReason(), g.stopReason());
        }
    }
}
