package org.prefixmoe.model.moe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;

/** Derivatives against finite differences and M-steps against brute-force maximization. */
class PartsTest {
    private static final Random RND = new Random(7);

    private static double[] inputs(int n, int d) {
        double[] x = new double[n * d];
        for (int a = 0; a < x.length; a++) {
            x[a] = RND.nextGaussian();
        }
        return x;
    }

    /** Random responsibilities over {@code t} components, rows summing to 1. */
    private static double[] responsibilities(int n, int t) {
        double[] r = new double[n * t];
        for (int i = 0; i < n; i++) {
            double s = 0;
            for (int c = 0; c < t; c++) {
                r[i * t + c] = RND.nextDouble();
                s += r[i * t + c];
            }
            for (int c = 0; c < t; c++) {
                r[i * t + c] /= s;
            }
        }
        return r;
    }

    @Test
    void linearExpertJacobianMatchesFiniteDifferences() {
        LinearExpert e = new LinearExpert(3, 2);
        double[] eta = inputs(1, e.parameterCount());
        double[] x = inputs(1, 3);
        double[] jac = new double[2 * e.parameterCount()];
        e.jacobian(eta, x, 0, jac);
        double[] plus = new double[2];
        double[] minus = new double[2];
        for (int p = 0; p < eta.length; p++) {
            double[] ep = eta.clone();
            double[] em = eta.clone();
            ep[p] += 1e-6;
            em[p] -= 1e-6;
            e.mean(ep, x, 0, plus, 0);
            e.mean(em, x, 0, minus, 0);
            for (int o = 0; o < 2; o++) {
                assertEquals((plus[o] - minus[o]) / 2e-6, jac[o * eta.length + p], 1e-8);
            }
        }
    }

    /** Weighted least squares: the closed form is a stationary point no perturbation improves. */
    @Test
    void expertMStepsAreWeightedLeastSquaresMaximizers() {
        for (Expert e : new Expert[] {new LinearExpert(2, 2), new ConstantExpert(2, 2)}) {
            int n = 200;
            double[] x = inputs(n, 2);
            double[] y = inputs(n, 2);
            double[] w = responsibilities(n, 3);
            double[] eta = e.weightedFit(x, y, n, w, 3, 1, new double[e.parameterCount()]);
            double best = weightedSse(e, eta, x, y, n, w);
            for (int p = 0; p < eta.length; p++) {
                for (double h : new double[] {1e-4, -1e-4}) {
                    double[] t = eta.clone();
                    t[p] += h;
                    assertTrue(weightedSse(e, t, x, y, n, w) > best, e.name() + " coordinate " + p);
                }
                double[] tp = eta.clone();
                double[] tm = eta.clone();
                tp[p] += 1e-5;
                tm[p] -= 1e-5;
                double grad = (weightedSse(e, tp, x, y, n, w) - weightedSse(e, tm, x, y, n, w)) / 2e-5;
                assertEquals(0, grad, 1e-6 * n);
            }
        }
    }

    private static double weightedSse(Expert e, double[] eta, double[] x, double[] y, int n, double[] w) {
        double[] h = new double[2];
        double s = 0;
        for (int i = 0; i < n; i++) {
            e.mean(eta, x, i * 2, h, 0);
            s += w[i * 3 + 1] * ((y[2 * i] - h[0]) * (y[2 * i] - h[0]) + (y[2 * i + 1] - h[1]) * (y[2 * i + 1] - h[1]));
        }
        return s;
    }

