package org.prefixmoe.simulation;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorCompletionService;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.apache.commons.rng.UniformRandomProvider;
import org.prefixmoe.estimation.Estimator;
import org.prefixmoe.estimation.Estimators;
import org.prefixmoe.estimation.FitProblem;
import org.prefixmoe.estimation.FitResult;
import org.prefixmoe.estimation.Fitting;
import org.prefixmoe.estimation.Initializer;
import org.prefixmoe.estimation.NearTruthInitializer;
import org.prefixmoe.estimation.RandomInitializer;
import org.prefixmoe.estimation.StopReason;
import org.prefixmoe.model.TruthModel;
import org.prefixmoe.loss.CellErrors;
import org.prefixmoe.loss.RegressionError;
import org.prefixmoe.loss.VoronoiLoss;
import org.prefixmoe.model.MixingMeasure;
import org.prefixmoe.sampling.Dataset;
import org.prefixmoe.sampling.RandomStreams;
import org.prefixmoe.sampling.RegressionSampler;
import org.prefixmoe.sampling.Sampler;
import org.prefixmoe.sampling.Samplers;

/**
 * The Monte Carlo engine (SPEC §6): runs every (study, n, replicate) task of a scenario on a
 * fixed thread pool and appends one row per task to a {@link ResultsFile} as tasks finish.
 *
 * <p>Reproducibility: task (study s, n, replicate k) draws its data from
 * {@code RandomStreams.stream(seed, code(s), n, k, 0)} and its starts from
 * {@code stream(seed, code(s), n, k, 1)}, where {@code code} is a hash of the study name; the
 * fresh inputs of the regression error are drawn once per scenario from {@code stream(seed,
 * EVAL)} (the same inputs for every study and task). Nothing depends on the thread or order, so
 * rows are bit-identical (all but the timing column) for any number of threads, and a resumed
 * run computes exactly the rows an uninterrupted one would.
 *
 * <p>A fit that throws is recorded as a row with status {@code failed} and its message; it never
 * stops the run.
 */
public final class Engine {
    /** Stream coordinate of the fresh evaluation inputs. */
    static final long EVAL = 0x4556414CL;

    private final int threads;
    private final PrintStream progress;

    /**
     * @param threads worker threads (at least 1)
     * @param progress where the progress bar goes (stderr), or null for none
     */
    public Engine(int threads, PrintStream progress) {
        if (threads < 1) {
            throw new IllegalArgumentException("--threads: must be at least 1, got " + threads);
        }
        this.threads = threads;
        this.progress = progress;
    }

    /**
     * What a run did.
     *
     * @param results the results file
     * @param tasks tasks in the scenario
     * @param skipped tasks already in the file (resumed)
     * @param ran tasks computed now
     * @param failed failed fits among those
     * @param capped fits that stopped at the iteration cap among those
     * @param seconds wall time
     */
    public record Report(Path results, long tasks, long skipped, long ran, long failed, long capped, double seconds) {
        /** Fits per second of wall time in this run. */
        public double fitsPerSecond() {
            return ran / Math.max(seconds, 1e-9);
        }
    }

    /** Per-study objects shared (read-only) by its tasks. */
    private record Prepared(Scenario.Study study, Estimator estimator, Initializer initializer, Sampler sampler,
                            double[] evalX) {
    }

    /** All tasks of a scenario, in a canonical order (study, n, replicate). */
    public static List<Task> tasks(Scenario s) {
        List<Task> out = new ArrayList<>();
        for (int i = 0; i < s.studies().size(); i++) {
            for (int n : s.sizes()) {
                for (int k = 0; k < s.replicates(); k++) {
                    out.add(new Task(i, s.studies().get(i).name(), n, k));
                }
            }
        }
        return out;
    }

    /** Runs the tasks of {@code s} missing from {@code resultsFile}. */
    public Report run(Scenario s, Path resultsFile) {
        return run(s, resultsFile, tasks(s));
    }

