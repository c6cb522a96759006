package org.prefixmoe.estimation.em;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.prefixmoe.TestModels;
import org.prefixmoe.model.Evaluator;
import org.prefixmoe.model.MixingMeasure;
import org.prefixmoe.model.PrefixModel;
import org.prefixmoe.model.TruthModel;
import org.prefixmoe.sampling.Dataset;
import org.prefixmoe.sampling.RandomStreams;
import org.prefixmoe.sampling.RegressionSampler;

/**
 * The vector and scalar kernels of EM's passes give the same statistics, likelihood, Q and
 * derivatives; the passes allocate nothing per sample; the scalar kernel is selected by property.
 */
class EmStateKernelTest {

    /** Entry-wise, relative to the larger of the entry and the statistic's largest entry. */
    private static void assertClose(double[] expected, double[] actual, String what) {
        double scale = 0;
        for (double e : expected) {
            scale = Math.max(scale, Math.abs(e));
        }
        for (int c = 0; c < expected.length; c++) {
            assertEquals(expected[c], actual[c], 1e-12 * scale, what + "[" + c + "]");
        }
    }

    /** Everything an E-step with derivatives and a Q pass produce, in one array per statistic. */
    private static double[][] passes(EmState st, Evaluator.Kernel kernel, double[] params, double s2) {
        st.setKernel(kernel);
        st.setParameters(params);
        int dim = params.length;
        double ll = st.eStep(s2, true);
        double[] grad = new double[dim];
        double[] hneg = new double[dim * dim];
        double qv = st.qFromStats(s2, grad, hneg);
        double[][] out = {{ll}, st.resp.clone(), st.ySum.clone(), st.zSum.clone(), st.yySum.clone(), {st.preSs},
            {st.lseSum}, st.hz.clone(), st.pz.clone(), {qv}, grad, hneg, null, null, null};
        // The gate-only pass of the M-step, with and without derivatives.
        double[] grad2 = new double[dim];
        double[] hneg2 = new double[dim * dim];
        out[12] = new double[] {st.q(s2, grad2, hneg2), st.q(s2, null, null)};
        out[13] = grad2;
        out[14] = hneg2;
        // Without derivatives the E-step gives the same likelihood and statistics.
        assertEquals(ll, st.eStep(s2, false), 0.0, "E-step without derivatives");
        return out;
    }

    @ParameterizedTest(name = "{0}, bias={1}, q={2}")
    @MethodSource("org.prefixmoe.model.EvaluatorTest#cases") // every variant, with and without bias, q = 1 and 3
    void vectorKernelEqualsScalarKernel(String variant, boolean bias, int q) {
        Assumptions.assumeTrue(Evaluator.vectorKernelAvailable(),
                "tests run with --add-modules jdk.incubator.vector (pom's surefire argLine)");
        String[] names = {"log-likelihood", "R", "Σ r Y", "Σ r z", "Σ r ||Y||²", "pretrained SS", "Σ log-normalizer",
            "gating curvature", "Σ π ẑ", "Q", "∂Q", "−∂²Q", "Q of the gate pass", "∂Q of the gate pass",
            "−∂²Q of the gate pass"};
        // One partial block, and several blocks with a partial last one: the padding must add nothing.
        for (int n : new int[] {45, 3 * EmState.BLOCK + 17}) {
            Random rnd = new Random(31 * n + q + (bias ? 7 : 0) + variant.hashCode());
            PrefixModel model = TestModels.randomModel(variant, 3, q, 2, 2, 2, bias, rnd);
            double[] x = TestModels.vector(n * 3, rnd);
            double[] y = TestModels.vector(n * q, rnd);
            EmState st = new EmState(model, x, y, model.pretrained().evaluate(x).logScore(), 3);
            double[] params = TestModels.randomMeasure(model, 3, rnd).pack();
            for (double s2 : new double[] {0.05, 1.3}) {
                double[][] s = passes(st, Evaluator.Kernel.SCALAR, params, s2);
                double[][] v = passes(st, Evaluator.Kernel.VECTOR, params, s2);
                for (int k = 0; k < s.length; k++) {
                    assertClose(s[k], v[k], variant + " bias " + bias + " q " + q + " n " + n + " σ² " + s2 + ": "
                            + names[k]);
                }
            }
        }
    }

    @Test
    void paddingAddsNothing() {
        // One pass over n samples (two blocks, the second almost all padding) gives the sums of the
        // passes over each sample alone (one live sample and 63 padded ones each).
        TruthModel tm = TestModels.defaultTruth("shared-linear");
        int n = EmState.BLOCK + 5;
        Dataset data = RegressionSampler.of(tm).sample(n, RandomStreams.stream(21));
        double[] x = data.x();
        double[] y = data.y();
        double[] params = new MixingMeasure(new double[][] {tm.truth().atom(0), tm.truth().atom(1),
            tm.truth().atom(0)}, new double[] {0.2, 0, -1}).pack();
        for (Evaluator.Kernel k : kernels()) {
            EmState all = new EmState(tm.model(), x, y, tm.model().pretrained().evaluate(x).logScore(), 3);
            all.setKernel(k);
            all.setParameters(params);
            double ll = all.eStep(0.02, true);
            double[] sums = new double[4];
            double[] resp = new double[3];
            for (int i = 0; i < n; i++) {
                double[] xi = java.util.Arrays.copyOfRange(x, i * 4, i * 4 + 4);
                double[] yi = java.util.Arrays.copyOfRange(y, i * 2, i * 2 + 2);
                EmState one = new EmState(tm.model(), xi, yi, tm.model().pretrained().evaluate(xi).logScore(), 3);
                one.setKernel(k);
                one.setParameters(params);
                sums[0] += one.eStep(0.02, true);
                sums[1] += one.preSs;
                sums[2] += one.lseSum;
                sums[3] += one.q(0.02, null, null);
                for (int l = 0; l < 3; l++) {
                    resp[l] += one.resp[l];
                }
            }
            assertEquals(sums[0], ll, 1e-12 * Math.abs(ll), k + ": log-likelihood");
            assertEquals(sums[1], all.preSs, 1e-12 * all.preSs, k + ": pretrained SS");
            assertEquals(sums[2], all.lseSum, 1e-12 * Math.abs(all.lseSum), k + ": Σ log-normalizer");
            assertEquals(sums[3], all.q(0.02, null, null), 1e-12 * Math.abs(sums[3]), k + ": Q");
            for (int l = 0; l < 3; l++) {
                assertEquals(resp[l], all.resp[l], 1e-12 * n, k + ": R_" + l);
            }
        }
    }

