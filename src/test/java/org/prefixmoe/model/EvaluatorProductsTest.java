package org.prefixmoe.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.prefixmoe.TestModels;

/**
 * The passes of the geodesic acceleration (issue 23): residual vectors, {@code Jᵀw} for any w, and
 * the second directional derivative of the residuals, against finite differences and the fused pass.
 */
class EvaluatorProductsTest {
    private static final int N = 60;

    private record Setup(Evaluator ev, double[] y, double[] theta, Random rnd, int q) {
    }

    private static Setup setup(String variant, boolean bias, int q) {
        Random rnd = new Random(variant.hashCode() * 17L + q + (bias ? 3 : 0));
        PrefixModel model = TestModels.randomModel(variant, 3, q, 2, 2, 2, bias, rnd);
        double[] x = TestModels.vector(N * 3, rnd);
        double[] y = TestModels.vector(N * q, rnd);
        Evaluator ev = new Evaluator(model, 3, x, model.pretrained().evaluate(x));
        double[] theta = TestModels.randomMeasure(model, 3, rnd).pack();
        ev.setParameters(theta);
        return new Setup(ev, y, theta, rnd, q);
    }

    /** {@return x + t v} */
    private static double[] shifted(double[] x, double[] v, double t) {
        double[] out = x.clone();
        for (int c = 0; c < out.length; c++) {
            out[c] += t * v[c];
        }
        return out;
    }

    private static double[] residualsAt(Evaluator ev, double[] y, double[] theta) {
        ev.setParameters(theta);
        double[] r = new double[y.length];
        ev.residuals(y, r);
        return r;
    }

    @ParameterizedTest(name = "{0}, bias={1}, q={2}")
    @MethodSource("org.prefixmoe.model.EvaluatorTest#cases")
    void productsMatchTheFusedPassAndFiniteDifferences(String variant, boolean bias, int q) {
        Setup s = setup(variant, bias, q);
        residualsAndJacobianTransposeProductMatchTheFusedPass(s);
        jacobianTransposeProductMatchesCentralDifferences(s);
        secondDirectionalDerivativeMatchesCentralSecondDifferences(s);
    }

    private static void residualsAndJacobianTransposeProductMatchTheFusedPass(Setup s) {
        s.ev().setParameters(s.theta());
        int q = s.q();
        Evaluator ev = s.ev();
        int dim = ev.dimension();
        double[] r = new double[N * q];
        double ssr = ev.residuals(s.y(), r);
        double[] f = new double[q];
        double direct = 0;
        for (int i = 0; i < N; i++) {
            ev.value(i, f);
            for (int a = 0; a < q; a++) {
                assertEquals(f[a] - s.y()[i * q + a], r[i * q + a], 0.0);
                direct += r[i * q + a] * r[i * q + a];
            }
        }
        assertEquals(direct, ssr, 0.0);
        double[] jtj = new double[dim * dim];
        double[] jtr = new double[dim];
        double fused = ev.normalEquations(s.y(), jtj, jtr);
        assertEquals(fused, ssr, 1e-12 * fused);
        double[] jtw = new double[dim];
        ev.jacobianTransposeTimes(r, jtw);
        for (int c = 0; c < dim; c++) {
            assertEquals(jtr[c], jtw[c], 1e-10 * (1 + Math.abs(jtr[c])), "coordinate " + c);
        }
    }

    /** {@code Jᵀw} is the gradient of {@code wᵀ f(θ)}: central differences, for a w that is not a residual. */
    private static void jacobianTransposeProductMatchesCentralDifferences(Setup s) {
        s.ev().setParameters(s.theta());
        int q = s.q();
        Evaluator ev = s.ev();
        int dim = ev.dimension();
        double[] w = TestModels.vector(N * q, s.rnd());
        double[] jtw = new double[dim];
        ev.jacobianTransposeTimes(w, jtw);
        double h = 1e-6;
        double err = 0;
        double norm = 0;
        for (int c = 0; c < dim; c++) {
            double[] unit = new double[dim];
            unit[c] = 1;
            // wᵀ(f − y) differs from wᵀf by a constant.
            double[] rp = residualsAt(ev, s.y(), shifted(s.theta(), unit, h));
            double[] rm = residualsAt(ev, s.y(), shifted(s.theta(), unit, -h));
            double fd = 0;
            for (int k = 0; k < w.length; k++) {
                fd += w[k] * (rp[k] - rm[k]) / (2 * h);
            }
            err += (jtw[c] - fd) * (jtw[c] - fd);
            norm += fd * fd;
        }
        assertTrue(norm > 0);
        assertTrue(Math.sqrt(err / norm) < 1e-6, "relative error " + Math.sqrt(err / norm));
    }

    /**
     * The Transtrum–Sethna finite difference with a small h against the central second difference
     * {@code (r(x+εv) − 2r(x) + r(x−εv))/ε²}; {@code Jᵀr''} against the product of the returned
     * {@code r''}; and with h = 0.1 the formula is exact on the quadratic part only (its error is
     * {@code h r'''/3 + O(h²)}), so it differs from the small-h value by about that.
     */
    private static void secondDirectionalDerivativeMatchesCentralSecondDifferences(Setup s) {
        s.ev().setParameters(s.theta());
        int q = s.q();
        Evaluator ev = s.ev();
        int dim = ev.dimension();
        double[] v = TestModels.vector(dim, s.rnd());
        double[] x = s.theta();
        double h = 1e-3;
        double[] stepped = residualsAt(ev, s.y(), shifted(x, v, h));
        ev.setParameters(x);
        double[] second = new double[N * q];
        double[] jtr2 = new double[dim];
        ev.secondDirectional(s.y(), stepped, v, h, second, jtr2);

        double eps = 1e-4;
        double[] rp = residualsAt(ev, s.y(), shifted(x, v, eps));
        double[] rm = residualsAt(ev, s.y(), shifted(x, v, -eps));
        double[] r0 = residualsAt(ev, s.y(), x);
        double err = 0;
        double norm = 0;
        for (int k = 0; k < second.length; k++) {
            double central = (rp[k] - 2 * r0[k] + rm[k]) / (eps * eps);
            err += (second[k] - central) * (second[k] - central);
            norm += central * central;
        }
        assertTrue(norm > 0, "the residuals must curve");
        assertTrue(Math.sqrt(err / norm) < 1e-2, "relative error " + Math.sqrt(err / norm));

        ev.setParameters(x);
        double[] direct = new double[dim];
        ev.jacobianTransposeTimes(second, direct);
        for (int c = 0; c < dim; c++) {
            assertEquals(direct[c], jtr2[c], 1e-9 * (1 + Math.abs(direct[c])), "coordinate " + c);
        }
    }

    /** On a model linear in the parameters along v (zero curvature) the formula gives zero. */
    @Test
    void secondDirectionalDerivativeVanishesAlongAZeroStep() {
        Setup s = setup("non-shared", true, 2);
        Evaluator ev = s.ev();
        int dim = ev.dimension();
        double[] stepped = residualsAt(ev, s.y(), s.theta());
        ev.setParameters(s.theta());
        double[] second = new double[N * 2];
        double[] out = new double[dim];
        ev.secondDirectional(s.y(), stepped, new double[dim], 0.1, second, out);
        for (double w : second) {
            assertEquals(0.0, w, 0.0);
        }
        assertThrows(IllegalArgumentException.class,
                () -> ev.secondDirectional(s.y(), stepped, new double[dim], 0.0, null, out));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ev.jacobianTransposeTimes(new double[3], out));
        assertTrue(e.getMessage().startsWith("w:"), e.getMessage());
    }
}
