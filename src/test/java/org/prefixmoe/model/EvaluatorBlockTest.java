package org.prefixmoe.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.prefixmoe.TestModels;
import org.prefixmoe.estimation.FitProblem;
import org.prefixmoe.estimation.FitResult;
import org.prefixmoe.estimation.LeastSquaresEstimator;
import org.prefixmoe.estimation.NearTruthInitializer;
import org.prefixmoe.sampling.Dataset;
import org.prefixmoe.sampling.RandomStreams;
import org.prefixmoe.sampling.RegressionSampler;

/**
 * The block size of the fused pass changes its speed, never its bits: passes and whole fits in this
 * JVM (the default block, 256 samples) equal, bit for bit, those of a child JVM started with
 * {@code -Dprefixmoe.block=64} (the block size every committed row was computed with, whose sums
 * the grouping {@code SUM_BLOCK} keeps). Sizes with partial blocks and partial sum groups, several
 * chunks, all three parameterizations, both kernels.
 */
class EvaluatorBlockTest {

    /** One line per case: JᵀJ, Jᵀr and SSR bits of passes, then fits (estimate bits, iterations, passes, stop). */
    static List<String> fingerprints() {
        List<String> out = new ArrayList<>();
        for (String name : new String[] {"shared-linear", "shared-nonlinear", "non-shared"}) {
            TruthModel tm = TestModels.defaultTruth(name);
            for (int n : new int[] {40, 200, 1000, Evaluator.CHUNK + 300, 2 * Evaluator.CHUNK + 77}) {
                Dataset data = RegressionSampler.of(tm).sample(n, RandomStreams.stream(31, n));
                Evaluator ev = new Evaluator(tm.model(), 3, data.x(), tm.model().pretrained().evaluate(data.x()));
                ev.setMeasure(new MixingMeasure(new double[][] {tm.truth().atom(0), tm.truth().atom(1),
                    tm.truth().atom(0)}, new double[] {0.3, -0.2, -1}));
                for (Evaluator.Kernel k : Evaluator.vectorKernelAvailable() ? Evaluator.Kernel.values()
                        : new Evaluator.Kernel[] {Evaluator.Kernel.SCALAR}) {
                    ev.setKernel(k);
                    int dim = ev.dimension();
                    double[] jtj = new double[dim * dim];
                    double[] jtr = new double[dim];
                    double ssr = ev.normalEquations(data.y(), jtj, jtr);
                    out.add(name + " n=" + n + " " + k + ": " + bits(jtj) + " " + bits(jtr) + " "
                            + Long.toHexString(Double.doubleToRawLongBits(ssr)));
                }
            }
            Dataset data = RegressionSampler.of(tm).sample(1500, RandomStreams.stream(32));
            FitProblem problem = new FitProblem(tm.model(), data, 3, tm.box());
            MixingMeasure start = new NearTruthInitializer(tm.truth()).start(problem, RandomStreams.stream(33));
            FitResult fit = new LeastSquaresEstimator().fit(problem, start);
            out.add(name + " fit: " + bits(fit.estimate().pack()) + " "
                    + Long.toHexString(Double.doubleToRawLongBits(fit.objective())) + " " + fit.iterations() + " "
                    + fit.evaluations() + " " + fit.stopReason().label());
        }
        return out;
    }

    private static String bits(double[] a) {
        long h = 1;
        for (double v : a) {
            h = 31 * h + Double.doubleToRawLongBits(v);
        }
        return Long.toHexString(h);
    }

    /** The child JVM: prints its block size, then {@link #fingerprints()}. */
    public static void main(String[] args) {
        System.out.println("block " + Evaluator.BLOCK);
        for (String line : fingerprints()) {
            System.out.println(line);
        }
    }

    @Test
    void passesAndFitsAreTheSameForBlocksOf64() throws IOException, InterruptedException {
        assertNotEquals(64, Evaluator.BLOCK, "this JVM runs another block size than the child");
        List<String> lines = ChildJvm.run(EvaluatorBlockTest.class, "-Dprefixmoe.block=64");
        String out = String.join("\n", lines);
        assertEquals("block 64", lines.remove(0), out);
        List<String> here = fingerprints();
        assertEquals(here.size(), lines.size(), out);
        for (int i = 0; i < here.size(); i++) {
            assertEquals(lines.get(i), here.get(i), "block " + Evaluator.BLOCK + " against 64");
        }
    }

    @Test
    void blockSizeMustBeAMultipleOf64DividingTheChunk() {
        assertEquals(0, Evaluator.BLOCK % Evaluator.SUM_BLOCK);
        assertEquals(0, Evaluator.CHUNK % Evaluator.BLOCK);
    }
}
