package org.prefixmoe.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.commons.rng.UniformRandomProvider;
import org.prefixmoe.estimation.Estimator;
import org.prefixmoe.estimation.Estimators;
import org.prefixmoe.estimation.FitProblem;
import org.prefixmoe.estimation.FitResult;
import org.prefixmoe.estimation.Fitting;
import org.prefixmoe.estimation.Initializer;
import org.prefixmoe.estimation.NearTruthInitializer;
import org.prefixmoe.loss.CellErrors;
import org.prefixmoe.loss.RegressionError;
import org.prefixmoe.loss.VoronoiLoss;
import org.prefixmoe.model.MixingMeasure;
import org.prefixmoe.model.TruthModel;
import org.prefixmoe.sampling.Dataset;
import org.prefixmoe.sampling.RandomStreams;
import org.prefixmoe.sampling.RegressionSampler;
import org.prefixmoe.sampling.Sampler;
import org.prefixmoe.sampling.Samplers;
import org.prefixmoe.simulation.Scenario;
import org.prefixmoe.simulation.ScenarioFiles;
import org.prefixmoe.simulation.Task;
import org.prefixmoe.simulation.Tasks;

/**
 * One task of a scenario as {@code PeerWorkload} runs it (sampling, the fit, the losses), timed in
 * thread CPU time, for {@link PeerAb}, which loads this class once per configuration in its own class
 * loader and calls it through reflection. Static state: one scenario per loader.
 */
public final class PeerTaskRunner {
    private static Scenario scenario;
    private static Estimator estimator;
    private static List<Task> tasks;
    private static double[] evalX;
    private static Tasks.Runner runner;

    private PeerTaskRunner() {
    }

    /**
     * Reads the scenario and lists every {@code stride}-th task.
     *
     * @param file the scenario file
     * @param stride keep every stride-th task
     * @return the number of tasks kept
     */
    public static int init(String file, int stride) {
        scenario = ScenarioFiles.read(Path.of(file));
        estimator = Estimators.create(scenario.estimator(), scenario.solver());
        List<Task> all = Tasks.all(scenario);
        tasks = new ArrayList<>();
        for (int i = 0; i < all.size(); i += stride) {
            tasks.add(all.get(i));
        }
        runner = Tasks.runner(scenario);
        Scenario.Study st0 = scenario.studies().get(0);
        evalX = new RegressionSampler(st0.truth().model(), st0.truth().truth(), 0, st0.truth().input())
                .sample(scenario.evalSize(), RandomStreams.stream(scenario.seed(), 99)).x();
        return tasks.size();
    }

    /**
     * Runs task k of the kept ones as {@code simulate} does ({@link Tasks.Runner#run}: sampling, fit,
     * losses, the row), timed as one.
     *
     * @param k the task
     * @return 0, thread CPU ns of the whole task, 0, iterations, evaluations, a hash of the row's
     *     deterministic values
     */
    public static long[] runRow(int k) {
        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        long t0 = mx.getCurrentThreadCpuTime();
        org.prefixmoe.simulation.ResultRow row = runner.run(tasks.get(k));
        long t1 = mx.getCurrentThreadCpuTime();
        return new long[] {0, t1 - t0, 0, (long) row.number("iterations"), (long) row.number("evaluations"),
                row.deterministicValues().hashCode()};
    }

    /**
     * Runs task k of the kept ones.
     *
     * @param k the task
     * @return thread CPU ns of sampling, fit, losses; iterations; evaluations; a hash of the
     *     estimate's bits, the objective's and the losses'
     */
    public static long[] run(int k) {
        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        Scenario s = scenario;
        Task t = tasks.get(k);
        Scenario.Study st = s.studies().get(t.study());
        TruthModel truth = st.truth();
        long code = Task.code(st.name());
        long t0 = mx.getCurrentThreadCpuTime();
        Sampler sampler = Samplers.byName(s.sampler(), truth.model(), truth.truth(), truth.sigma(), truth.input());
        Dataset data = sampler.sample(t.n(), RandomStreams.stream(s.seed(), code, t.n(), t.replicate(), 0));
        long t1 = mx.getCurrentThreadCpuTime();
        UniformRandomProvider initRng = RandomStreams.stream(s.seed(), code, t.n(), t.replicate(), 1);
        Initializer init = new NearTruthInitializer(truth.truth(), s.init().scale(), s.init().decay());
        FitProblem problem = new FitProblem(st.fitted().model(), data, st.atoms(), st.fitted().box());
        FitResult fit = Fitting.fitWithRestarts(estimator, problem, init, s.init().restarts(), initRng);
        long t2 = mx.getCurrentThreadCpuTime();
        MixingMeasure g = fit.estimate();
        double d1 = VoronoiLoss.d1(g, truth.truth());
        double d2 = VoronoiLoss.d2(g, truth.truth(), s.r());
        double l2 = RegressionError.l2(st.fitted().model(), g, truth.model(), truth.truth(), evalX);
        CellErrors c = CellErrors.of(g, truth.truth());
        long t3 = mx.getCurrentThreadCpuTime();
        long hash = Arrays.hashCode(g.pack());
        hash = 31 * hash + Double.hashCode(fit.objective());
        hash = 31 * hash + Double.hashCode(d1) + 17 * Double.hashCode(d2) + 13 * Double.hashCode(l2)
                + 7 * Double.hashCode(c.multiWeighted()) + fit.stopReason().ordinal();
        return new long[] {t1 - t0, t2 - t1, t3 - t2, fit.iterations(), fit.evaluations(), hash};
    }
}
