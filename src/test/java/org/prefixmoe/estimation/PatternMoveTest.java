package org.prefixmoe.estimation;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.prefixmoe.estimation.Crawls.fit;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.prefixmoe.model.MixingMeasure;

/** The {@code lm-x} method: {@code lm} plus a pattern move along crawls. */
class PatternMoveTest {
    /** A fit that never crawls ten accepted steps is {@code lm}'s bit for bit; the method is named and coded. */
    @Test
    void withoutACrawlItIsLmBitForBit() {
        Crawls.Crawl c = Crawls.noCrawl();
        FitProblem problem = c.problem();
        MixingMeasure start = c.start();
        FitResult lm = fit(LeastSquaresEstimator.Method.LM, problem, start);
        FitResult x = fit(LeastSquaresEstimator.Method.LM_X, problem, start);
        Crawls.assertSameFit(lm, x);
        Crawls.assertNamed(LeastSquaresEstimator.Method.LM_X, "lm-x", 7);
    }

    /**
     * On over-specified near-truth starts (L = L* + 1, n = 800), where {@code lm} crawls (100 iterations or more),
     * moves are tried (more passes than {@code lm}) and the fits end no higher than {@code lm}'s within 1e-6
     * relative, at least one lower.
     */
    @Test
    void onACrawlTheMoveIsTakenAndEndsNoHigher() {
        List<Crawls.Crawl> crawls = Crawls.sharedLinear(2913, 2933);
        int lower = 0;
        for (Crawls.Crawl c : crawls) {
            long seed = c.seed();
            FitResult lm = c.lm();
            FitResult x = fit(LeastSquaresEstimator.Method.LM_X, c.problem(), c.start());
            assertTrue(x.objective() <= lm.objective() * (1 + 1e-6), seed + ": " + x.objective() + " vs " + lm.objective());
            assertTrue(x.evaluations() > lm.evaluations(), seed + ": no move tried on a crawl");
            lower += x.objective() < lm.objective() * (1 - 1e-12) ? 1 : 0;
        }
        assertTrue(!crawls.isEmpty(), "no crawl among the seeds");
        assertTrue(lower > 0, "no move lowered a crawl's end point");
    }
}
