package org.prefixmoe.model;

import org.prefixmoe.sampling.RegressionSampler;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;
import org.junit.jupiter.api.Test;
import org.prefixmoe.TestModels;
import org.prefixmoe.model.TruthModel;
import org.prefixmoe.sampling.Dataset;
import org.prefixmoe.sampling.RandomStreams;

/** The hot loops allocate nothing per sample: bytes allocated by a pass do not grow with n. */
class EvaluatorAllocationTest {

    private static long allocated() {
        return ((com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean())
                .getThreadAllocatedBytes(Thread.currentThread().getId());
    }

    @Test
    void passesOverTheDataAllocateNothingPerSample() {
        for (String name : new String[] {"shared-linear", "non-shared", "shared-mlp"}) {
            TruthModel tm = TestModels.defaultTruth(name);
            Dataset data = RegressionSampler.of(tm).sample(100_000, RandomStreams.stream(5));
            Evaluator ev = new Evaluator(tm.model(), 3, data.x(), tm.model().pretrained().evaluate(data.x()));
            MixingMeasure g = new MixingMeasure(new double[][] {tm.truth().atom(0), tm.truth().atom(1),
                tm.truth().atom(0)}, new double[] {0, 0, -1});
            double[] params = g.pack();
            int dim = ev.dimension();
            double[] jtj = new double[dim * dim];
            double[] jtr = new double[dim];
            double sink = 0;
            for (Evaluator.Kernel kernel : Evaluator.vectorKernelAvailable() ? Evaluator.Kernel.values()
                    : new Evaluator.Kernel[] {Evaluator.Kernel.SCALAR}) {
                ev.setKernel(kernel);
                for (int warm = 0; warm < 5; warm++) {
                    ev.setParameters(params);
                    sink += ev.normalEquations(data.y(), jtj, jtr) + ev.sumOfSquares(data.y());
                }
                // The vector kernel allocates its vectors until the JIT has compiled it (then they
                // live in registers): measure after warm-up, waiting for the compiler if it is slow.
                long bytes = Long.MAX_VALUE;
                for (int attempt = 0; attempt < 100 && bytes >= 4096; attempt++) {
                    long before = allocated();
                    ev.setParameters(params);
                    sink += ev.normalEquations(data.y(), jtj, jtr);
                    sink += ev.sumOfSquares(data.y());
                    bytes = allocated() - before;
                }
                // 100 000 samples: even one small object per sample would be megabytes.
                assertTrue(bytes < 4096, name + ", " + kernel + ": a pass over 10^5 samples allocated " + bytes
                        + " bytes");
            }
            assertTrue(Double.isFinite(sink));
        }
    }
}
