package org.prefixmoe.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
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
 * The time split of a scenario's tasks (issue 23, {@code simulations/peer-workload.yaml}): every
 * {@code STRIDE}-th task (in {@link Tasks#all} order, so every study and the whole size range), run
 * as {@code Tasks} runs it (same data, starts and fits) on {@code THREADS} threads, each phase timed
 * in thread CPU time: sampling the data set, the fit (problem set-up included), the losses
 * (D_1, D_2, the regression error on the evaluation inputs, the cell errors). Prints fits per CPU
 * second, iterations and evaluations per fit, the split, and the whole scenario extrapolated to
 * {@code THREADS} cores (total CPU of the subsample × STRIDE / THREADS), and how many fits called converged are not
 * certified by {@code GaussNewtonCertificate} (an untimed pass after each task). With {@code -Dpeer.list=true} it also
 * lists every fit that did not converge (study, n, iterations, stop); with {@code -Dpeer.ends=true} every fit's end
 * ({@code end: study n replicate objective iterations stop}).
 *
 * <pre>
 * java -cp ... org.prefixmoe.bench.PeerWorkload SCENARIO STRIDE THREADS [METHOD]
 * </pre>
 */
public final class PeerWorkload {
    private PeerWorkload() {
    }

    private record Split(long sample, long fit, long losses, int iterations, int evaluations, boolean converged,
                         String stop, int n, String study, double promise, int replicate, double objective) {
    }

    /**
     * Entry point.
     *
     * @param args scenario file, stride, threads, optional method (lm, flat, geodesic, lm-ts, geodesic-ts, lm-soc or trf; METHOD@DAMPING sets the initial damping)
     * @throws Exception on bad input
     */
    public static void main(String[] args) throws Exception {
        Scenario s = ScenarioFiles.read(Path.of(args[0]));
        int stride = Integer.parseInt(args[1]);
        int threads = Integer.parseInt(args[2]);
        Map<String, Double> settings = new HashMap<>(s.solver());
        if (args.length > 3) {
            // METHOD, or METHOD@DAMPING for another initial damping
            String[] spec = args[3].split("@");
            settings.put("method", (double) LeastSquaresEstimator.Method.byLabel(spec[0]).code());
            if (spec.length > 1) {
                settings.put("initial_damping", Double.parseDouble(spec[1]));
            }
        }
        Estimator est = Estimators.create(s.estimator(), settings);
        List<Task> all = Tasks.all(s);
        List<Task> some = new ArrayList<>();
        for (int i = 0; i < all.size(); i += stride) {
            some.add(all.get(i));
        }
        double[] evalX = new RegressionSampler(s.studies().get(0).truth().model(), s.studies().get(0).truth().truth(),
                0, s.studies().get(0).truth().input()).sample(s.evalSize(), RandomStreams.stream(s.seed(), 99)).x();
        // The regression loss as simulate computes it: the truth's side once per study.
        List<RegressionError.On> regression = new ArrayList<>();
        for (Scenario.Study st : s.studies()) {
            regression.add(RegressionError.on(st.fitted().model(), st.truth().model(), st.truth().truth(), evalX));
        }
        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        // Warm-up (JIT): the first 30 tasks of the subsample, not recorded.
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        List<Future<Split>> warm = new ArrayList<>();
        for (Task t : some.subList(0, Math.min(30, some.size()))) {
            warm.add(pool.submit(() -> run(s, est, t, regression, mx)));
        }
        for (Future<Split> f : warm) {
            f.get();
        }
        long wall0 = System.nanoTime();
        List<Future<Split>> futures = new ArrayList<>();
        for (Task t : some) {
            futures.add(pool.submit(() -> run(s, est, t, regression, mx)));
        }
        long sample = 0;
        long fit = 0;
        long losses = 0;
        long iterations = 0;
        long evaluations = 0;
        int notConverged = 0;
        int atCap = 0;
        // Per study: fits, fit CPU (ns), iterations, fits at the cap, converged fits not certified.
        Map<String, long[]> perStudy = new java.util.LinkedHashMap<>();
        int uncertified = 0;
        for (Future<Split> f : futures) {
            Split r = f.get();
            long[] ps = perStudy.computeIfAbsent(r.study, key -> new long[5]);
            boolean flagged = r.converged && r.promise > org.prefixmoe.estimation.GaussNewtonCertificate.TOLERANCE;
            ps[4] += flagged ? 1 : 0;
            uncertified += flagged ? 1 : 0;
            ps[0]++;
            ps[1] += r.fit;
            ps[2] += r.iterations;
            ps[3] += r.stop.equals("max-iterations") ? 1 : 0;
            sample += r.sample;
            fit += r.fit;
            losses += r.losses;
            iterations += r.iterations;
            evaluations += r.evaluations;
            notConverged += r.converged ? 0 : 1;
            if (!r.converged && Boolean.getBoolean("peer.list")) {
                System.out.printf(Locale.ROOT, "not converged: %s n=%d, %d iterations, %d evaluations, %s%n",
                        r.study, r.n, r.iterations, r.evaluations, r.stop);
            }
            atCap += r.stop.equals("max-iterations") ? 1 : 0;
            if (Boolean.getBoolean("peer.ends")) {
                System.out.printf(Locale.ROOT, "end: %s %d %d %s %d %s%n", r.study, r.n, r.replicate,
                        Double.toString(r.objective), r.iterations, r.stop);
            }
        }
        double wall = (System.nanoTime() - wall0) / 1e9;
        pool.shutdown();
        int k = some.size();
        double cpu = (sample + fit + losses) / 1e9;
        System.out.printf(Locale.ROOT, "%s, method %s: %d of %d tasks (every %d-th), %d threads; wall %.1f s%n",
                s.name(), ((LeastSquaresEstimator) est).options().method().label(), k, all.size(), stride, threads,
                wall);
        System.out.printf(Locale.ROOT, "CPU %.2f s: sampling %.1f%%, fitting %.1f%%, losses %.1f%%%n", cpu,
                100 * sample / 1e9 / cpu, 100 * fit / 1e9 / cpu, 100 * losses / 1e9 / cpu);
        System.out.printf(Locale.ROOT, "%.1f fits per CPU second; per fit: %.1f iterations, %.1f evaluations;"
                + " not converged %d (at the cap %d)%n", k / cpu, (double) iterations / k, (double) evaluations / k,
                notConverged, atCap);
        for (Map.Entry<String, long[]> e : perStudy.entrySet()) {
            long[] ps = e.getValue();
            System.out.printf(Locale.ROOT, "  %s: %d fits, fitting CPU %.2f s, %.1f iterations per fit, %d at the cap,"
                    + " %d converged but not certified%n", e.getKey(), ps[0], ps[1] / 1e9, (double) ps[2] / ps[0], ps[3],
                    ps[4]);
        }
        System.out.printf(Locale.ROOT, "converged but not certified (Gauss-Newton model promises more than 1e-9): %d of %d%n",
                uncertified, k);
        System.out.printf(Locale.ROOT, "whole scenario (%d fits), extrapolated: %.0f CPU s, %.1f min on %d cores"
                + " (wall of this subsample x %d: %.1f min)%n", all.size(), cpu * stride, cpu * stride / threads / 60,
                threads, stride, wall * stride / 60);
    }

    private static Split run(Scenario s, Estimator est, Task t, List<RegressionError.On> regression,
                             ThreadMXBean mx) {
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
        FitResult fit = Fitting.fitWithRestarts(est, problem, init, s.init().restarts(), initRng);
        long t2 = mx.getCurrentThreadCpuTime();
        MixingMeasure g = fit.estimate();
        VoronoiLoss.d1(g, truth.truth());
        VoronoiLoss.d2(g, truth.truth(), s.r());
        regression.get(t.study()).l2(g);
        CellErrors.of(g, truth.truth());
        long t3 = mx.getCurrentThreadCpuTime();
        // The Gauss–Newton certificate after the timed phases (one more pass, not timed).
        double promise = fit.stopReason() == org.prefixmoe.estimation.StopReason.FAILED ? Double.NaN
                : org.prefixmoe.estimation.GaussNewtonCertificate.of(problem, g).decrement();
        return new Split(t1 - t0, t2 - t1, t3 - t2, fit.iterations(), fit.evaluations(), fit.converged(),
                fit.stopReason().label(), t.n(), st.name(), promise, t.replicate(), fit.objective());
    }
}
