package org.prefixmoe.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.prefixmoe.TestModels;

class EvaluatorTest {

    static Stream<Arguments> cases() {
        Stream.Builder<Arguments> b = Stream.builder();
        for (String v : TestModels.parameterizationVariants()) {
            for (boolean bias : new boolean[] {true, false}) {
                for (int q : new int[] {1, 3}) {
                    b.add(Arguments.of(v, bias, q));
                }
            }
        }
        return b.build();
    }

    @ParameterizedTest(name = "{0}, bias={1}, q={2}")
    @MethodSource("cases")
    void jacobianMatchesCentralDifferences(String variant, boolean bias, int q) {
        Random rnd = new Random(variant.hashCode() * 31L + q + (bias ? 7 : 0));
        int d = 3;
        int r = 2;
        int m = variant.equals("prompt-tuning") ? 2 : 2;
        PrefixModel model = TestModels.randomModel(variant, d, q, r, m, 2, bias, rnd);
        int atoms = 3;
        double[] x = TestModels.vector(5 * d, rnd);
        Evaluator ev = new Evaluator(model, atoms, x, model.pretrained().evaluate(x));
        double[] theta = TestModels.randomMeasure(model, atoms, rnd).pack();
        int dim = ev.dimension();
        assertEquals(atoms * model.parametersPerAtom(), dim);
        double[] f = new double[q];
        double[] jac = new double[q * dim];
        double[] fp = new double[q];
        double[] fm = new double[q];
        double h = 1e-6;
        for (int i = 0; i < 5; i++) {
            ev.setParameters(theta);
            ev.valueAndJacobian(i, f, jac);
            double err = 0;
            double norm = 0;
            for (int c = 0; c < dim; c++) {
                double[] tp = theta.clone();
                double[] tm = theta.clone();
                tp[c] += h;
                tm[c] -= h;
                ev.setParameters(tp);
                ev.value(i, fp);
                ev.setParameters(tm);
                ev.value(i, fm);
                for (int a = 0; a < q; a++) {
                    double fd = (fp[a] - fm[a]) / (2 * h);
                    err += Math.pow(jac[a * dim + c] - fd, 2);
                    norm += fd * fd;
                }
            }
            assertTrue(norm > 0, "Jacobian must not vanish");
            assertTrue(Math.sqrt(err / norm) < 1e-6, "relative Jacobian error " + Math.sqrt(err / norm));
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void normalEquationsEqualExplicitProducts(String variant, boolean bias, int q) {
        Random rnd = new Random(99 + q);
        PrefixModel model = TestModels.randomModel(variant, 3, q, 2, 2, 2, bias, rnd);
        // 300 samples: two full blocks of the blocked kernel and a partial one.
        int n = 300;
        double[] x = TestModels.vector(n * 3, rnd);
        double[] y = TestModels.vector(n * q, rnd);
        Evaluator ev = new Evaluator(model, 2, x, model.pretrained().evaluate(x));
        ev.setMeasure(TestModels.randomMeasure(model, 2, rnd));
        int dim = ev.dimension();
        double[] jtj = new double[dim * dim];
        double[] jtr = new double[dim];
        double ssr = ev.normalEquations(y, jtj, jtr);
        double[] expJtJ = new double[dim * dim];
        double[] expJtr = new double[dim];
        double expSsr = 0;
        double[] f = new double[q];
        double[] jac = new double[q * dim];
        for (int i = 0; i < n; i++) {
            ev.valueAndJacobian(i, f, jac);
            for (int a = 0; a < q; a++) {
                double res = f[a] - y[i * q + a];
                expSsr += res * res;
                for (int c1 = 0; c1 < dim; c1++) {
                    expJtr[c1] += jac[a * dim + c1] * res;
                    for (int c2 = 0; c2 < dim; c2++) {
                        expJtJ[c1 * dim + c2] += jac[a * dim + c1] * jac[a * dim + c2];
                    }
                }
            }
        }
        assertEquals(expSsr, ssr, 1e-12 * Math.max(1, expSsr));
        assertEquals(expSsr, ev.sumOfSquares(y), 1e-12 * Math.max(1, expSsr));
        assertArrayEquals(expJtr, jtr, 1e-10);
        assertArrayEquals(expJtJ, jtj, 1e-10);
    }

    @Test
    void softmaxIsStableForHugeScores() {
        // One pretrained expert with score x^T A x = ±1000 at x = (1): A = [[±1000]].
        for (double s : new double[] {1000, -1000}) {
            PretrainedExperts ex = new PretrainedExperts(new double[][][] {{{s}}}, new double[] {0},
                    new double[][][] {{{0}}}, new double[][] {{5.0}});
            PrefixModel model = new PrefixModel(ex, new double[][] {{1}}, new NonShared(1, 1), true);
            // Prompt score kappa^T x + b = 1000 * k at x = 1.
            MixingMeasure g = new MixingMeasure(new double[][] {{1000, -3.0}, {-1000, 7.0}}, new double[] {0, 0});
            double[] f = model.regression(g, new double[] {1.0});
            assertTrue(Double.isFinite(f[0]));
            // Scores: pretrained s, prompt 1 = 1000, prompt 2 = -1000.
            double expected = s > 0 ? (5.0 - 3.0) / 2 : -3.0;
            assertEquals(expected, f[0], 1e-12, "score " + s);
            Evaluator ev = new Evaluator(model, 2, new double[] {1.0}, ex.evaluate(new double[] {1.0}));
            ev.setMeasure(g);
            double[] jac = new double[ev.dimension()];
            ev.valueAndJacobian(0, f, jac);
            for (double v : jac) {
                assertTrue(Double.isFinite(v));
            }
        }
    }

    @Test
    void regressionReducesToPretrainedMeanWhenPromptsAreOff() {
        Random rnd = new Random(3);
        PrefixModel model = TestModels.randomModel("shared-linear", 3, 2, 2, 2, 2, true, rnd);
        double[] x = TestModels.vector(3, rnd);
        MixingMeasure off = new MixingMeasure(new double[][] {{0.1, 0.2}}, new double[] {-800});
        double[] f = model.regression(off, x);
        PretrainedPart part = model.pretrained().evaluate(x);
        assertArrayEquals(part.mean(), f, 1e-12);
        // And the pretrained mean by hand: softmax of the two scores.
        double s0 = model.pretrained().score(0, x, 0);
        double s1 = model.pretrained().score(1, x, 0);
        double w0 = 1 / (1 + Math.exp(s1 - s0));
        double[] h0 = new double[2];
        double[] h1 = new double[2];
        model.pretrained().output(0, x, 0, h0, 0);
        model.pretrained().output(1, x, 0, h1, 0);
        for (int a = 0; a < 2; a++) {
            assertEquals(w0 * h0[a] + (1 - w0) * h1[a], f[a], 1e-12);
        }
    }
}
