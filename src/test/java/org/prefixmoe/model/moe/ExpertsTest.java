package org.prefixmoe.model.moe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The experts of part 2 (FFN with each activation, polynomial): Jacobians and activation
 * derivatives against finite differences, the polynomial's closed-form weighted least squares
 * against FD stationarity and perturbations, the FFN's Levenberg–Marquardt never increasing the
 * weighted error and recovering a known expert.
 */
class ExpertsTest {
    private static final double H = 1e-6;

    static List<Expert> experts() {
        return List.of(new FfnExpert(3, 2, Activation.RELU), new FfnExpert(3, 2, Activation.GELU),
                new FfnExpert(3, 2, Activation.SIGMOID), new FfnExpert(3, 2, Activation.TANH),
                new FfnExpert(1, 1, Activation.TANH), new PolynomialExpert(1, 1, 3), new PolynomialExpert(3, 2, 2),
                new IndexExpert(3, Activation.TANH), new IndexExpert(2, Activation.SIGMOID),
                new IndexExpert(1, Activation.GELU));
    }

    private static double[] gaussian(int n, Random rnd) {
        double[] v = new double[n];
        for (int i = 0; i < n; i++) {
            v[i] = rnd.nextGaussian();
        }
        return v;
    }

    @Test
    void activationDerivativesMatchFiniteDifferences() {
        for (Activation a : Activation.values()) {
            for (double z : new double[] {-3, -0.7, -0.1, 0.2, 1.1, 4}) {
                double fd = (a.value(z + H) - a.value(z - H)) / (2 * H);
                assertEquals(fd, a.derivative(z), 1e-8, a + " at " + z);
            }
        }
        assertEquals(0.5 * 1.5 * (1 + org.hipparchus.special.Erf.erf(1.5 / Math.sqrt(2))), Activation.GELU.value(1.5),
                1e-15);
        // Φ against the library's incomplete-gamma erfc, over the body and the tails
        for (double z = -12; z <= 12; z += 0.037) {
            double phi = 0.5 * org.hipparchus.special.Erf.erfc(-z / Math.sqrt(2));
            assertEquals(phi, Activation.normalCdf(z), 1e-15, "Phi(" + z + ")");
            assertEquals(1, Activation.normalCdf(-Math.abs(z)) / (0.5 * org.hipparchus.special.Erf.erfc(Math.abs(z) / Math.sqrt(2))), Math.abs(z) < 3 ? 1e-13 : 2e-8, "lower tail at " + z);
        }
        assertEquals(Math.log(Activation.sigmoid(-3)), Activation.logSigmoid(-3), 1e-15);
        assertEquals(-800, Activation.logSigmoid(-800), 1e-12);
    }

    @Test
    void jacobiansMatchFiniteDifferences() {
        Random rnd = new Random(4);
        for (Expert e : experts()) {
            int q = e.outputDimension();
            int p = e.parameterCount();
            for (int rep = 0; rep < 5; rep++) {
                double[] eta = gaussian(p, rnd);
                double[] x = gaussian(e.inputDimension(), rnd);
                double[] jac = new double[q * p];
                e.jacobian(eta, x, 0, jac);
                double[] plus = new double[q];
                double[] minus = new double[q];
                for (int a = 0; a < p; a++) {
                    double[] ep = eta.clone();
                    double[] em = eta.clone();
                    ep[a] += H;
                    em[a] -= H;
                    e.mean(ep, x, 0, plus, 0);
                    e.mean(em, x, 0, minus, 0);
                    for (int o = 0; o < q; o++) {
                        double fd = (plus[o] - minus[o]) / (2 * H);
                        assertEquals(fd, jac[o * p + a], 1e-7 * (1 + Math.abs(fd)), e.name() + " " + e + " dh_" + o
                                + "/d eta_" + a);
                    }
                }
            }
        }
    }

    private static double weightedSse(Expert e, double[] eta, double[] x, double[] y, int n, double[] w) {
        int q = e.outputDimension();
        int d = e.inputDimension();
        double[] h = new double[q];
        double s = 0;
        for (int i = 0; i < n; i++) {
            e.mean(eta, x, i * d, h, 0);
            for (int o = 0; o < q; o++) {
                s += w[i * 2 + 1] * (y[i * q + o] - h[o]) * (y[i * q + o] - h[o]);
            }
        }
        return s;
    }

