package org.prefixmoe.simulation;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import org.apache.commons.rng.UniformRandomProvider;
import org.prefixmoe.estimation.Estimator;
import org.prefixmoe.estimation.Estimators;
import org.prefixmoe.estimation.FitProblem;
import org.prefixmoe.estimation.FitResult;
import org.prefixmoe.estimation.Fitting;
import org.prefixmoe.estimation.GaussNewtonCertificate;
import org.prefixmoe.estimation.Initializer;
import org.prefixmoe.estimation.LeastSquaresEstimator;
import org.prefixmoe.estimation.NearTruthInitializer;
import org.prefixmoe.estimation.RandomInitializer;
import org.prefixmoe.estimation.StopReason;
import org.prefixmoe.loss.CellErrors;
import org.prefixmoe.loss.RegressionError;
import org.prefixmoe.loss.VoronoiLoss;
import org.prefixmoe.model.MixingMeasure;
import org.prefixmoe.model.PrefixModel;
import org.prefixmoe.model.TruthModel;
import org.prefixmoe.sampling.Dataset;
import org.prefixmoe.sampling.RandomStreams;
import org.prefixmoe.sampling.RegressionSampler;
import org.prefixmoe.sampling.Sampler;
import org.prefixmoe.sampling.Samplers;

/**
 * The tasks of a scenario and the pure function that computes one task's row (docs/theory.md §6). This is
 * what every engine runs: the threaded {@link Engine}, a shard of a study, or an executor of a
 * cluster that rebuilt the scenario from its text
 * ({@link ScenarioFiles#parse(String, java.nio.file.Path)}).
 *
 * <pre>{@code
 * Scenario s = ScenarioFiles.read(Path.of("simulations/main.yaml"));
 * Tasks.Runner runner = Tasks.runner(s);            // prepares estimator, sampler, evaluation inputs
 * for (Task t : Tasks.missing(s, rowsSoFar)) {      // resume: only the tasks without a row
 *     ResultRow row = runner.run(t);                // deterministic: same row on any machine
 * }
 * }</pre>
 *
 * <p>Reproducibility: task (study s, n, replicate k) draws its data from
 * {@code RandomStreams.stream(seed, code(s), n, k, 0)} and its starts from
 * {@code stream(seed, code(s), n, k, 1)}, where {@code code} is {@link Task#code} of the study
 * name; the fresh inputs of the regression error are drawn once per scenario from
 * {@code stream(seed, EVAL)} (the same inputs for every study and task). A row depends on the
 * scenario and the task's coordinates only, never on the thread, machine or order it runs in:
 * all columns but {@link ResultRow#TIMING_COLUMNS} are bit-identical wherever it runs.
 *
 * <p>A fit that throws is a row with status {@code failed} and its message; running a task
 * never throws for a failed fit.
 */
public final class Tasks {
    /** Stream coordinate of the fresh evaluation inputs. */
    static final long EVAL = 0x4556414CL;

    private Tasks() {
    }

    /**
     * All tasks of a scenario in the canonical order: by study (as declared), then n (increasing),
     * then replicate. The order is deterministic, so a shard can be a slice of it.
     *
     * @param s the scenario
     * @return the tasks, an unmodifiable list of {@link Scenario#taskCount()} tasks
     */
    public static List<Task> all(Scenario s) {
        java.util.Objects.requireNonNull(s, "scenario");
        List<Task> out = new ArrayList<>();
        for (int i = 0; i < s.studies().size(); i++) {
            for (int n : s.sizes()) {
                for (int k = 0; k < s.replicates(); k++) {
                    out.add(new Task(i, s.studies().get(i).name(), n, k));
                }
            }
        }
        return List.copyOf(out);
    }

