package org.prefixmoe.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.prefixmoe.TestModels;
import org.prefixmoe.estimation.FitProblem;
import org.prefixmoe.estimation.FitResult;
import org.prefixmoe.estimation.LeastSquaresEstimator;
import org.prefixmoe.estimation.NearTruthInitializer;
import org.prefixmoe.sampling.Dataset;
import org.prefixmoe.sampling.RandomStreams;
import org.prefixmoe.sampling.RegressionSampler;

/**
 * The two kernels of the fused pass agree, the pass is bit-identical for any thread count, and
 * a JVM without the incubator module falls back to the scalar kernel.
 */
class EvaluatorKernelTest {

    /** The fused pass of one kernel and thread count: JᵀJ, Jᵀr and SSR in one array. */
    private static double[] pass(Evaluator ev, Evaluator.Kernel kernel, int threads, double[] y) {
        ev.setKernel(kernel);
        ev.setThreads(threads);
        int dim = ev.dimension();
        double[] jtj = new double[dim * dim];
        double[] jtr = new double[dim];
        double ssr = ev.normalEquations(y, jtj, jtr);
        double[] all = new double[dim * dim + dim + 1];
        System.arraycopy(jtj, 0, all, 0, dim * dim);
        System.arraycopy(jtr, 0, all, dim * dim, dim);
        all[all.length - 1] = ssr;
        return all;
    }

    static List<org.junit.jupiter.params.provider.Arguments> cases() {
        return EvaluatorTest.cases().toList();
    }

    @ParameterizedTest(name = "{0}, bias={1}, q={2}")
    @MethodSource("cases")
    void vectorKernelEqualsScalarKernel(String variant, boolean bias, int q) {
        org.junit.jupiter.api.Assumptions.assumeTrue(Evaluator.vectorKernelAvailable(),
                "tests run with --add-modules jdk.incubator.vector (pom's surefire argLine)");
        Random rnd = new Random(17 + q + (bias ? 3 : 0));
        PrefixModel model = TestModels.randomModel(variant, 3, q, 2, 2, 2, bias, rnd);
        // Two chunks and a partial block: every tail and padding path runs.
        int n = Evaluator.CHUNK + 300;
        double[] x = TestModels.vector(n * 3, rnd);
        double[] y = TestModels.vector(n * q, rnd);
        Evaluator ev = new Evaluator(model, 3, x, model.pretrained().evaluate(x));
        ev.setMeasure(TestModels.randomMeasure(model, 3, rnd));
        int dim = ev.dimension();
        double[] s = pass(ev, Evaluator.Kernel.SCALAR, 1, y);
        double[] v = pass(ev, Evaluator.Kernel.VECTOR, 1, y);
        // Bit for bit: the scalar kernel repeats the vector kernel's operations lane by lane.
        assertArrayEquals(v, s, "JᵀJ, Jᵀr and SSR of the scalar kernel");
        assertTrue(Double.isFinite(s[s.length - 1]) && s[s.length - 1] > 0, "a real pass");
        assertTrue(s[0] > 0, "JᵀJ has a positive first diagonal entry");
    }

    @Test
    void passIsBitIdenticalForAnyThreadCount() {
        for (String name : new String[] {"shared-linear", "non-shared"}) {
            TruthModel tm = TestModels.defaultTruth(name);
            Dataset data = RegressionSampler.of(tm).sample(5 * Evaluator.CHUNK + 17, RandomStreams.stream(11));
            Evaluator ev = new Evaluator(tm.model(), 3, data.x(), tm.model().pretrained().evaluate(data.x()));
            ev.setMeasure(new MixingMeasure(new double[][] {tm.truth().atom(0), tm.truth().atom(1),
                tm.truth().atom(0)}, new double[] {0.1, 0, -1}));
            for (Evaluator.Kernel k : kernels()) {
                double[] one = pass(ev, k, 1, data.y());
                assertArrayEquals(one, pass(ev, k, 2, data.y()), name + " " + k + ", 2 threads");
                assertArrayEquals(one, pass(ev, k, 3, data.y()), name + " " + k + ", 3 threads");
                assertArrayEquals(one, pass(ev, k, 8, data.y()), name + " " + k + ", 8 threads");
            }
        }
    }

    @Test
    void copiesShareTheDataButNotTheParameters() {
        TruthModel tm = TestModels.defaultTruth("shared-linear");
        Dataset data = RegressionSampler.of(tm).sample(2 * Evaluator.CHUNK + 9, RandomStreams.stream(14));
        FitProblem problem = new FitProblem(tm.model(), data, 3, tm.box());
        Evaluator direct = new Evaluator(tm.model(), 3, data.x(), problem.pretrained());
        Evaluator a = problem.evaluator();
        Evaluator b = problem.evaluator();
        Evaluator c = new Evaluator(a);
        MixingMeasure g = new MixingMeasure(new double[][] {tm.truth().atom(0), tm.truth().atom(1),
            tm.truth().atom(0)}, new double[] {0.1, 0, -1});
        MixingMeasure h = new MixingMeasure(new double[][] {tm.truth().atom(1), tm.truth().atom(0),
            tm.truth().atom(1)}, new double[] {-0.5, 0.2, 0});
        direct.setMeasure(g);
        a.setMeasure(g);
        b.setMeasure(h);
        c.setMeasure(g);
        for (Evaluator.Kernel k : kernels()) {
            double[] want = pass(direct, k, 1, data.y());
            assertArrayEquals(want, pass(a, k, 1, data.y()), k + ": evaluator of the problem");
            assertArrayEquals(want, pass(c, k, 2, data.y()), k + ": copy of a copy, 2 threads");
            assertTrue(pass(b, k, 1, data.y())[0] != want[0], k + ": another evaluator keeps its own parameters");
        }
    }