    /**
     * Runs those of {@code tasks} (a subset of {@code tasks(s)}, e.g. one of {@link Shards}) that
     * are missing from {@code resultsFile}.
     */
    public Report run(Scenario s, Path resultsFile, List<Task> tasks) {
        long t0 = System.nanoTime();
        List<Prepared> prepared = prepare(s);
        try (ResultsFile out = ResultsFile.open(resultsFile, s.fingerprint())) {
            List<Task> todo = new ArrayList<>();
            List<Task> all = tasks;
            for (Task t : all) {
                if (!out.has(t)) {
                    todo.add(t);
                }
            }
            // Largest n first: the long fits start early, so the pool drains evenly at the end.
            todo.sort(Comparator.comparingInt(Task::n).reversed().thenComparingInt(Task::study)
                    .thenComparingInt(Task::replicate));
            double work = todo.stream().mapToDouble(Task::n).sum();
            Progress bar = new Progress(progress, todo.size(), work);
            long failed = 0;
            long capped = 0;
            ExecutorService pool = Executors.newFixedThreadPool(threads, r -> {
                Thread th = new Thread(r, "prefixmoe-task");
                th.setDaemon(true);
                return th;
            });
            try {
                ExecutorCompletionService<ResultRow> cs = new ExecutorCompletionService<>(pool);
                for (Task t : todo) {
                    cs.submit(() -> runTask(s, prepared.get(t.study()), t));
                }
                for (int i = 0; i < todo.size(); i++) {
                    Future<ResultRow> f = cs.take();
                    ResultRow row = f.get();
                    out.append(row);
                    failed += row.ok() ? 0 : 1;
                    capped += row.get("stop_reason").equals(StopReason.MAX_ITERATIONS.label()) ? 1 : 0;
                    bar.step(Integer.parseInt(row.get("n")), row.ok());
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted", e);
            } catch (ExecutionException e) {
                throw new IllegalStateException("task crashed: " + e.getCause(), e.getCause());
            } finally {
                pool.shutdownNow();
            }
            return new Report(resultsFile, all.size(), all.size() - todo.size(), todo.size(), failed, capped,
                    (System.nanoTime() - t0) / 1e9);
        }
    }

    private static List<Prepared> prepare(Scenario s) {
        List<Prepared> out = new ArrayList<>();
        double[] evalX = null;
        for (Scenario.Study st : s.studies()) {
            TruthModel truth = st.truth();
            Estimator est = Estimators.create(s.estimator(), s.solver());
            Initializer init = s.init().strategy().equals(NearTruthInitializer.NAME)
                    ? new NearTruthInitializer(truth.truth(), s.init().scale(), s.init().decay())
                    : new RandomInitializer();
            Sampler sampler = Samplers.byName(s.sampler(), truth.model(), truth.truth(), truth.sigma(), truth.input());
            double[] x = new RegressionSampler(truth.model(), truth.truth(), 0, truth.input())
                    .sample(s.evalSize(), RandomStreams.stream(s.seed(), EVAL)).x();
            if (evalX != null && java.util.Arrays.equals(evalX, x)) {
                x = evalX; // share one copy when the studies have the same inputs
            }
            evalX = x;
            out.add(new Prepared(st, est, init, sampler, x));
        }
        return out;
    }

    /** Runs one task; never throws for a failed fit (the row says {@code failed}). */
    private static ResultRow runTask(Scenario s, Prepared p, Task t) {
        long t0 = System.nanoTime();
        Scenario.Study st = p.study();
        ResultRow row = ResultRow.blank();
        row.set("scenario", s.name());
        row.set("fingerprint", s.fingerprint());
        row.set("study", st.name());
        row.set("parameterization", st.fitted().model().parameterization().name());
        row.set("L", st.atoms());
        row.set("L_star", st.truth().trueAtoms());
        row.set("n", t.n());
        row.set("replicate", t.replicate());
        row.set("estimator", p.estimator().name());
        row.set("init", p.initializer().name());
        long code = Task.code(st.name());
        try {
            Dataset data = p.sampler().sample(t.n(), RandomStreams.stream(s.seed(), code, t.n(), t.replicate(), 0));
            UniformRandomProvider initRng = RandomStreams.stream(s.seed(), code, t.n(), t.replicate(), 1);
            FitProblem problem = new FitProblem(st.fitted().model(), data, st.atoms(), st.fitted().box());
            FitResult fit = Fitting.fitWithRestarts(p.estimator(), problem, p.initializer(), s.init().restarts(),
                    initRng);
            MixingMeasure g = fit.estimate();
            MixingMeasure truth = st.truth().truth();
            boolean failed = fit.stopReason() == StopReason.FAILED;
            row.set("status", failed ? "failed" : "ok");
            row.set("stop_reason", fit.stopReason().label());
            row.set("converged", fit.converged());
            row.set("iterations", fit.iterations());
            row.set("evaluations", fit.evaluations());
            row.set("objective", fit.objective());
            row.set("noise_variance", fit.noiseVariance());
            if (!failed) {
                if (s.records("d1")) {
                    row.set("d1", VoronoiLoss.d1(g, truth));
                }
                if (s.records("d2")) {
                    row.set("d2", VoronoiLoss.d2(g, truth, s.r()));
                }
                if (s.records("regression")) {
                    row.set("regression", RegressionError.l2(st.fitted().model(), g, st.truth().model(), truth,
                            p.evalX()));
                }
                if (s.records("cells")) {
                    CellErrors c = CellErrors.of(g, truth);
                    row.set("single", c.single());
                    row.set("multi", c.multi());
                    row.set("multi_weighted", c.multiWeighted());
                    row.set("empty_cells", c.emptyCells());
                    row.set("redundancy", c.redundancy().label());
                }
            } else {
                row.set("message", "the objective became non-finite or the linear algebra failed");
            }
        } catch (RuntimeException e) {
            row.set("status", "failed");
            row.set("stop_reason", StopReason.FAILED.label());
            row.set("converged", false);
            String msg = e.getClass().getSimpleName() + ": " + e.getMessage();
            row.set("message", msg.replaceAll("[\\r\\n]+", " "));
        }
        row.set("seconds", String.format(java.util.Locale.ROOT, "%.4f", (System.nanoTime() - t0) / 1e9));
        return row;
    }
}
