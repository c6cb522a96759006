package org.prefixmoe.estimation;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.prefixmoe.TestModels;
import org.prefixmoe.model.MixingMeasure;
import org.prefixmoe.model.TruthModel;
import org.prefixmoe.sampling.RandomStreams;
import org.prefixmoe.sampling.RegressionSampler;
import org.prefixmoe.simulation.Scenario;
import org.prefixmoe.simulation.ScenarioFiles;
import org.prefixmoe.simulation.Task;
import org.prefixmoe.simulation.Tasks;

/**
 * {@code lm-pair-s} (the pair's and the value-moment coordinates, switched on crawls) and {@code lm-pair-t} (the same
 * with a refused stop confirmed by {@code no-progress}), and their {@code trf} variants.
 */
class SwitchingCoordinatesTest {
    @Test
    void isNamed() {
        Crawls.assertNamed(LeastSquaresEstimator.Method.LM_PAIR_S, "lm-pair-s", 23);
        Crawls.assertNamed(LeastSquaresEstimator.Method.TRF_PAIR_S, "trf-pair-s", 24);
        Crawls.assertNamed(LeastSquaresEstimator.Method.LM_PAIR_T, "lm-pair-t", 25);
        Crawls.assertNamed(LeastSquaresEstimator.Method.TRF_PAIR_T, "trf-pair-t", 26);
        Crawls.assertNamed(LeastSquaresEstimator.Method.LM_PAIR_U, "lm-pair-u", 27);
        Crawls.assertNamed(LeastSquaresEstimator.Method.TRF_PAIR_U, "trf-pair-u", 28);
        assertEquals(LeastSquaresEstimator.Method.LM_PAIR_U, LeastSquaresEstimator.Method.TRF_PAIR_U.crawlPhase());
        Crawls.assertNamed(LeastSquaresEstimator.Method.LM_PAIR_W, "lm-pair-w", 29);
        Crawls.assertNamed(LeastSquaresEstimator.Method.TRF_PAIR_W, "trf-pair-w", 30);
        assertEquals(LeastSquaresEstimator.Method.LM_PAIR_W, LeastSquaresEstimator.Method.TRF_PAIR_W.crawlPhase());
        assertEquals(LeastSquaresEstimator.Method.LM_PAIR_S, LeastSquaresEstimator.Method.TRF_PAIR_S.crawlPhase());
        assertEquals(LeastSquaresEstimator.Method.LM_PAIR_T, LeastSquaresEstimator.Method.TRF_PAIR_T.crawlPhase());
    }

    /** Without value coordinates (shared-linear crawls) both are {@code lm-pair-c} bit for bit. */
    @Test
    void withoutValuesTheyAreLmPairC() {
        for (Crawls.Crawl c : Crawls.sharedLinear(3301, 3311)) {
            FitResult pairC = Crawls.fit(LeastSquaresEstimator.Method.LM_PAIR_C, c.problem(), c.start());
            Crawls.assertSameFit(pairC, Crawls.fit(LeastSquaresEstimator.Method.LM_PAIR_S, c.problem(), c.start()));
            Crawls.assertSameFit(pairC, Crawls.fit(LeastSquaresEstimator.Method.LM_PAIR_T, c.problem(), c.start()));
        }
    }

    /** A non-shared fit that converges without a crawl never switches: {@code lm-pair-c}'s bit for bit. */
    @Test
    void beforeItsFirstCrawlItIsLmPairC() {
        TruthModel tm = TestModels.defaultTruth("non-shared");
        FitProblem problem = FitProblem.of(tm, RegressionSampler.of(tm).sample(5_000, RandomStreams.stream(2912, 1)),
                tm.trueAtoms());
        MixingMeasure start = new NearTruthInitializer(tm.truth()).start(problem, RandomStreams.stream(2912, 2));
        FitResult pairC = Crawls.fit(LeastSquaresEstimator.Method.LM_PAIR_C, problem, start);
        assertTrue(pairC.converged() && pairC.iterations() < 40, pairC.iterations() + " " + pairC.stopReason());
        Crawls.assertSameFit(pairC, Crawls.fit(LeastSquaresEstimator.Method.LM_PAIR_S, problem, start));
    }

