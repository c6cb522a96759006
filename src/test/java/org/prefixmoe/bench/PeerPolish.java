package org.prefixmoe.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.prefixmoe.estimation.Estimator;
import org.prefixmoe.estimation.Estimators;
import org.prefixmoe.estimation.FitProblem;
import org.prefixmoe.estimation.FitResult;
import org.prefixmoe.estimation.GaussNewtonCertificate;
import org.prefixmoe.estimation.Fitting;
import org.prefixmoe.estimation.LeastSquaresEstimator;
import org.prefixmoe.estimation.NearTruthInitializer;
import org.prefixmoe.loss.VoronoiLoss;
import org.prefixmoe.model.TruthModel;
import org.prefixmoe.sampling.Dataset;
import org.prefixmoe.sampling.RandomStreams;
import org.prefixmoe.simulation.Scenario;
import org.prefixmoe.simulation.ScenarioFiles;
import org.prefixmoe.simulation.Task;
import org.prefixmoe.simulation.Tasks;

/**
 * Where two methods end on tasks of a scenario (issue 23, docs/solver-flat-sets.md): each listed task
 * ({@code study n replicate} per line, {@code #} comments, further columns ignored) is fitted as {@code simulate}
 * fits it with both methods, and each end point is continued by {@code lm} with every tolerance at 1e-15 and a cap
 * of 20,000 iterations. Prints per task the two end objectives, the two polished ones, each end point's excess
 * over the lower polished objective (relative), the polish's iterations, and the coordinates on a bound of the box
 * at the four points, each method's iterations, passes and stop reason, D_1 at the four points, and the
 * Gauss–Newton decrement at each method's end point and the gain of its 20-iteration confirming continuation
 * ({@code GaussNewtonCertificate}). Two threads.
 *
 * <pre>
 * java -cp ... org.prefixmoe.bench.PeerPolish SCENARIO TASKS METHOD_A METHOD_B
 * </pre>
 */
public final class PeerPolish {
    private PeerPolish() {
    }

    /**
     * Entry point.
     *
     * @param args scenario file, task list, two method labels
     * @throws Exception on bad input
     */
    public static void main(String[] args) throws Exception {
        Scenario s = ScenarioFiles.read(Path.of(args[0]));
        List<String[]> tasks = new ArrayList<>();
        for (String line : Files.readAllLines(Path.of(args[1]))) {
            if (!line.isBlank() && !line.startsWith("#")) {
                tasks.add(line.trim().split("\\s+"));
            }
        }
        Estimator a = method(s, args[2]);
        Estimator b = method(s, args[3]);
        Estimator polish = new LeastSquaresEstimator(new LeastSquaresEstimator.Options(20_000, 1e-15, 1e-15, 1e-15));
        Tasks.Runner runner = Tasks.runner(s);
        ExecutorService pool = Executors.newFixedThreadPool(2);
        List<Future<String>> out = new ArrayList<>();
        for (String[] t : tasks) {
            out.add(pool.submit(() -> run(s, runner, t, a, b, polish)));
        }
        System.out.printf(Locale.ROOT, "study n replicate kind %s_objective %s_objective %s_polished %s_polished"
                + " %s_excess %s_excess polish_iterations on_bounds(%s/%s/polished_%s/polished_%s)"
                + " %s_iterations/passes/stop %s_iterations/passes/stop d1(%s/%s/polished_%s/polished_%s)"
                + " gauss_newton_decrement(%s/%s) continuation_gain(%s/%s)%n", args[2], args[3], args[2], args[3],
                args[2], args[3], args[2], args[3], args[2], args[3], args[2], args[3], args[2], args[3], args[2], args[3],
                args[2], args[3], args[2], args[3]);
        for (int i = 0; i < tasks.size(); i++) {
            System.out.println(String.join(" ", tasks.get(i)[0], tasks.get(i)[1], tasks.get(i)[2],
                    tasks.get(i).length > 3 ? tasks.get(i)[3] : "-") + " " + out.get(i).get());
        }
        pool.shutdown();
    }

    private static Estimator method(Scenario s, String label) {
        Map<String, Double> settings = new java.util.HashMap<>(s.solver());
        settings.put("method", (double) LeastSquaresEstimator.Method.byLabel(label).code());
        return Estimators.create(s.estimator(), settings);
    }

    private static String run(Scenario s, Tasks.Runner runner, String[] t, Estimator a, Estimator b, Estimator polish) {
        int n = Integer.parseInt(t[1]);
        int rep = Integer.parseInt(t[2]);
        Task task = Tasks.task(s, t[0], n, rep);
        Scenario.Study st = s.studies().get(task.study());
        TruthModel truth = st.truth();
        long code = Task.code(st.name());
        FitProblem problem = runner.problem(task);   // the task's own data, as simulate
        Dataset data = problem.data();
        NearTruthInitializer init = new NearTruthInitializer(truth.truth(), s.init().scale(), s.init().decay());
        FitResult fa = Fitting.fitWithRestarts(a, problem, init, s.init().restarts(),
                RandomStreams.stream(s.seed(), code, n, rep, 1));
        FitResult fb = Fitting.fitWithRestarts(b, problem, init, s.init().restarts(),
                RandomStreams.stream(s.seed(), code, n, rep, 1));
        FitResult pa = polish.fit(problem, fa.estimate());
        FitResult pb = polish.fit(problem, fb.estimate());
        double best = Math.min(pa.objective(), pb.objective());
        return String.format(Locale.ROOT, "%.17g %.17g %.17g %.17g %.3e %.3e %d/%d %s/%s/%s/%s %d/%d/%s %d/%d/%s %.4e/%.4e/%.4e/%.4e %.3e/%.3e %.3e/%.3e",
                fa.objective(),
                fb.objective(), pa.objective(), pb.objective(), (fa.objective() - best) / best,
                (fb.objective() - best) / best, pa.iterations(), pb.iterations(), onBounds(problem, fa),
                onBounds(problem, fb), onBounds(problem, pa), onBounds(problem, pb), fa.iterations(), fa.evaluations(),
                fa.stopReason().label(), fb.iterations(), fb.evaluations(), fb.stopReason().label(),
                VoronoiLoss.d1(fa.estimate(), truth.truth()), VoronoiLoss.d1(fb.estimate(), truth.truth()),
                VoronoiLoss.d1(pa.estimate(), truth.truth()), VoronoiLoss.d1(pb.estimate(), truth.truth()),
                GaussNewtonCertificate.of(problem, fa.estimate()).decrement(),
                GaussNewtonCertificate.of(problem, fb.estimate()).decrement(),
                GaussNewtonCertificate.continuationGain(problem, fa.estimate(), GaussNewtonCertificate.CONFIRM_ITERATIONS),
                GaussNewtonCertificate.continuationGain(problem, fb.estimate(), GaussNewtonCertificate.CONFIRM_ITERATIONS));
    }

    /** {@return the packed coordinates of a fit's end point that lie on a bound of the box, as "c,c,…" or "-"} */
    private static String onBounds(FitProblem problem, FitResult fit) {
        double[] x = fit.estimate().pack();
        double[] lo = problem.lower();
        double[] hi = problem.upper();
        StringBuilder b = new StringBuilder();
        for (int c = 0; c < x.length; c++) {
            if (x[c] <= lo[c] || x[c] >= hi[c]) {
                b.append(b.length() > 0 ? "," : "").append(c).append(x[c] <= lo[c] ? "lo" : "hi");
            }
        }
        return b.length() == 0 ? "-" : b.toString();
    }
}
