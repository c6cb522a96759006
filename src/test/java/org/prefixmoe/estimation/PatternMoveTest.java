package org.prefixmoe.estimation;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;
import org.prefixmoe.TestModels;
import org.prefixmoe.model.MixingMeasure;
import org.prefixmoe.model.TruthModel;
import org.prefixmoe.sampling.RandomStreams;
import org.prefixmoe.sampling.RegressionSampler;

/** The {@code lm-x} method: {@code lm} plus a pattern move along crawls. */
class PatternMoveTest {
    private static FitResult fit(LeastSquaresEstimator.Method method, FitProblem problem, MixingMeasure start) {
        return new LeastSquaresEstimator(LeastSquaresEstimator.Options.DEFAULT.withMethod(method)).fit(problem, start);
    }

    /** A fit that never crawls ten accepted steps is {@code lm}'s bit for bit; the method is named and coded. */
    @Test
    void withoutACrawlItIsLmBitForBit() {
        TruthModel tm = TestModels.defaultTruth("shared-nonlinear");
        FitProblem problem = FitProblem.of(tm, RegressionSampler.of(tm).sample(5_000, RandomStreams.stream(2912, 1)),
                tm.trueAtoms());
        MixingMeasure start = new NearTruthInitializer(tm.truth()).start(problem, RandomStreams.stream(2912, 2));
        FitResult lm = fit(LeastSquaresEstimator.Method.LM, problem, start);
        FitResult x = fit(LeastSquaresEstimator.Method.LM_X, problem, start);
        assertArrayEquals(lm.estimate().pack(), x.estimate().pack());
        assertEquals(lm.iterations(), x.iterations());
        assertEquals(lm.evaluations(), x.evaluations());
        assertEquals(LeastSquaresEstimator.Method.LM_X, LeastSquaresEstimator.Method.byLabel("lm-x"));
        assertEquals(LeastSquaresEstimator.Method.LM_X, LeastSquaresEstimator.Method.byCode(7));
        assertEquals(LeastSquaresEstimator.Method.LM_X, ((LeastSquaresEstimator) Estimators.create("least-squares",
                Map.of("method", 7.0))).options().method());
    }

    /**
     * On over-specified near-truth starts (L = L* + 1, n = 800), where {@code lm} crawls (100 iterations or more),
     * moves are tried (more passes than {@code lm}) and the fits end no higher than {@code lm}'s within 1e-6
     * relative, at least one lower.
     */
    @Test
    void onACrawlTheMoveIsTakenAndEndsNoHigher() {
        TruthModel tm = TestModels.defaultTruth("shared-linear");
        int crawls = 0;
        int lower = 0;
        for (long seed = 2913; seed < 2933; seed++) {
            FitProblem problem = FitProblem.of(tm, RegressionSampler.of(tm).sample(800, RandomStreams.stream(seed, 1)),
                    tm.trueAtoms() + 1);
            MixingMeasure start = new NearTruthInitializer(tm.truth()).start(problem, RandomStreams.stream(seed, 2));
            FitResult lm = fit(LeastSquaresEstimator.Method.LM, problem, start);
            if (lm.iterations() < 100) {
                continue;
            }
            crawls++;
            FitResult x = fit(LeastSquaresEstimator.Method.LM_X, problem, start);
            assertTrue(x.objective() <= lm.objective() * (1 + 1e-6), seed + ": " + x.objective() + " vs " + lm.objective());
            assertTrue(x.evaluations() > lm.evaluations(), seed + ": no move tried on a crawl");
            lower += x.objective() < lm.objective() * (1 - 1e-12) ? 1 : 0;
        }
        assertTrue(crawls > 0, "no crawl among the seeds");
        assertTrue(lower > 0, "no move lowered a crawl's end point");
    }
}