    /**
     * The IRLS M-step of the softmax gate ends where the finite-difference gradient of
     * {@code Q = Σ τ log π} vanishes, with and without frozen scores; it starts far away.
     */
    @Test
    void softmaxGateMStepReachesTheStationaryPointOfQ() {
        int n = 300;
        int d = 2;
        for (int frozenCount : new int[] {0, 2}) {
            int k = 3;
            SoftmaxGate gate = new SoftmaxGate(d, k, frozenCount == 0 ? k - 1 : -1);
            double[] x = inputs(n, d);
            double[] frozen = inputs(n, frozenCount);
            double[] resp = responsibilities(n, k + frozenCount);
            double[][] start = new double[k][d + 1];
            start[0][0] = 3;
            double[][] fit = gate.maximize(start, x, n, frozen, frozenCount, resp, 1e-15);
            double q = gate.objective(fit, x, n, frozen, frozenCount, resp);
            assertTrue(q >= gate.objective(start, x, n, frozen, frozenCount, resp));
            // EM's default stops once a Newton step gains less than 1e-8 relative: within that of the maximum
            double qDefault = gate.objective(gate.maximize(start, x, n, frozen, frozenCount, resp), x, n, frozen,
                    frozenCount, resp);
            assertTrue(qDefault <= q + 1e-12 * Math.abs(q) && qDefault >= q - 1e-7 * Math.abs(q), qDefault + " vs " + q);
            for (int c = 0; c < k; c++) {
                if (c == gate.reference()) {
                    assertEquals(0, fit[c][0]);
                    continue;
                }
                for (int a = 0; a <= d; a++) {
                    double[][] p = copy(fit);
                    double[][] m = copy(fit);
                    p[c][a] += 1e-5;
                    m[c][a] -= 1e-5;
                    double grad = (gate.objective(p, x, n, frozen, frozenCount, resp)
                            - gate.objective(m, x, n, frozen, frozenCount, resp)) / 2e-5;
                    assertEquals(0, grad, 1e-5, "frozen " + frozenCount + " component " + c + " coordinate " + a);
                }
            }
        }
    }

    /** The Gaussian gate's closed-form M-step: no perturbation of π (on the simplex), c or Γ increases Q. */
    @Test
    void gaussianGateMStepMaximizesQ() {
        int n = 400;
        int d = 2;
        int k = 3;
        GaussianGate gate = new GaussianGate(d, k);
        double[] x = inputs(n, d);
        double[] resp = responsibilities(n, k);
        double[][] start = new double[k][];
        for (int c = 0; c < k; c++) {
            start[c] = new double[] {1.0 / k, 0, 0, 1, 0, 0, 1};
        }
        double[][] fit = gate.maximize(start, x, n, new double[0], 0, resp);
        double best = q(gate, fit, x, n, resp);
        assertTrue(best > q(gate, start, x, n, resp));
        for (int c = 0; c < k; c++) {
            for (int a = 1; a < fit[c].length; a++) {
                for (double h : new double[] {1e-3, -1e-3}) {
                    double[][] t = copy(fit);
                    t[c][a] += h;
                    if (a >= 1 + d) {
                        // keep Γ symmetric: move the mirrored entry too
                        int r = (a - 1 - d) / d;
                        int col = (a - 1 - d) % d;
                        t[c][1 + d + col * d + r] = t[c][a];
                    }
                    assertTrue(q(gate, t, x, n, resp) < best, "component " + c + " coordinate " + a);
                }
            }
            double[][] t = copy(fit);
            t[c][0] += 1e-3;
            t[(c + 1) % k][0] -= 1e-3;
            assertTrue(q(gate, t, x, n, resp) < best);
        }
    }

    private static double q(GaussianGate gate, double[][] p, double[] x, int n, double[] resp) {
        Gate.Weights w = gate.at(p);
        int k = p.length;
        double[] lw = new double[k];
        double s = 0;
        for (int i = 0; i < n; i++) {
            w.logWeights(x, i * 2, new double[0], 0, lw);
            for (int c = 0; c < k; c++) {
                s += resp[i * k + c] * lw[c];
            }
        }
        return s;
    }

    private static double[][] copy(double[][] a) {
        double[][] c = new double[a.length][];
        for (int i = 0; i < a.length; i++) {
            c[i] = a[i].clone();
        }
        return c;
    }
}
