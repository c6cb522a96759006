package org.prefixmoe.simulation;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.prefixmoe.estimation.FitProblem;
import org.prefixmoe.estimation.FitResult;
import org.prefixmoe.estimation.Fitting;
import org.prefixmoe.estimation.LeastSquaresEstimator;
import org.prefixmoe.estimation.NearTruthInitializer;
import org.prefixmoe.sampling.RandomStreams;

/**
 * {@code trf-pair-m} on a crawl of the peers' workload (non-shared, n = 4,714, replicate 6): where {@code trf-pair-g}'s
 * finish walks a bent valley for about 1,800 iterations, the profile walk ends at least as low in a third of them.
 */
class ProfileWalkWorkloadTest {
    @Test
    void theProfileWalkFinishesALongCrawlLowerAndSooner() {
        Scenario s = ScenarioFiles.read(Path.of("simulations/peer-workload.yaml"));
        Task task = Tasks.all(s).stream().filter(t -> t.studyName().equals("non-shared") && t.n() == 4714
                && t.replicate() == 6).findFirst().orElseThrow();
        FitProblem problem = Tasks.runner(s).problem(task);
        Scenario.Study st = s.studies().get(task.study());
        NearTruthInitializer init = new NearTruthInitializer(st.truth().truth(), s.init().scale(), s.init().decay());
        LeastSquaresEstimator.Options g = LeastSquaresEstimator.Options.DEFAULT
                .withMethod(LeastSquaresEstimator.Method.TRF_PAIR_G);
        // As simulate fits the task: its start from its own stream.
        FitResult byG = Fitting.fitWithRestarts(new LeastSquaresEstimator(g, 1), problem, init, s.init().restarts(),
                RandomStreams.stream(s.seed(), Task.code(st.name()), task.n(), task.replicate(), 1));
        FitResult byM = Fitting.fitWithRestarts(new LeastSquaresEstimator(g.withMethod(
                LeastSquaresEstimator.Method.TRF_PAIR_M), 1), problem, init, s.init().restarts(),
                RandomStreams.stream(s.seed(), Task.code(st.name()), task.n(), task.replicate(), 1));
        assertTrue(byG.converged() && byM.converged(), byG.stopReason() + " " + byM.stopReason());
        assertTrue(byG.iterations() > 1_500, "a long crawl for trf-pair-g: " + byG.iterations());
        assertTrue(byM.objective() <= byG.objective() * (1 + 1e-12), byG.objective() + " vs " + byM.objective());
        assertTrue(3 * byM.iterations() < byG.iterations(), byG.iterations() + " vs " + byM.iterations());
    }
}
