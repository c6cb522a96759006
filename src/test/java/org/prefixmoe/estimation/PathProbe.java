package org.prefixmoe.estimation;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import org.prefixmoe.model.Evaluator;
import org.prefixmoe.sampling.RandomStreams;
import org.prefixmoe.simulation.Scenario;
import org.prefixmoe.simulation.ScenarioFiles;
import org.prefixmoe.simulation.Task;
import org.prefixmoe.simulation.Tasks;

/**
 * Why {@code trf-pair-p}'s move to the end of the Gauss–Newton path is never lower (issue 23, docs/solver-flat-sets.md,
 * bench/path/): for each listed task ({@code study n replicate}), {@code trf-pair-c}'s end point x (fitted as
 * {@code simulate} fits it), the path's end z and promise, the objective along {@code x + t(z − x)} for
 * t = 1, 1/2, …, 2^-30 (the largest t that is lower, and the realised over the promised decrease there), and the
 * cosine, in the metric {@code diag(JᵀJ)}, between {@code z − x} and the direction to x's {@code lm} polish (every
 * tolerance 1e-15, 20,000 iterations). In the estimation package for the package-private path. Two threads.
 *
 * <pre>
 * java -cp ... org.prefixmoe.estimation.PathProbe SCENARIO TASKS
 * </pre>
 */
public final class PathProbe {
    private PathProbe() {
    }

    /**
     * Entry point.
     *
     * @param args scenario file, task list
     * @throws Exception on bad input
     */
    public static void main(String[] args) throws Exception {
        Scenario s = ScenarioFiles.read(Path.of(args[0]));
        Map<String, Double> settings = new java.util.HashMap<>(s.solver());
        settings.put("method", (double) LeastSquaresEstimator.Method.TRF_PAIR_C.code());
        Estimator fitter = Estimators.create(s.estimator(), settings);
        Estimator polish = new LeastSquaresEstimator(new LeastSquaresEstimator.Options(20_000, 1e-15, 1e-15, 1e-15));
        Tasks.Runner runner = Tasks.runner(s);
        java.util.List<String[]> tasks = Files.readAllLines(Path.of(args[1])).stream()
                .filter(l -> !l.isBlank() && !l.startsWith("#")).map(l -> l.trim().split("\\s+")).toList();
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(2);
        java.util.List<java.util.concurrent.Future<String>> out = new java.util.ArrayList<>();
        for (String[] t : tasks) {
            out.add(pool.submit(() -> probe(s, runner, t, fitter, polish)));
        }
        System.out.println("study n replicate promise cut_promise held_at_x segments_held_at_z scaled_length"
                + " largest_lower_t realised/promised_there cos(z-x,polish-x) polish_gain");
        for (int i = 0; i < tasks.size(); i++) {
            System.out.println(String.join(" ", tasks.get(i)[0], tasks.get(i)[1], tasks.get(i)[2]) + " "
                    + out.get(i).get());
        }
        pool.shutdown();
    }

    private static String probe(Scenario s, Tasks.Runner runner, String[] t, Estimator fitter, Estimator polish) {
        int n = Integer.parseInt(t[1]);
        int rep = Integer.parseInt(t[2]);
        Task task = Tasks.task(s, t[0], n, rep);
        Scenario.Study st = s.studies().get(task.study());
        FitProblem problem = runner.problem(task);
        NearTruthInitializer init = new NearTruthInitializer(st.truth().truth(), s.init().scale(), s.init().decay());
        FitResult fit = Fitting.fitWithRestarts(fitter, problem, init, s.init().restarts(),
                RandomStreams.stream(s.seed(), Task.code(st.name()), n, rep, 1));
        FitResult pol = polish.fit(problem, fit.estimate());
        double[] x = problem.startVector(fit.estimate());
        double[] xp = problem.startVector(pol.estimate());
        Evaluator ev = problem.evaluator();
        int dim = ev.dimension();
        double[] a = new double[dim * dim];
        double[] g = new double[dim];
        ev.setParameters(x);
        double ssr = ev.normalEquations(problem.data().y(), a, g);
        double[] lo = problem.lower();
        double[] hi = problem.upper();
        double[] z = new double[dim];
        double promise = GaussNewtonCertificate.pathEnd(x, a, g, ssr, lo, hi, z);
        double cut = GaussNewtonCertificate.promise(x, a, g, ssr, lo, hi);
        boolean[] held = new boolean[dim];
        LeastSquaresEstimator.holdOnBounds(x, g, lo, hi, held);
        int heldX = 0;
        int onZ = 0;
        double len = 0;
        double dot = 0;
        double nz = 0;
        double np = 0;
        for (int c = 0; c < dim; c++) {
            heldX += held[c] ? 1 : 0;
            onZ += (z[c] <= lo[c] || z[c] >= hi[c]) ? 1 : 0;
            double w = a[c * dim + c];
            len += w * (z[c] - x[c]) * (z[c] - x[c]);
            dot += w * (z[c] - x[c]) * (xp[c] - x[c]);
            nz += w * (z[c] - x[c]) * (z[c] - x[c]);
            np += w * (xp[c] - x[c]) * (xp[c] - x[c]);
        }
        double[] trial = new double[dim];
        double[] at = new double[dim * dim];
        double[] gt = new double[dim];
        double lowerT = 0;
        double realised = Double.NaN;
        for (int k = 0; k <= 30; k++) {
            double tt = Math.scalb(1.0, -k);
            for (int c = 0; c < dim; c++) {
                trial[c] = x[c] + tt * (z[c] - x[c]);
            }
            ev.setParameters(trial);
            double st2 = ev.normalEquations(problem.data().y(), at, gt);
            if (st2 < ssr) {
                lowerT = tt;
                realised = (ssr - st2) / ssr / (promise * tt * (2 - tt));
                break;
            }
        }
        if (Boolean.getBoolean("probe.points")) {
            System.err.println(t[0] + " " + t[1] + " " + t[2] + " x  " + java.util.Arrays.toString(x));
            System.err.println(t[0] + " " + t[1] + " " + t[2] + " xp " + java.util.Arrays.toString(xp));
            System.err.println(t[0] + " " + t[1] + " " + t[2] + " z  " + java.util.Arrays.toString(z));
        }
        return String.format(Locale.ROOT, "%.3e %.3e %d %d %.3e %.3e %.3e %.3f %.3e", promise, cut, heldX, onZ,
                Math.sqrt(len / ssr), lowerT, realised, dot / Math.sqrt(nz * np),
                (fit.objective() - pol.objective()) / fit.objective());
    }
}
