package org.prefixmoe.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
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
import org.prefixmoe.estimation.LeastSquaresEstimator;
import org.prefixmoe.estimation.NearTruthInitializer;
import org.prefixmoe.io.DatasetCsv;
import org.prefixmoe.io.ModelFiles;
import org.prefixmoe.model.Evaluator;
import org.prefixmoe.model.MixingMeasure;
import org.prefixmoe.model.TruthModel;
import org.prefixmoe.sampling.Dataset;
import org.prefixmoe.sampling.RandomStreams;
import org.prefixmoe.simulation.Scenario;
import org.prefixmoe.simulation.ScenarioFiles;
import org.prefixmoe.simulation.Task;
import org.prefixmoe.simulation.Tasks;

/**
 * The toolkit's side of {@code bench/cap/peer_scipy.py} (docs/solver-flat-sets.md, "Where {@code trf-pair-c}'s fits
 * at the cap end"): each listed task of a scenario ({@code study n replicate} per line, {@code #} comments, further
 * columns ignored) is rebuilt as {@code simulate} and {@link PeerPolish} build it, fitted as they fit it with
 * {@code trf-pair-c} and {@code lm-pair}, and each end point is continued by {@code lm} with every tolerance at 1e-15
 * and a cap of 20,000 iterations (PeerPolish's polish). Writes per task a folder {@code OUTDIR/study-n-replicate/}
 * with
 * <ul>
 * <li>{@code data.csv}: the data set ({@link DatasetCsv}, as {@link SameStartFits} writes it);</li>
 * <li>{@code start.json}: the start vector (the start the fits drew, recorded from inside
 * {@link Fitting#fitWithRestarts}, projected onto the box), the lower and upper bounds of the packed vector, L, the
 * parameterization, the fitted model as a model-file map ({@link ModelFiles#toMap}) and the objective
 * {@code Σ||Y − f||²/n} at the start;</li>
 * <li>{@code toolkit.json}: per method its end objective and vector, iterations, evaluations (passes), stop reason,
 * and the polish's objective, vector, iterations and stop reason.</li>
 * </ul>
 * Refuses scenarios with more than one start per fit (the comparison is from one start). Two threads over tasks.
 *
 * <pre>
 * java --add-modules jdk.incubator.vector -cp ... org.prefixmoe.bench.PeerExport SCENARIO TASKS OUTDIR
 * </pre>
 */
public final class PeerExport {
    /** The two methods compared, labels of {@link LeastSquaresEstimator.Method}. */
    static final String[] METHODS = {"trf-pair-c", "lm-pair"};

    private PeerExport() {
    }

    /**
     * Entry point.
     *
     * @param args scenario file, task list, output folder
     * @throws Exception on bad input or output
     */
    public static void main(String[] args) throws Exception {
        Scenario s = ScenarioFiles.read(Path.of(args[0]));
        if (s.init().restarts() != 1) {
            throw new IllegalArgumentException("init.restarts: " + s.init().restarts() + "; the export needs one start");
        }
        List<String[]> tasks = new ArrayList<>();
        for (String line : Files.readAllLines(Path.of(args[1]))) {
            if (!line.isBlank() && !line.startsWith("#")) {
                tasks.add(line.trim().split("\\s+"));
            }
        }
        Path out = Path.of(args[2]);
        Files.createDirectories(out);
        Estimator[] methods = new Estimator[METHODS.length];
        for (int k = 0; k < METHODS.length; k++) {
            Map<String, Double> settings = new java.util.HashMap<>(s.solver());
            settings.put("method", (double) LeastSquaresEstimator.Method.byLabel(METHODS[k]).code());
            methods[k] = Estimators.create(s.estimator(), settings);
        }
        Estimator polish = new LeastSquaresEstimator(new LeastSquaresEstimator.Options(20_000, 1e-15, 1e-15, 1e-15));
        Tasks.Runner runner = Tasks.runner(s);
        ExecutorService pool = Executors.newFixedThreadPool(2);
        List<Future<String>> done = new ArrayList<>();
        for (String[] t : tasks) {
            done.add(pool.submit(() -> run(s, runner, Path.of(args[0]), t, methods, polish, out)));
        }
        System.out.println("task start_objective " + String.join(" ", Arrays.stream(METHODS)
                .map(m -> m + "_objective/polished/iterations/stop").toList()));
        for (Future<String> f : done) {
            System.out.println(f.get());
        }
        pool.shutdown();
    }