    private static long allocated() {
        return ((com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean())
                .getThreadAllocatedBytes(Thread.currentThread().getId());
    }

    @Test
    void passesAllocateNothingPerSample() {
        for (String name : new String[] {"shared-linear", "non-shared"}) {
            TruthModel tm = TestModels.defaultTruth(name);
            Dataset data = RegressionSampler.of(tm).sample(100_000, RandomStreams.stream(5));
            EmState st = new EmState(tm.model(), data.x(), data.y(), tm.model().pretrained().evaluate(data.x()).logScore(), 3);
            double[] params = new MixingMeasure(new double[][] {tm.truth().atom(0), tm.truth().atom(1),
                tm.truth().atom(0)}, new double[] {0, 0, -1}).pack();
            int dim = params.length;
            double[] grad = new double[dim];
            double[] hneg = new double[dim * dim];
            for (Evaluator.Kernel k : kernels()) {
                st.setKernel(k);
                st.setParameters(params);
                double sink = 0;
                for (int warm = 0; warm < 5; warm++) {
                    sink += st.eStep(0.01, true) + st.eStep(0.01, false) + st.q(0.01, grad, hneg) + st.q(0.01, null, null);
                }
                // The vector kernel allocates its vectors until the JIT has compiled it: measure after
                // warm-up, waiting for the compiler if it is slow.
                long bytes = Long.MAX_VALUE;
                for (int attempt = 0; attempt < 100 && bytes >= 4096; attempt++) {
                    long before = allocated();
                    sink += st.eStep(0.01, true) + st.eStep(0.01, false) + st.q(0.01, grad, hneg) + st.q(0.01, null, null);
                    bytes = allocated() - before;
                }
                // 100 000 samples: even one small object per sample would be megabytes.
                assertTrue(bytes < 4096, name + " " + k + ": four passes over 10^5 samples allocated " + bytes + " bytes");
                assertTrue(Double.isFinite(sink));
            }
        }
    }

    @Test
    void scalarKernelIsSelectedByProperty() {
        TruthModel tm = TestModels.defaultTruth("shared-linear");
        Dataset data = RegressionSampler.of(tm).sample(10, RandomStreams.stream(6));
        String old = System.getProperty("prefixmoe.vector");
        try {
            System.setProperty("prefixmoe.vector", "false");
            EmState st = new EmState(tm.model(), data.x(), data.y(), tm.model().pretrained().evaluate(data.x()).logScore(), 3);
            assertEquals(Evaluator.Kernel.SCALAR, st.kernel());
        } finally {
            if (old == null) {
                System.clearProperty("prefixmoe.vector");
            } else {
                System.setProperty("prefixmoe.vector", old);
            }
        }
        EmState st = new EmState(tm.model(), data.x(), data.y(), tm.model().pretrained().evaluate(data.x()).logScore(), 3);
        assertEquals(Evaluator.defaultKernel(), st.kernel());
    }

    /** Run without --add-modules: prints the kernel, then the log-likelihood of an E-step and Q. */
    public static void main(String[] args) {
        TruthModel tm = TestModels.defaultTruth("non-shared");
        Dataset data = RegressionSampler.of(tm).sample(1000, RandomStreams.stream(3));
        EmState st = new EmState(tm.model(), data.x(), data.y(), tm.model().pretrained().evaluate(data.x()).logScore(), 3);
        st.setParameters(new MixingMeasure(new double[][] {tm.truth().atom(0), tm.truth().atom(1),
            tm.truth().atom(0)}, new double[] {0, 0, -1}).pack());
        System.out.println(st.kernel() + " " + Evaluator.vectorKernelAvailable());
        System.out.println(st.eStep(0.01, true) + st.q(0.01, new double[15], new double[225]));
    }

    @Test
    void withoutTheIncubatorModuleTheScalarKernelRuns() throws IOException, InterruptedException {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        Process proc = new ProcessBuilder(java.toString(), "-cp", System.getProperty("java.class.path"),
                EmStateKernelTest.class.getName()).redirectErrorStream(true).start();
        assertTrue(proc.waitFor(60, TimeUnit.SECONDS), "child JVM did not finish");
        String out = new String(proc.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, proc.exitValue(), out);
        String[] lines = out.strip().split("\\R");
        assertEquals("SCALAR false", lines[0], out);
        assertTrue(Double.isFinite(Double.parseDouble(lines[1])), out);
    }

    private static Evaluator.Kernel[] kernels() {
        return Evaluator.vectorKernelAvailable() ? Evaluator.Kernel.values()
                : new Evaluator.Kernel[] {Evaluator.Kernel.SCALAR};
    }
}