    /**
     * The tasks of {@code s} without a row among {@code existing} (resume), in canonical order.
     * Rows of tasks outside the scenario's grid are ignored (a full run's rows resume its
     * {@code --quick} grid and vice versa); rows of other settings are refused.
     *
     * @param s the scenario
     * @param existing rows already computed (e.g. {@link ResultsFile#read}); not modified
     * @return the missing tasks, unmodifiable
     * @throws IllegalArgumentException if a row carries another scenario fingerprint
     */
    public static List<Task> missing(Scenario s, Collection<ResultRow> existing) {
        java.util.Objects.requireNonNull(s, "scenario");
        java.util.Objects.requireNonNull(existing, "existing");
        Set<String> done = new HashSet<>();
        for (ResultRow r : existing) {
            if (!r.fingerprint().equals(s.fingerprint())) {
                throw new IllegalArgumentException("rows: a row of task " + r.key() + " has scenario settings "
                        + r.fingerprint() + " but scenario " + s.name() + " has " + s.fingerprint());
            }
            done.add(r.key());
        }
        return all(s).stream().filter(t -> !done.contains(t.key())).toList();
    }

    /**
     * The task of a scenario named by its study, n and replicate (as in a results row).
     *
     * @param s the scenario
     * @param study the study's name
     * @param n the sample size
     * @param replicate the replicate, from 0
     * @return the task
     * @throws IllegalArgumentException if the scenario has no such study or n (naming the studies)
     */
    public static Task task(Scenario s, String study, int n, int replicate) {
        List<String> names = new ArrayList<>();
        for (int i = 0; i < s.studies().size(); i++) {
            if (s.studies().get(i).name().equals(study)) {
                Task t = new Task(i, study, n, replicate);
                check(s, t);
                return t;
            }
            names.add(s.studies().get(i).name());
        }
        throw new IllegalArgumentException("study: no study '" + study + "' in scenario " + s.name() + " (studies: "
                + String.join(", ", names) + ")");
    }

    /**
     * Runs one task of a scenario: draws its data, fits, computes the losses. Prepares the
     * scenario's shared objects on each call; to run many tasks, use {@link #runner(Scenario)}.
     *
     * @param s the scenario
     * @param task a task of {@code s} (as listed by {@link #all})
     * @return the task's row
     * @throws IllegalArgumentException if the task is not one of the scenario's
     */
    public static ResultRow run(Scenario s, Task task) {
        java.util.Objects.requireNonNull(s, "scenario");
        java.util.Objects.requireNonNull(task, "task");
        return runner(s).run(task);
    }

    /**
     * One task recomputed with what it drew and fitted, to inspect a row of a results file: the
     * row (identical to the one a study run writes, timing aside), the task's data set and its fit.
     *
     * @param row the task's row
     * @param data the data set the task drew (null if drawing failed)
     * @param fit the fit (null if the task failed before a fit returned)
     */
    public record Replay(ResultRow row, Dataset data, FitResult fit) {
    }

    /**
     * Recomputes one task of a scenario from its coordinates, keeping its data and fit: the same
     * random streams and code path as a study run, so the row's deterministic columns
     * ({@link ResultRow#deterministicValues()}) equal the ones the study wrote.
     *
     * @param s the scenario
     * @param task a task of {@code s}
     * @return the row, the data and the fit
     * @throws IllegalArgumentException if the task is not one of the scenario's
     */
    public static Replay replay(Scenario s, Task task) {
        java.util.Objects.requireNonNull(s, "scenario");
        java.util.Objects.requireNonNull(task, "task");
        check(s, task);
        Object[] kept = new Object[2];
        ResultRow row = runTask(s, prepare(s).get(task.study()), task, kept);
        return new Replay(row, (Dataset) kept[0], (FitResult) kept[1]);
    }

    /**
     * A runner for the tasks of {@code s}: the estimator, initializer, sampler and evaluation
     * inputs are prepared once and shared, read-only, by every task.
     *
     * @param s the scenario
     * @return a thread-safe runner
     */
    public static Runner runner(Scenario s) {
        java.util.Objects.requireNonNull(s, "scenario");
        return new Runner(s);
    }