    @Test
    void warmUpEndsAndSwallowsBadShapes() {
        TruthModel tm = TestModels.defaultTruth("shared-linear");
        long t0 = System.nanoTime();
        Evaluator.warmUp(tm.model(), 3);
        assertTrue(System.nanoTime() - t0 < 10_000_000_000L, "the warm-up ends (3 s budget)");
        Evaluator.warmUp(tm.model(), -1);   // best effort: no exception escapes
    }

    @Test
    void fitIsBitIdenticalForAnyThreadCount() {
        TruthModel tm = TestModels.defaultTruth("shared-linear");
        Dataset data = RegressionSampler.of(tm).sample(3 * Evaluator.CHUNK + 5, RandomStreams.stream(12));
        FitProblem problem = new FitProblem(tm.model(), data, 3, tm.box());
        MixingMeasure start = new NearTruthInitializer(tm.truth()).start(problem, RandomStreams.stream(13));
        FitResult one = new LeastSquaresEstimator(LeastSquaresEstimator.Options.DEFAULT, 1).fit(problem, start);
        for (int threads : new int[] {2, 3}) {
            FitResult more = new LeastSquaresEstimator(LeastSquaresEstimator.Options.DEFAULT, threads).fit(problem, start);
            assertArrayEquals(one.estimate().pack(), more.estimate().pack(), threads + " threads: estimate");
            assertEquals(one.objective(), more.objective(), 0.0, threads + " threads: objective");
            assertEquals(one.iterations(), more.iterations(), threads + " threads: iterations");
        }
    }

    @Test
    void estimatorsOfScenariosUseOneThreadPerFit() {
        // Monte Carlo engines run one fit per core: their estimators must not split passes too.
        LeastSquaresEstimator ls = (LeastSquaresEstimator) org.prefixmoe.estimation.Estimators.byName("least-squares");
        assertEquals(1, ls.threads());
        assertEquals(1, new LeastSquaresEstimator().threads());
    }

    @Test
    void scalarKernelIsSelectedByProperty() {
        String old = System.getProperty("prefixmoe.vector");
        try {
            System.setProperty("prefixmoe.vector", "false");
            assertEquals(Evaluator.Kernel.SCALAR, Evaluator.defaultKernel());
        } finally {
            if (old == null) {
                System.clearProperty("prefixmoe.vector");
            } else {
                System.setProperty("prefixmoe.vector", old);
            }
        }
    }

    /** The SSR of a pass of this JVM's default kernel on a fixed small problem, its bits in hex. */
    private static String referenceSsr(StringBuilder kernel) {
        TruthModel tm = TestModels.defaultTruth("shared-linear");
        Dataset data = RegressionSampler.of(tm).sample(1000, RandomStreams.stream(3));
        Evaluator ev = new Evaluator(tm.model(), 3, data.x(), tm.model().pretrained().evaluate(data.x()));
        ev.setMeasure(new MixingMeasure(new double[][] {tm.truth().atom(0), tm.truth().atom(1),
            tm.truth().atom(0)}, new double[] {0, 0, -1}));
        int dim = ev.dimension();
        kernel.append(ev.kernel());
        return Long.toHexString(Double.doubleToRawLongBits(ev.normalEquations(data.y(), new double[dim * dim],
                new double[dim])));
    }

    /** Run without --add-modules: prints the kernel, then {@link #referenceSsr}. */
    public static void main(String[] args) {
        StringBuilder kernel = new StringBuilder();
        String ssr = referenceSsr(kernel);
        System.out.println(kernel + " " + Evaluator.vectorKernelAvailable());
        System.out.println(ssr);
    }

    @Test
    void withoutTheIncubatorModuleTheScalarKernelRuns() throws IOException, InterruptedException {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        Process proc = new ProcessBuilder(java.toString(), "-cp", System.getProperty("java.class.path"),
                EvaluatorKernelTest.class.getName()).redirectErrorStream(true).start();
        assertTrue(proc.waitFor(60, TimeUnit.SECONDS), "child JVM did not finish");
        String out = new String(proc.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, proc.exitValue(), out);
        String[] lines = out.strip().split("\\R");
        assertEquals("SCALAR false", lines[0], out);
        // The same bits as this JVM's default kernel (the vector one when the module is loaded).
        StringBuilder here = new StringBuilder();
        assertEquals(referenceSsr(here), lines[1], here + " kernel here: " + out);
        assertTrue(!out.contains("incubator"), "no incubator warning without the module: " + out);
    }

    private static Evaluator.Kernel[] kernels() {
        return Evaluator.vectorKernelAvailable() ? Evaluator.Kernel.values()
                : new Evaluator.Kernel[] {Evaluator.Kernel.SCALAR};
    }
}