    /**
     * Two tasks of the peers' workload (shared-linear, n = 461, replicates 0 and 2): {@code trf-pair-t} ends where
     * {@code trf-pair-s} ends, bit for bit; in replicate 0 {@code trf-pair-s} refused an {@code objective-change} stop
     * and then found no lower trial ({@code no-progress}), which {@code trf-pair-t} reports as the refused stop; in
     * replicate 2 no stop was refused before the {@code no-progress}, which both report. (The tasks are built by the
     * simulation package from the committed scenario file, as {@code simulate} builds them.)
     */
    @Test
    void aRefusedStopThatNothingImprovesIsTaken() throws Exception {
        Scenario s = ScenarioFiles.read(Path.of("simulations/peer-workload.yaml"));
        Tasks.Runner runner = Tasks.runner(s);
        String[] expected = {"objective-change", null, "no-progress"};
        for (int rep : new int[] {0, 2}) {
            Task task = Tasks.task(s, "shared-linear", 461, rep);
            Scenario.Study st = s.studies().get(task.study());
            FitProblem problem = runner.problem(task);
            NearTruthInitializer init = new NearTruthInitializer(st.truth().truth(), s.init().scale(), s.init().decay());
            FitResult[] fits = new FitResult[3];
            int k = 0;
            for (LeastSquaresEstimator.Method m : new LeastSquaresEstimator.Method[] {
                    LeastSquaresEstimator.Method.TRF_PAIR_S, LeastSquaresEstimator.Method.TRF_PAIR_T,
                    LeastSquaresEstimator.Method.TRF_PAIR_U}) {
                fits[k++] = Fitting.fitWithRestarts(
                        new LeastSquaresEstimator(LeastSquaresEstimator.Options.LEGACY_LM.withMethod(m)), problem, init,
                        s.init().restarts(), RandomStreams.stream(s.seed(), Task.code(st.name()), 461, rep, 1));
            }
            assertArrayEquals(fits[0].estimate().pack(), fits[1].estimate().pack());
            assertEquals(fits[0].iterations(), fits[1].iterations());
            assertEquals(fits[0].evaluations(), fits[1].evaluations());
            assertEquals("no-progress", fits[0].stopReason().label(), "replicate " + rep);
            assertEquals(expected[rep], fits[1].stopReason().label(), "replicate " + rep);
            // trf-pair-u: the same end again; a no-progress end is converged exactly when the certificate says so.
            assertArrayEquals(fits[0].estimate().pack(), fits[2].estimate().pack());
            boolean certified = GaussNewtonCertificate.of(problem, fits[2].estimate()).certified();
            String u = fits[1].stopReason() == StopReason.NO_PROGRESS && certified ? "objective-change"
                    : fits[1].stopReason().label();
            assertEquals(u, fits[2].stopReason().label(), "replicate " + rep + ", certified " + certified);
        }
    }

    /**
     * {@code finalReason}: {@code no-progress} after a refused stop is the refused stop ({@code -t}, {@code -u}); for
     * {@code -u} also where the model promises nothing (hand case: a zero gradient); a promise above the tolerance, or
     * any other method, keeps {@code no-progress}; other reasons are never changed.
     */
    @Test
    void finalReasonByHand() {
        double[] x = {0.0, 0.0};
        double[] a = {1, 0, 0, 1};
        double[] lo = {-1, -1};
        double[] hi = {1, 1};
        double[] none = {0.0, 0.0};
        double[] some = {-1.0, 0.0};   // promises 1/10 of ssr = 10
        LeastSquaresEstimator.Method u = LeastSquaresEstimator.Method.LM_PAIR_U;
        LeastSquaresEstimator.Method t = LeastSquaresEstimator.Method.LM_PAIR_T;
        LeastSquaresEstimator.Method c = LeastSquaresEstimator.Method.LM_PAIR_C;
        StopReason np = StopReason.NO_PROGRESS;
        StopReason oc = StopReason.OBJECTIVE_CHANGE;
        assertEquals(oc, u.finalReason(np, false, x, a, none, 10, lo, hi));
        assertEquals(np, u.finalReason(np, false, x, a, some, 10, lo, hi));
        assertEquals(oc, u.finalReason(np, true, x, a, some, 10, lo, hi));
        assertEquals(np, t.finalReason(np, false, x, a, none, 10, lo, hi));
        assertEquals(oc, t.finalReason(np, true, x, a, some, 10, lo, hi));
        assertEquals(np, c.finalReason(np, true, x, a, none, 10, lo, hi));
        assertEquals(StopReason.MAX_ITERATIONS, u.finalReason(StopReason.MAX_ITERATIONS, true, x, a, none, 10, lo, hi));
        LeastSquaresEstimator.Method w = LeastSquaresEstimator.Method.LM_PAIR_W;
        assertEquals(oc, w.finalReason(np, false, x, a, none, 10, lo, hi));
        assertEquals(np, w.finalReason(np, false, x, a, some, 10, lo, hi));
        assertEquals(oc, w.finalReason(np, true, x, a, some, 10, lo, hi));
    }

    /**
     * {@code refusalInForce}: this step's refusal always; for {@code -w} an earlier one also across a step that lowered
     * the objective by at most the tolerance (relative), not across a larger one; for the others never.
     */
    @Test
    void refusalInForceByHand() {
        LeastSquaresEstimator.Method w = LeastSquaresEstimator.Method.LM_PAIR_W;
        LeastSquaresEstimator.Method u = LeastSquaresEstimator.Method.LM_PAIR_U;
        assertTrue(w.refusalInForce(true, false, 1.0, 0.5, 1e-10));
        assertTrue(w.refusalInForce(false, true, 1.0, 1.0 - 5e-11, 1e-10));
        assertTrue(!w.refusalInForce(false, true, 1.0, 1.0 - 2e-10, 1e-10));
        assertTrue(!w.refusalInForce(false, false, 1.0, 1.0, 1e-10));
        assertTrue(u.refusalInForce(true, false, 1.0, 0.5, 1e-10));
        assertTrue(!u.refusalInForce(false, true, 1.0, 1.0, 1e-10));
    }
}