    /** The polynomial expert's closed form: the gradient of the weighted error vanishes and no perturbation improves it. */
    @Test
    void polynomialFitIsTheWeightedLeastSquaresMinimizer() {
        Random rnd = new Random(8);
        for (PolynomialExpert e : new PolynomialExpert[] {new PolynomialExpert(1, 1, 4), new PolynomialExpert(2, 2, 2)}) {
            int n = 300;
            double[] x = gaussian(n * e.inputDimension(), rnd);
            double[] y = gaussian(n * e.outputDimension(), rnd);
            double[] w = new double[2 * n];
            for (int i = 0; i < n; i++) {
                w[2 * i + 1] = rnd.nextDouble();
            }
            double[] eta = e.weightedFit(x, y, n, w, 2, 1, new double[e.parameterCount()]);
            double best = weightedSse(e, eta, x, y, n, w);
            for (int a = 0; a < eta.length; a++) {
                for (double h : new double[] {1e-4, -1e-4}) {
                    double[] t = eta.clone();
                    t[a] += h;
                    assertTrue(weightedSse(e, t, x, y, n, w) > best, e.blocks() + " coordinate " + a);
                }
                double[] tp = eta.clone();
                double[] tm = eta.clone();
                tp[a] += 1e-5;
                tm[a] -= 1e-5;
                assertEquals(0, (weightedSse(e, tp, x, y, n, w) - weightedSse(e, tm, x, y, n, w)) / 2e-5, 1e-6 * n);
            }
        }
        // an exact cubic is recovered to rounding
        PolynomialExpert cubic = new PolynomialExpert(1, 1, 3);
        int n = 50;
        double[] x = gaussian(n, rnd);
        double[] y = new double[n];
        double[] w = new double[2 * n];
        for (int i = 0; i < n; i++) {
            y[i] = 0.5 - x[i] + 2 * x[i] * x[i] - 0.3 * x[i] * x[i] * x[i];
            w[2 * i + 1] = 1;
        }
        double[] eta = cubic.weightedFit(x, y, n, w, 2, 1, new double[4]);
        double[] expected = {-1, 2, -0.3, 0.5};
        for (int a = 0; a < 4; a++) {
            assertEquals(expected[a], eta[a], 1e-10);
        }
        assertEquals(List.of("a1", "a2", "a3", "b"), cubic.blocks().stream().map(Block::name).toList());
    }

    /**
     * Levenberg–Marquardt from a start never increases the weighted error, and from a rough start
     * on noiseless data of a known FFN it reaches the truth (ReLU: its function, the parameters
     * being identified only up to scale).
     */
    @Test
    void ffnFitNeverIncreasesTheErrorAndRecoversAKnownExpert() {
        Random rnd = new Random(12);
        int n = 400;
        for (Activation act : new Activation[] {Activation.RELU, Activation.GELU, Activation.SIGMOID, Activation.TANH}) {
            FfnExpert e = new FfnExpert(2, 1, act);
            double[] truth = {1.2, -0.8, 0.3, 2.0};
            double[] x = gaussian(2 * n, rnd);
            double[] y = new double[n];
            double[] w = new double[2 * n];
            for (int i = 0; i < n; i++) {
                e.mean(truth, x, 2 * i, y, i);
                w[2 * i + 1] = 0.5 + rnd.nextDouble();
            }
            double[] start = {1.0, -0.5, 0.1, 1.6};
            double err = e.weightedError(start, x, y, n, w, 2, 1);
            double[] eta = start;
            for (int round = 0; round < 10; round++) {
                eta = e.weightedFit(x, y, n, w, 2, 1, eta);
                double next = e.weightedError(eta, x, y, n, w, 2, 1);
                assertTrue(next <= err, act + " round " + round + ": " + next + " > " + err);
                err = next;
            }
            assertTrue(err < 1e-12 * n, act + ": error " + err);
            if (act != Activation.RELU) {
                for (int a = 0; a < 4; a++) {
                    assertEquals(truth[a], eta[a], 1e-5, act + " coordinate " + a);
                }
            }
            // pure noise: the fit still never increases the error from any start
            double[] noise = gaussian(n, rnd);
            double before = e.weightedError(truth, x, noise, n, w, 2, 1);
            assertTrue(e.weightedError(e.weightedFit(x, noise, n, w, 2, 1, truth), x, noise, n, w, 2, 1) <= before);
        }
        assertEquals(List.of("kappa1", "kappa0", "kappa2"), new FfnExpert(3, 2, Activation.TANH).blocks().stream()
                .map(Block::name).toList());
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Activation.of("model.expert.activation", "swish"))
                .getMessage().startsWith("model.expert.activation: unknown activation 'swish'"));
    }
}