    /** Runs tasks of one scenario; thread-safe (tasks share only read-only objects). */
    public static final class Runner {
        private final Scenario scenario;
        private final List<Prepared> prepared;

        private Runner(Scenario s) {
            this.scenario = s;
            this.prepared = prepare(s);
        }

        /** {@return the scenario whose tasks this runs} */
        public Scenario scenario() {
            return scenario;
        }

        /**
         * Computes one task's row.
         *
         * @param task a task of the scenario (as listed by {@link Tasks#all})
         * @return the row; a failed fit is a row with status {@code failed}
         * @throws IllegalArgumentException if the task is not one of the scenario's
         */
        public ResultRow run(Task task) {
            check(scenario, task);
            return runTask(scenario, prepared.get(task.study()), task, null);
        }

        /**
         * The fit problem of one task: its data set, drawn from the task's own random stream, with the study's fitted
         * model, L and box; what the task's fit and its certificate are computed on. For studies of the solver on the
         * tasks of a scenario (the start is drawn from the stream {@code RandomStreams.stream(seed, Task.code(study),
         * n, replicate, 1)}).
         *
         * @param task a task of the scenario (as listed by {@link Tasks#all})
         * @return its problem
         * @throws IllegalArgumentException if the task is not one of the scenario's
         */
        public FitProblem problem(Task task) {
            check(scenario, task);
            Prepared p = prepared.get(task.study());
            return Tasks.problem(scenario, p, task);
        }

        /**
         * A row of this scenario with its {@code gauss_newton_decrement} computed from its stored estimate, without
         * refitting: the task's data set is drawn again from its random stream and the certificate
         * ({@link GaussNewtonCertificate#of}) taken at the estimate, the same bits as the run that wrote the row
         * computes (one pass). For rows of results files older than the column; a row that already has a decrement,
         * a failed fit, an estimator other than least squares or a row without a stored estimate is returned as it is.
         *
         * @param row a row of this scenario (its fingerprint)
         * @return the row, with the decrement where it can be computed
         * @throws IllegalArgumentException if the row is of other settings or names no task of the scenario
         */
        public ResultRow certified(ResultRow row) {
            if (!row.fingerprint().equals(scenario.fingerprint())) {
                throw new IllegalArgumentException("row " + row.key() + ": scenario settings " + row.fingerprint()
                        + ", but scenario " + scenario.name() + " has " + scenario.fingerprint());
            }
            Optional<MixingMeasure> g = row.estimate();
            if (!row.ok() || g.isEmpty() || !Double.isNaN(row.gaussNewtonDecrement())) {
                return row;
            }
            Task task = task(scenario, row.study(), row.n(), row.replicate());
            Prepared p = prepared.get(task.study());
            if (!(p.estimator() instanceof LeastSquaresEstimator)) {
                return row;
            }
            ResultRow out = new ResultRow(row.values());
            out.set("gauss_newton_decrement", decrement(p, problem(task), g.get()));
            return out;
        }
    }

    /**
     * The task's fit problem: its data set, drawn from the task's own random stream, with the study's fitted model, L
     * and box. Where the sampler computes the pretrained part for the responses and the fitted model has the same
     * pretrained experts, the problem takes that part instead of evaluating the experts again (the same bits).
     */
    private static FitProblem problem(Scenario s, Prepared p, Task t) {
        UniformRandomProvider rng = RandomStreams.stream(s.seed(), Task.code(p.study().name()), t.n(), t.replicate(), 0);
        Scenario.Study st = p.study();
        PrefixModel fitted = st.fitted().model();
        if (p.sampler() instanceof RegressionSampler regression) {
            RegressionSampler.Drawn drawn = regression.draw(t.n(), rng);
            return new FitProblem(fitted, drawn.data(), st.atoms(), st.fitted().box(),
                    drawn.experts() == fitted.pretrained() ? drawn.pretrained() : null);
        }
        return new FitProblem(fitted, p.sampler().sample(t.n(), rng), st.atoms(), st.fitted().box());
    }

