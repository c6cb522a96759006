package org.prefixmoe.bench;

import org.prefixmoe.sampling.RegressionSampler;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Arrays;
import org.apache.commons.rng.UniformRandomProvider;
import org.prefixmoe.estimation.FitProblem;
import org.prefixmoe.estimation.FitResult;
import org.prefixmoe.estimation.LeastSquaresEstimator;
import org.prefixmoe.estimation.NearTruthInitializer;
import org.prefixmoe.estimation.em.EStepTiming;
import org.prefixmoe.model.TruthModel;
import org.prefixmoe.model.Evaluator;
import org.prefixmoe.model.MixingMeasure;
import org.prefixmoe.sampling.Dataset;
import org.prefixmoe.sampling.RandomStreams;

/**
 * Single-threaded timings of the least-squares path on a truth: one evaluation of {@code f_G}
 * plus Jacobian per sample (the fused normal-equations pass), and whole fits from near-truth
 * starts. Each fit gets its own data set; medians and quartiles over replicates are reported.
 * Times are the CPU time of the timing thread (so that other processes on a shared machine do
 * not inflate them); the wall time of the whole report is printed beside them.
 */
public final class LeastSquaresBenchmark {
    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();
    private final TruthModel truth;
    private final PrintStream out;
    private final LeastSquaresEstimator estimator;

    /** CPU time of the current thread in nanoseconds (wall time where the JVM cannot measure it). */
    static long cpuNanos() {
        return THREADS.isCurrentThreadCpuTimeSupported() ? THREADS.getCurrentThreadCpuTime() : System.nanoTime();
    }

    /**
     * @param truth the data-generating model (its parameterization is the one fitted)
     * @param out where the report goes
     */
    public LeastSquaresBenchmark(TruthModel truth, PrintStream out) {
        this(truth, out, LeastSquaresEstimator.Options.DEFAULT);
    }

    /**
     * @param truth the data-generating model (its parameterization is the one fitted)
     * @param out where the report goes
     * @param options the solver settings of the timed fits
     */
    public LeastSquaresBenchmark(TruthModel truth, PrintStream out, LeastSquaresEstimator.Options options) {
        this.truth = truth;
        this.out = out;
        this.estimator = new LeastSquaresEstimator(options);
    }

    /**
     * Nanoseconds per sample of one fused pass (f_G, Jacobian, JᵀJ, Jᵀr), median of repeats, default kernel.
     *
     * @param n the sample size
     * @param atoms the number L of atoms
     * @param repeats timed passes
     * @return the median time of a pass divided by n
     */
    public double passNanosPerSample(int n, int atoms, int repeats) {
        return passNanosPerSample(n, atoms, repeats, Evaluator.defaultKernel());
    }

    /**
     * {@return nanoseconds per sample of one fused pass (f_G, Jacobian, JᵀJ, Jᵀr) with the given
     * kernel on one thread, median of {@code repeats} timed passes}
     *
     * @param n samples
     * @param atoms fitted atoms L
     * @param repeats timed passes
     * @param kernel the kernel
     */
    public double passNanosPerSample(int n, int atoms, int repeats, Evaluator.Kernel kernel) {
        Dataset data = RegressionSampler.of(truth).sample(n, RandomStreams.stream(1, n));
        FitProblem problem = new FitProblem(truth.model(), data, atoms, truth.box());
        MixingMeasure start = new NearTruthInitializer(truth.truth()).start(problem, RandomStreams.stream(2, n));
        Evaluator ev = new Evaluator(truth.model(), atoms, data.x(), problem.pretrained());
        ev.setKernel(kernel);
        ev.setMeasure(start);
        int dim = ev.dimension();
        double[] jtj = new double[dim * dim];
        double[] jtr = new double[dim];
        double[] t = new double[repeats];
        double sink = 0;
        for (int k = 0; k < repeats; k++) {
            long t0 = cpuNanos();
            sink += ev.normalEquations(data.y(), jtj, jtr);
            t[k] = (cpuNanos() - t0) / (double) n;
        }
        if (sink == 42) {
            out.print("");
        }
        Arrays.sort(t);
        return t[repeats / 2];
    }

    /** Timing statistics of fits: median, quartiles (ms), median iterations, count at the cap. */
    public record FitTimes(int n, int atoms, double medianMs, double q1Ms, double q3Ms, double medianIterations,
                           int atCap) {
    }

    /**
     * Times {@code replicates} fits of L atoms at size n, each on fresh data from a near-truth start.
     *
     * @param n the sample size
     * @param atoms the number L of fitted atoms
     * @param replicates number of fits
     * @return their timing statistics
     */
    public FitTimes fits(int n, int atoms, int replicates) {
        LeastSquaresEstimator est = estimator;
        double[] ms = new double[replicates];
        double[] it = new double[replicates];
        int cap = 0;
        for (int k = 0; k < replicates; k++) {
            UniformRandomProvider rng = RandomStreams.stream(3, n, atoms, k);
            Dataset data = RegressionSampler.of(truth).sample(n, rng);
            long t0 = cpuNanos();
            FitProblem problem = new FitProblem(truth.model(), data, atoms, truth.box());
            MixingMeasure start = new NearTruthInitializer(truth.truth()).start(problem, rng);
            FitResult fit = est.fit(problem, start);
            ms[k] = (cpuNanos() - t0) / 1e6;
            it[k] = fit.iterations();
            cap += fit.converged() ? 0 : 1;
        }
        Arrays.sort(ms);
        Arrays.sort(it);
        return new FitTimes(n, atoms, ms[replicates / 2], ms[replicates / 4], ms[(3 * replicates) / 4],
                it[replicates / 2], cap);
    }

