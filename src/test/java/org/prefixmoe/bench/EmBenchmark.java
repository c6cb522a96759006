package org.prefixmoe.bench;

import java.lang.management.ManagementFactory;
import java.util.Arrays;
import org.apache.commons.rng.UniformRandomProvider;
import org.prefixmoe.TestModels;
import org.prefixmoe.estimation.FitProblem;
import org.prefixmoe.estimation.FitResult;
import org.prefixmoe.estimation.NearTruthInitializer;
import org.prefixmoe.estimation.em.EmEstimator;
import org.prefixmoe.model.TruthModel;
import org.prefixmoe.model.MixingMeasure;
import org.prefixmoe.sampling.Dataset;
import org.prefixmoe.sampling.DensitySampler;
import org.prefixmoe.sampling.RandomStreams;

/**
 * Single-threaded timings of the EM estimator on density-model data from the default truths:
 * thread CPU time (not wall time, so that a loaded machine distorts less) of one plain EM iteration
 * (E-step plus M-step, measured over a fixed number of iterations with the convergence test off),
 * per sample; whole fits from near-truth starts at n = 10^4 and
 * 10^5 with the default options; and the bytes allocated per iteration (which must not grow with n).
 *
 * <p>Run from the repository root after {@code mvn -DbuildDir=target-em test-compile}:
 * <pre>
 * java --add-modules jdk.incubator.vector -cp target-em/classes:target-em/test-classes:$(cat cp.txt) org.prefixmoe.bench.EmBenchmark [replicates]
 * </pre>
 * ({@code cp.txt} from {@code mvn -DbuildDir=target-em dependency:build-classpath -Dmdep.outputFile=cp.txt}).
 */
public final class EmBenchmark {
    private EmBenchmark() {
    }

    private static Dataset data(TruthModel tm, int n, long k) {
        return new DensitySampler(tm.model(), tm.truth(), tm.sigma(), tm.input()).sample(n, RandomStreams.stream(7, n, k));
    }

    private static long cpu() {
        return ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime();
    }

    private static long allocated() {
        return ((com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean()).getCurrentThreadAllocatedBytes();
    }

    /** Per-iteration cost in ms, and bytes allocated per iteration, at size n with L atoms. */
    static double[] perIteration(TruthModel tm, int n, int atoms) {
        Dataset d = data(tm, n, 99);
        FitProblem problem = new FitProblem(tm.model(), d, atoms, tm.box());
        MixingMeasure start = new NearTruthInitializer(tm.truth()).start(problem, RandomStreams.stream(8, n));
        // Plain EM (an accelerated iteration tries extra points, and reaches a fixed point of the
        // likelihood so soon on exact-specified fits that both runs stop at the same iteration).
        EmEstimator short_ = new EmEstimator(new EmEstimator.Options(3, 0, 1, 1e-6), false);
        EmEstimator long_ = new EmEstimator(new EmEstimator.Options(13, 0, 1, 1e-6), false);
        short_.fit(problem, start);
        long a0 = allocated();
        long t0 = cpu();
        FitResult s = short_.fit(problem, start);
        long t1 = cpu();
        long a1 = allocated();
        FitResult l = long_.fit(problem, start);
        long t2 = cpu();
        long a2 = allocated();
        int di = l.iterations() - s.iterations();
        if (di <= 0) {
            throw new IllegalStateException("the 13-iteration run stopped after " + l.iterations() + " iterations");
        }
        double ms = ((t2 - t1) - (t1 - t0)) / 1e6 / di;
        double bytes = ((a2 - a1) - (a1 - a0)) / (double) di;
        return new double[] {ms, bytes, (double) l.evaluations() / l.iterations()};
    }

    /** Median, quartiles of fit time (ms), median iterations, number at the cap. */
    static double[] fits(TruthModel tm, int n, int atoms, int reps) {
        EmEstimator em = new EmEstimator();
        double[] ms = new double[reps];
        double[] it = new double[reps];
        int cap = 0;
        for (int k = 0; k < reps; k++) {
            Dataset d = data(tm, n, k);
            UniformRandomProvider rng = RandomStreams.stream(9, n, atoms, k);
            long t0 = cpu();
            FitProblem problem = new FitProblem(tm.model(), d, atoms, tm.box());
            FitResult fit = em.fit(problem, new NearTruthInitializer(tm.truth()).start(problem, rng));
            ms[k] = (cpu() - t0) / 1e6;
            it[k] = fit.iterations();
            cap += fit.converged() ? 0 : 1;
        }
        Arrays.sort(ms);
        Arrays.sort(it);
        return new double[] {ms[reps / 2], ms[reps / 4], ms[(3 * reps) / 4], it[reps / 2], cap};
    }

    public static void main(String[] args) {
        int reps = args.length > 0 ? Integer.parseInt(args[0]) : 9;
        System.out.printf("EM benchmark, density-model data from the default truths, one thread, thread CPU time, %d replicates%n",
                reps);
        for (String param : new String[] {"shared-linear", "non-shared", "shared-nonlinear"}) {
            TruthModel tm = TestModels.defaultTruth(param);
            perIteration(tm, 20_000, 3); // JIT warm-up
            fits(tm, 10_000, 3, 3);
            for (int atoms : new int[] {2, 3}) {
                System.out.printf("%s, L* = 2, L = %d%n", param, atoms);
                for (int n : new int[] {10_000, 100_000}) {
                    double[] it = perIteration(tm, n, atoms);
                    System.out.printf("  n = %,7d: one EM iteration %.2f ms (%.0f ns/sample, %.1f passes), "
                            + "%.0f bytes allocated per iteration%n", n, it[0], it[0] * 1e6 / n, it[2], it[1]);
                }
                for (int n : new int[] {10_000, 100_000}) {
                    double[] f = fits(tm, n, atoms, n >= 100_000 ? Math.max(3, reps / 3) : reps);
                    System.out.printf("  fit at n = %,7d: median %.0f ms (quartiles %.0f-%.0f), median %.0f "
                            + "iterations, %d at the cap%n", n, f[0], f[1], f[2], f[3], (int) f[4]);
                }
            }
        }
    }
}
