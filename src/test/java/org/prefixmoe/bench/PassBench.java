package org.prefixmoe.bench;

import java.nio.file.Path;
import java.util.Locale;
import org.prefixmoe.estimation.FitProblem;
import org.prefixmoe.model.Evaluator;
import org.prefixmoe.model.TruthModel;
import org.prefixmoe.io.ModelFiles;
import org.prefixmoe.sampling.Dataset;
import org.prefixmoe.sampling.RandomStreams;
import org.prefixmoe.sampling.RegressionSampler;

/**
 * Times the fused pass ({@code normalEquations}) on data of a model file's truth, L = 3 (or L), random
 * parameters, in thread CPU time per sample (the second of two rounds of {@code REPS} passes):
 * {@code java ... PassBench MODEL N REPS [L]}. With {@code -Dprefixmoe.block=64} (or 128, 512) it times
 * another block size of the pass (the same bits, {@code EvaluatorBlockTest}).
 */
public final class PassBench {
    private PassBench() {
    }

    /**
     * Entry point.
     *
     * @param args model file, n, repetitions
     * @throws Exception on bad input
     */
    public static void main(String[] args) throws Exception {
        TruthModel truth = ModelFiles.read(Path.of(args[0]));
        int n = Integer.parseInt(args[1]);
        int reps = Integer.parseInt(args[2]);
        Dataset data = new RegressionSampler(truth.model(), truth.truth(), truth.sigma(), truth.input())
                .sample(n, RandomStreams.stream(1, 2));
        int atoms = args.length > 3 ? Integer.parseInt(args[3]) : 3;
        FitProblem problem = new FitProblem(truth.model(), data, atoms, truth.box());
        Evaluator ev = problem.evaluator();
        int dim = ev.dimension();
        double[] x = new double[dim];
        java.util.SplittableRandom rnd = new java.util.SplittableRandom(3);
        for (int c = 0; c < dim; c++) {
            x[c] = rnd.nextDouble(-1, 1);
        }
        ev.setParameters(x);
        double[] a = new double[dim * dim];
        double[] r = new double[dim];
        java.lang.management.ThreadMXBean mx = java.lang.management.ManagementFactory.getThreadMXBean();
        long whole = 0;
        for (int round = 0; round < 2; round++) {
            whole = 0;
            for (int k = 0; k < reps; k++) {
                long t0 = mx.getCurrentThreadCpuTime();
                ev.normalEquations(data.y(), a, r);
                whole += mx.getCurrentThreadCpuTime() - t0;
            }
        }
        System.out.printf(Locale.ROOT, "%s n=%d L=%d: whole %.1f ns/sample%n", truth.model().parameterization().name(),
                n, atoms, whole / (double) reps / n);
    }
}