    /** An initializer that remembers the start it drew last (the fit's own start). */
    private static final class Recording implements Initializer {
        private final Initializer inner;
        private MixingMeasure last;

        Recording(Initializer inner) {
            this.inner = inner;
        }

        @Override
        public String name() {
            return inner.name();
        }

        @Override
        public MixingMeasure start(FitProblem problem, UniformRandomProvider rng) {
            last = inner.start(problem, rng);
            return last;
        }
    }

    private static String run(Scenario s, Tasks.Runner runner, Path scenarioFile, String[] t, Estimator[] methods,
                              Estimator polish,
                              Path out) throws Exception {
        int n = Integer.parseInt(t[1]);
        int rep = Integer.parseInt(t[2]);
        Task task = Tasks.task(s, t[0], n, rep);
        Scenario.Study st = s.studies().get(task.study());
        TruthModel truth = st.truth();
        long code = Task.code(st.name());
        FitProblem problem = runner.problem(task);   // the task's own data, as simulate
        Dataset data = problem.data();
        NearTruthInitializer init = new NearTruthInitializer(truth.truth(), s.init().scale(), s.init().decay());
        String name = t[0] + "-" + n + "-" + rep;
        Path dir = out.resolve(name);
        Files.createDirectories(dir);
        DatasetCsv.write(data, dir.resolve("data.csv"));

        double[] x0 = null;
        List<Map<String, Object>> rows = new ArrayList<>();
        StringBuilder line = new StringBuilder(name);
        for (int k = 0; k < methods.length; k++) {
            Recording rec = new Recording(init);
            FitResult fit = Fitting.fitWithRestarts(methods[k], problem, rec, s.init().restarts(),
                    RandomStreams.stream(s.seed(), code, n, rep, 1));
            double[] start = problem.startVector(rec.last);
            if (x0 == null) {
                x0 = start;
            } else if (!Arrays.equals(x0, start)) {
                throw new IllegalStateException(name + ": the two methods drew different starts");
            }
            FitResult pol = polish.fit(problem, fit.estimate());
            Map<String, Object> r = new LinkedHashMap<>();
            r.put("method", METHODS[k]);
            r.put("objective", fit.objective());
            r.put("x", fit.estimate().pack());
            r.put("iterations", fit.iterations());
            r.put("evaluations", fit.evaluations());
            r.put("stop", fit.stopReason().label());
            r.put("converged", fit.converged());
            r.put("polished_objective", pol.objective());
            r.put("polished_x", pol.estimate().pack());
            r.put("polish_iterations", pol.iterations());
            r.put("polish_evaluations", pol.evaluations());
            r.put("polish_stop", pol.stopReason().label());
            rows.add(r);
            line.append(String.format(Locale.ROOT, " %.17g/%.17g/%d/%s", fit.objective(), pol.objective(),
                    fit.iterations(), fit.stopReason().label()));
        }
        // The objective at the start as the fits see it: the residual sum of squares of the first pass, over n.
        Evaluator ev = problem.evaluator();
        ev.setParameters(x0);
        int dim = ev.dimension();
        double startObjective = ev.normalEquations(data.y(), new double[dim * dim], new double[dim]) / n;
        line.insert(name.length(), String.format(Locale.ROOT, " %.17g", startObjective));

        Map<String, Object> st0 = new LinkedHashMap<>();
        st0.put("scenario", scenarioFile.toString());
        st0.put("seed", s.seed());
        st0.put("study", t[0]);
        st0.put("n", n);
        st0.put("replicate", rep);
        st0.put("L", problem.atoms());
        st0.put("parameterization", problem.model().parameterization().name());
        st0.put("sampler", s.sampler());
        st0.put("init", Map.of("strategy", NearTruthInitializer.NAME, "scale", s.init().scale(),
                "decay", s.init().decay(), "restarts", s.init().restarts()));
        st0.put("start", x0);
        st0.put("lower", problem.lower());
        st0.put("upper", problem.upper());
        st0.put("start_objective", startObjective);
        st0.put("model", ModelFiles.toMap(st.fitted()));
        Map<String, Object> tk = new LinkedHashMap<>();
        tk.put("task", name);
        tk.put("start_objective", startObjective);
        tk.put("fits", rows);
        ObjectMapper json = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
        json.writeValue(dir.resolve("start.json").toFile(), st0);
        json.writeValue(dir.resolve("toolkit.json").toFile(), tk);
        System.err.println("wrote " + dir);
        return line.toString();
    }
}