    /** The Gauss–Newton decrement at the estimate, for least-squares fits (NaN otherwise): one pass. */
    private static double decrement(Prepared p, FitProblem problem, MixingMeasure g) {
        return p.estimator() instanceof LeastSquaresEstimator ? GaussNewtonCertificate.of(problem, g).decrement()
                : Double.NaN;
    }

    private static void check(Scenario s, Task t) {
        if (t.study() < 0 || t.study() >= s.studies().size()
                || !s.studies().get(t.study()).name().equals(t.studyName())) {
            throw new IllegalArgumentException("task: " + t + " names no study of scenario " + s.name());
        }
        if (!s.sizes().contains(t.n())) {
            throw new IllegalArgumentException("task: n = " + t.n() + " is not a sample size of scenario " + s.name());
        }
        if (t.replicate() < 0 || t.replicate() >= s.replicates()) {
            throw new IllegalArgumentException("task: replicate " + t.replicate() + " is outside 0.."
                    + (s.replicates() - 1) + " of scenario " + s.name());
        }
    }

    /** Per-study objects shared (read-only) by its tasks. */
    private record Prepared(Scenario.Study study, Estimator estimator, Initializer initializer, Sampler sampler,
                            double[] evalX, RegressionError.On regression) {
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
            if (evalX != null && Arrays.equals(evalX, x)) {
                x = evalX; // share one copy when the studies have the same inputs
            }
            evalX = x;
            // The regression loss of every task against the same truth at the same inputs: the truth's
            // side computed once (the same bits as RegressionError.l2).
            RegressionError.On regression = s.records("regression")
                    ? RegressionError.on(st.fitted().model(), truth.model(), truth.truth(), x) : null;
            out.add(new Prepared(st, est, init, sampler, x, regression));
        }
        return List.copyOf(out);
    }

    /** One task's row; {@code kept}, when not null, receives the data set and the fit. */
    private static ResultRow runTask(Scenario s, Prepared p, Task t, Object[] kept) {
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
            FitProblem problem = problem(s, p, t);
            if (kept != null) {
                kept[0] = problem.data();
            }
            UniformRandomProvider initRng = RandomStreams.stream(s.seed(), code, t.n(), t.replicate(), 1);
            FitResult fit = Fitting.fitWithRestarts(p.estimator(), problem, p.initializer(), s.init().restarts(),
                    initRng);
            if (kept != null) {
                kept[1] = fit;
            }
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
                    row.set("regression", p.regression().l2(g));
                }
                if (s.records("cells")) {
                    CellErrors c = CellErrors.of(g, truth);
                    row.set("single", c.single());
                    row.set("multi", c.multi());
                    row.set("multi_weighted", c.multiWeighted());
                    row.set("empty_cells", c.emptyCells());
                    row.set("redundancy", c.redundancy().label());
                }
                if (s.storesEstimates(st)) {
                    row.set("estimate", ResultRow.formatEstimate(g));
                }
                // Whether the fit's own model still promised a lower objective: from the solver's last pass at the
                // estimate where it reports one, else one pass.
                row.set("gauss_newton_decrement", Double.isNaN(fit.gaussNewtonDecrement())
                        ? decrement(p, problem, g) : fit.gaussNewtonDecrement());
            } else {
                row.set("message", "the objective became non-finite or the linear algebra failed");
            }
        } catch (RuntimeException e) {
            row.set("status", "failed");
            row.set("stop_reason", StopReason.FAILED.label());
            row.set("converged", false);
            String msg = e.getClass().getSimpleName() + ": " + e.getMessage();
            msg = msg.replaceAll("[\\p{Cntrl}]+", " ");
            row.set("message", msg.length() <= ResultRow.MAX_MESSAGE ? msg
                    : msg.substring(0, ResultRow.MAX_MESSAGE - 3) + "...");
        }
        row.set("seconds", String.format(Locale.ROOT, "%.4f", (System.nanoTime() - t0) / 1e9));
        return row;
    }
}