    /**
     * {@return nanoseconds per sample of EM's E-step pass (with the fused gating derivatives) on
     * regression data at a near-truth start, one thread, median of {@code repeats}}
     *
     * @param n samples
     * @param atoms fitted atoms L
     * @param repeats timed passes
     */
    public double emPassNanosPerSample(int n, int atoms, int repeats) {
        return emPassNanosPerSample(n, atoms, repeats, Evaluator.defaultKernel());
    }

    /**
     * {@return nanoseconds per sample of EM's E-step pass with the given kernel, as
     * {@link #emPassNanosPerSample(int, int, int)}}
     *
     * @param n samples
     * @param atoms fitted atoms L
     * @param repeats timed passes
     * @param kernel the kernel of the pass
     */
    public double emPassNanosPerSample(int n, int atoms, int repeats, Evaluator.Kernel kernel) {
        Dataset data = RegressionSampler.of(truth).sample(n, RandomStreams.stream(1, n));
        FitProblem problem = new FitProblem(truth.model(), data, atoms, truth.box());
        MixingMeasure start = new NearTruthInitializer(truth.truth()).start(problem, RandomStreams.stream(2, n));
        return EStepTiming.nanosPerSample(problem, start, truth.sigma() * truth.sigma(), repeats, kernel);
    }

    /**
     * Prints the per-sample cost of the passes only, one line each in a fixed format
     * ({@code java-pass NAME n=N P=P kernel=K ns_per_sample=T} per kernel, then {@code java-em-pass ...} likewise)
     * that {@code bench/pass_ratio.sh} reads beside {@code bench/numpy_pass.py}.
     *
     * @param atoms fitted atoms L
     */
    public void passes(int atoms) {
        String name = truth.model().parameterization().name();
        int dim = atoms * truth.model().parametersPerAtom();
        warmUp(atoms);
        for (Evaluator.Kernel k : kernels()) {
            out.printf(java.util.Locale.ROOT, "java-pass %s n=100000 P=%d kernel=%s ns_per_sample=%.1f%n", name, dim,
                    k, passNanosPerSample(100_000, atoms, 25, k));
        }
        for (Evaluator.Kernel k : kernels()) {
            out.printf(java.util.Locale.ROOT, "java-em-pass %s n=100000 P=%d kernel=%s ns_per_sample=%.1f%n", name,
                    dim, k, emPassNanosPerSample(100_000, atoms, 15, k));
        }
    }

    private static Evaluator.Kernel[] kernels() {
        return Evaluator.vectorKernelAvailable() ? new Evaluator.Kernel[] {Evaluator.Kernel.VECTOR, Evaluator.Kernel.SCALAR}
                : new Evaluator.Kernel[] {Evaluator.Kernel.SCALAR};
    }

    // Warm-up so that the JIT has compiled the hot loops (C2, vectors in registers) before
    // anything is timed: a few hundred passes of every kernel and size class, some short fits.
    private void warmUp(int atoms) {
        for (Evaluator.Kernel k : kernels()) {
            passNanosPerSample(4_000, atoms, 300, k);
            passNanosPerSample(20_000, atoms, 40, k);
        }
        emPassNanosPerSample(4_000, atoms, 100);
    }

    /**
     * Runs the standard report: warm-up, per-sample pass costs, fits at n = 10^4 and 10^5.
     *
     * @param atoms the number L of fitted atoms
     * @param replicates fits per size
     */
    public void report(int atoms, int replicates) {
        long wall0 = System.nanoTime();
        String name = truth.model().parameterization().name();
        out.printf("least-squares benchmark: %s truth (L* = %d), L = %d, one thread, %s%n", name, truth.trueAtoms(),
                atoms, estimator.options());
        warmUp(atoms);
        fits(10_000, atoms, Math.max(10, replicates / 2));
        for (Evaluator.Kernel k : kernels()) {
            out.printf("  f_G + Jacobian + normal equations, per sample: %.1f ns (n = 10^5, %s kernel)%n",
                    passNanosPerSample(100_000, atoms, 25, k), k.name().toLowerCase(java.util.Locale.ROOT));
        }
        out.printf("  EM E-step pass (with the gating derivatives), per sample: %.1f ns (n = 10^5)%n",
                emPassNanosPerSample(100_000, atoms, 15));
        out.printf("  fits use the %s kernel%n", Evaluator.defaultKernel().name().toLowerCase(java.util.Locale.ROOT));
        for (int n : new int[] {10_000, 100_000}) {
            FitTimes t = fits(n, atoms, n >= 100_000 ? Math.max(5, replicates / 4) : replicates);
            out.printf("  fit at n = %,d: median %.1f ms (quartiles %.1f–%.1f ms), median %.0f iterations, "
                    + "%d at the iteration cap%n", n, t.medianMs, t.q1Ms, t.q3Ms, t.medianIterations, t.atCap);
        }
        out.printf("  (thread CPU times; the report took %.1f s of wall time)%n", (System.nanoTime() - wall0) / 1e9);
    }
}
