package org.prefixmoe.estimation;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.prefixmoe.estimation.Crawls.fit;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.prefixmoe.model.MixingMeasure;

/** The {@code trf-lm} method: {@code trf} until the first crawl, then {@code lm}. */
class TrfLmTest {
    /** A fit that never crawls is {@code trf}'s bit for bit; the method is named and coded. */
    @Test
    void withoutACrawlItIsTrfBitForBit() {
        Crawls.Crawl c = Crawls.noCrawl();
        FitProblem problem = c.problem();
        MixingMeasure start = c.start();
        Crawls.assertSameFit(fit(LeastSquaresEstimator.Method.TRF, problem, start),
                fit(LeastSquaresEstimator.Method.TRF_LM, problem, start));
        Crawls.assertNamed(LeastSquaresEstimator.Method.TRF_LM, "trf-lm", 10);
    }

    /**
     * On crawls the second phase is {@code lm} from where {@code trf} began to crawl: the fit equals {@code lm}'s
     * from that point (rebuilt by running {@code trf} with the cap at the switch), with the iterations and
     * passes of both phases summed, converged, and within the cap.
     */
    @Test
    void onACrawlTheTailIsLmFromTheSwitchPoint() {
        List<Crawls.Crawl> crawls = Crawls.sharedLinear(2913, 2933);
        assertTrue(!crawls.isEmpty(), "no crawl among the seeds");
        int switched = 0;
        for (Crawls.Crawl c : crawls) {
            FitResult hybrid = fit(LeastSquaresEstimator.Method.TRF_LM, c.problem(), c.start());
            FitResult trf = fit(LeastSquaresEstimator.Method.TRF, c.problem(), c.start());
            assertTrue(hybrid.iterations() <= LeastSquaresEstimator.Options.DEFAULT.maxIterations());
            if (hybrid.iterations() == trf.iterations() && hybrid.evaluations() == trf.evaluations()) {
                continue; // trf ended before crawling ten steps
            }
            switched++;
            // With the cap at the switch iteration k, trf-lm cannot switch (no iterations left) and ends at trf's
            // point there; lm from that point must then give the whole fit bit for bit. No smaller cap does.
            int k = 1;
            FitResult head = null;
            for (; k < hybrid.iterations(); k++) {
                FitResult capped = new LeastSquaresEstimator(LeastSquaresEstimator.Options.DEFAULT
                        .withMethod(LeastSquaresEstimator.Method.TRF_LM).withMaxIterations(k)).fit(c.problem(), c.start());
                if (capped.stopReason() == StopReason.MAX_ITERATIONS && capped.iterations() == k
                        && fit(LeastSquaresEstimator.Method.LM, c.problem(), capped.estimate()).objective()
                        == hybrid.objective()) {
                    head = capped;
                    break;
                }
            }
            assertTrue(head != null, c.seed() + ": no switch point reproduces the fit");
            FitResult tail = fit(LeastSquaresEstimator.Method.LM, c.problem(), head.estimate());
            assertArrayEquals(hybrid.estimate().pack(), tail.estimate().pack(), c.seed() + "");
            assertEquals(k + tail.iterations(), hybrid.iterations(), c.seed() + "");
            assertNotEquals(hybrid.objective(), trf.objective(), c.seed() + ": the tail changed nothing");
        }
        assertTrue(switched > 0, "no fit switched to lm");
    }
}
