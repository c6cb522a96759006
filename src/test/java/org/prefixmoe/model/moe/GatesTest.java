package org.prefixmoe.model.moe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The gates of part 2 (softmax with a temperature and an activation, top-K softmax, sigmoid,
 * normalized sigmoid, constant): derivatives of log π and of Q against finite differences,
 * M-steps against FD stationarity or brute force, Q never decreasing, and the refusals.
 */
class GatesTest {
    private static final double H = 1e-6;

    /** A gate with the number of frozen components it is evaluated with. */
    record Case(String name, LinearScoreGate gate, int frozen) {
    }

    static List<Case> cases() {
        return List.of(
                new Case("softmax tau=0.5", new SoftmaxGate(2, 3, 2, 0.5, Activation.IDENTITY), 0),
                new Case("softmax tau=2 tanh frozen", new SoftmaxGate(2, 3, -1, 2, Activation.TANH), 2),
                new Case("softmax tau=0.7 sigmoid", new SoftmaxGate(2, 3, 2, 0.7, Activation.SIGMOID), 0),
                new Case("softmax gelu", new SoftmaxGate(2, 3, -1, 1, Activation.GELU), 0),
                new Case("top-2 of 4", new TopKSoftmaxGate(2, 4, 2, -1), 0),
                new Case("top-3 of 4 reference", new TopKSoftmaxGate(2, 4, 3, 3), 0),
                new Case("sigmoid", new SigmoidGate(2, 3), 0),
                new Case("sigmoid complement", new SigmoidGate(2, 1), 1),
                new Case("normalized sigmoid", new NormalizedSigmoidGate(2, 3), 0));
    }

    private static double[][] randomParams(LinearScoreGate g, Random rnd) {
        double[][] p = new double[g.components()][g.inputDimension() + 1];
        for (int c = 0; c < p.length; c++) {
            if (c == g.reference()) {
                continue;
            }
            for (int a = 0; a < p[c].length; a++) {
                p[c][a] = rnd.nextGaussian();
            }
        }
        return p;
    }

    private static double[] gaussian(int n, Random rnd) {
        double[] v = new double[n];
        for (int i = 0; i < n; i++) {
            v[i] = rnd.nextGaussian();
        }
        return v;
    }

    private static double[] logWeights(Gate g, double[][] p, double[] x, double[] frozen, int count) {
        double[] out = new double[g.components() + count];
        g.at(p).logWeights(x, 0, frozen, 0, out);
        return out;
    }

    /** ∂ log π_c / ∂ β against central differences of the gate's own log weights, for every gate and component. */
    @Test
    void logWeightGradientsMatchFiniteDifferences() {
        Random rnd = new Random(3);
        for (Case c : cases()) {
            LinearScoreGate g = c.gate();
            int checked = 0;
            for (int rep = 0; rep < 5; rep++) {
                double[][] p = randomParams(g, rnd);
                double[] x = gaussian(2, rnd);
                double[] frozen = gaussian(c.frozen(), rnd);
                double[] base = logWeights(g, p, x, frozen, c.frozen());
                for (int comp = 0; comp < g.components() + c.frozen(); comp++) {
                    if (base[comp] == Double.NEGATIVE_INFINITY) {
                        continue; // an inactive top-K component: no derivative
                    }
                    double[][] grad = g.logWeightGradient(p, x, 0, frozen, 0, c.frozen(), comp);
                    for (int k = 0; k < p.length; k++) {
                        for (int a = 0; a < p[k].length; a++) {
                            double[][] pp = LinearScoreGate.copy(p);
                            double[][] pm = LinearScoreGate.copy(p);
                            pp[k][a] += H;
                            pm[k][a] -= H;
                            double[] lp = logWeights(g, pp, x, frozen, c.frozen());
                            double[] lm = logWeights(g, pm, x, frozen, c.frozen());
                            if (!sameSupport(lp, base) || !sameSupport(lm, base)) {
                                continue; // the top-K mask moves within h: a tie, not differentiable
                            }
                            double fd = (lp[comp] - lm[comp]) / (2 * H);
                            assertEquals(fd, grad[k][a], 1e-6 * (1 + Math.abs(fd)),
                                    c.name() + " log pi_" + comp + " d/d params[" + k + "][" + a + "]");
                            checked++;
                        }
                    }
                }
            }
            assertTrue(checked > 20, c.name() + ": " + checked);
        }
    }

    private static boolean sameSupport(double[] a, double[] b) {
        for (int i = 0; i < a.length; i++) {
            if ((a[i] == Double.NEGATIVE_INFINITY) != (b[i] == Double.NEGATIVE_INFINITY)) {
                return false;
            }
        }
        return true;
    }

    /** Responsibilities over t components, zero where the gate gives no weight (top-K masks). */
    private static double[] responsibilities(Gate g, double[][] p, double[] x, int n, double[] frozen, int count,
                                             Random rnd) {
        int t = g.components() + count;
        int d = g.inputDimension();
        double[] r = new double[n * t];
        double[] lw = new double[t];
        Gate.Weights w = g.at(p);
        for (int i = 0; i < n; i++) {
            w.logWeights(x, i * d, frozen, i * count, lw);
            double s = 0;
            for (int c = 0; c < t; c++) {
                r[i * t + c] = lw[c] == Double.NEGATIVE_INFINITY ? 0 : rnd.nextDouble();
                s += r[i * t + c];
            }
            for (int c = 0; c < t; c++) {
                r[i * t + c] /= s;
            }
        }
        return r;
    }

    /** ∇Q against central differences of Q. */
    @Test
    void objectiveGradientsMatchFiniteDifferences() {
        Random rnd = new Random(5);
        int n = 60;
        for (Case c : cases()) {
            LinearScoreGate g = c.gate();
            double[][] p = randomParams(g, rnd);
            double[] x = gaussian(n * 2, rnd);
            double[] frozen = gaussian(n * c.frozen(), rnd);
            double[] resp = responsibilities(g, p, x, n, frozen, c.frozen(), rnd);
            double[][] grad = g.objectiveGradient(p, x, n, frozen, c.frozen(), resp);
            double q0 = g.objective(p, x, n, frozen, c.frozen(), resp);
            assertTrue(Double.isFinite(q0), c.name());
            for (int k = 0; k < p.length; k++) {
                for (int a = 0; a < p[k].length; a++) {
                    double[][] pp = LinearScoreGate.copy(p);
                    double[][] pm = LinearScoreGate.copy(p);
                    pp[k][a] += H;
                    pm[k][a] -= H;
                    double qp = g.objective(pp, x, n, frozen, c.frozen(), resp);
                    double qm = g.objective(pm, x, n, frozen, c.frozen(), resp);
                    if (!Double.isFinite(qp) || !Double.isFinite(qm)) {
                        continue; // a top-K mask moved on some sample
                    }
                    double fd = (qp - qm) / (2 * H);
                    assertEquals(fd, grad[k][a], 1e-5 * (1 + Math.abs(fd)), c.name() + " dQ/d params[" + k + "][" + a + "]");
                }
            }
        }
    }

    /**
     * The M-steps without a closed form: Q does not decrease, and (for the gates whose Q is
     * smooth everywhere) the result is a stationary point of Q by finite differences.
     */
    @Test
    void mStepsNeverDecreaseQAndReachStationaryPoints() {
        Random rnd = new Random(9);
        int n = 400;
        for (Case c : cases()) {
            LinearScoreGate g = c.gate();
            if (g instanceof SigmoidGate && c.frozen() == 0) {
                continue; // no M-step without the complement (refused below)
            }
            double[][] truth = randomParams(g, rnd);
            double[] x = gaussian(n * 2, rnd);
            double[] frozen = gaussian(n * c.frozen(), rnd);
            double[] resp = responsibilities(g, truth, x, n, frozen, c.frozen(), rnd);
            double[][] start = LinearScoreGate.copy(truth);
            double q0 = g.objective(start, x, n, frozen, c.frozen(), resp);
            double[][] fit = start;
            double q = q0;
            for (int round = 0; round < 6; round++) {
                fit = g.maximize(fit, x, n, frozen, c.frozen(), resp);
                double qn = g.objective(fit, x, n, frozen, c.frozen(), resp);
                assertTrue(qn >= q, c.name() + " round " + round + ": " + qn + " < " + q);
                q = qn;
            }
            assertTrue(q > q0, c.name() + " did not move from the start: " + q + " vs " + q0);
            if (g instanceof TopKSoftmaxGate) {
                continue; // the masks may bind: Q's maximum over them need not be stationary
            }
            double[][] grad = g.objectiveGradient(fit, x, n, frozen, c.frozen(), resp);
            for (int k = 0; k < fit.length; k++) {
                if (k == g.reference()) {
                    assertEquals(0, fit[k][0]);
                    continue;
                }
                for (int a = 0; a < fit[k].length; a++) {
                    assertEquals(0, grad[k][a], 1e-4 * n, c.name() + " dQ/d params[" + k + "][" + a + "]");
                }
            }
        }
    }

    /** The identity-activation softmax with τ: IRLS in β/τ reaches the maximum, which BFGS confirms. */
    @Test
    void temperedSoftmaxNewtonAgreesWithBfgs() {
        Random rnd = new Random(13);
        int n = 300;
        SoftmaxGate g = new SoftmaxGate(2, 3, 2, 0.4, Activation.IDENTITY);
        double[] x = gaussian(2 * n, rnd);
        double[][] start = new double[3][3];
        double[] resp = responsibilities(g, start, x, n, new double[0], 0, rnd);
        double[][] newton = g.maximize(start, x, n, new double[0], 0, resp, 1e-15);
        double[][] bfgs = g.ascend(start, x, n, new double[0], 0, resp, 1e-15);
        double qn = g.objective(newton, x, n, new double[0], 0, resp);
        double qb = g.objective(bfgs, x, n, new double[0], 0, resp);
        assertTrue(qn >= qb - 1e-9 * Math.abs(qb), qn + " vs " + qb);
        for (double[] row : g.objectiveGradient(newton, x, n, new double[0], 0, resp)) {
            for (double v : row) {
                assertEquals(0, v, 1e-6);
            }
        }
    }

    /** The contaminated model's gate: its logistic M-step recovers λ's parameters from Bernoulli labels. */
    @Test
    void sigmoidComplementRecoversALogisticGate() {
        Random rnd = new Random(21);
        int n = 40_000;
        SigmoidGate g = new SigmoidGate(2, 1);
        double[][] truth = {{1.5, -1.0, 0.5}};
        double[] x = gaussian(2 * n, rnd);
        double[] resp = new double[2 * n];
        for (int i = 0; i < n; i++) {
            double lambda = Activation.sigmoid(1.5 * x[2 * i] - x[2 * i + 1] + 0.5);
            resp[2 * i + (rnd.nextDouble() < lambda ? 0 : 1)] = 1;
        }
        double[][] fit = {{0, 0, 0}};
        for (int round = 0; round < 5; round++) {
            fit = g.maximize(fit, x, n, new double[n], 1, resp);
        }
        for (int a = 0; a < 3; a++) {
            assertEquals(truth[0][a], fit[0][a], 0.06, "coordinate " + a);
        }
    }

    @Test
    void constantGateGradientAndClosedFormMStep() {
        Random rnd = new Random(17);
        ConstantGate g = new ConstantGate(2, 3);
        double[][] p = {{0.2}, {0.5}, {0.4}}; // sums to 1.1: read as proportions
        for (int c = 0; c < 3; c++) {
            double[] grad = g.logWeightGradient(p, c);
            for (int j = 0; j < 3; j++) {
                double[][] pp = LinearScoreGate.copy(p);
                double[][] pm = LinearScoreGate.copy(p);
                pp[j][0] += H;
                pm[j][0] -= H;
                double fd = (g.logWeights(pp)[c] - g.logWeights(pm)[c]) / (2 * H);
                assertEquals(fd, grad[j], 1e-7, "d log pi_" + c + "/d pi_" + j);
            }
        }
        double[] lw = logWeights(g, p, new double[2], new double[0], 0);
        assertEquals(Math.log(0.5 / 1.1), lw[1], 1e-14);
        int n = 200;
        double[] resp = responsibilities(g, p, gaussian(2 * n, rnd), n, new double[0], 0, rnd);
        double[][] fit = g.maximize(p, new double[2 * n], n, new double[0], 0, resp);
        double best = q(g, fit, resp, n);
        assertEquals(1, fit[0][0] + fit[1][0] + fit[2][0], 1e-12);
        for (int c = 0; c < 3; c++) {
            for (double h : new double[] {1e-3, -1e-3}) {
                double[][] t = LinearScoreGate.copy(fit);
                t[c][0] += h;
                t[(c + 1) % 3][0] -= h;
                assertTrue(q(g, t, resp, n) < best, "component " + c);
            }
        }
    }

    private static double q(Gate g, double[][] p, double[] resp, int n) {
        double[] lw = logWeights(g, p, new double[2], new double[0], 0);
        double s = 0;
        for (int i = 0; i < n; i++) {
            for (int c = 0; c < lw.length; c++) {
                s += resp[i * lw.length + c] * lw[c];
            }
        }
        return s;
    }

    /** Top-K keeps the K largest scores, ties to the smaller index, and renormalizes over them. */
    @Test
    void topKMasksAndBreaksTiesByIndex() {
        TopKSoftmaxGate g = new TopKSoftmaxGate(1, 4, 2, -1);
        double[][] p = {{0, 1}, {0, 3}, {0, 1}, {0, 0}};
        double[] lw = logWeights(g, p, new double[] {0.3}, new double[0], 0);
        double norm = Math.log(Math.exp(3) + Math.exp(1));
        assertEquals(1 - norm, lw[0], 1e-14);
        assertEquals(3 - norm, lw[1], 1e-14);
        assertEquals(Double.NEGATIVE_INFINITY, lw[2]);
        assertEquals(Double.NEGATIVE_INFINITY, lw[3]);
        assertThrows(IllegalArgumentException.class, () -> new TopKSoftmaxGate(1, 3, 4, -1));
    }

    /** The unnormalized sigmoid gate: refused where its weights must sum to one, used as is in regression. */
    @Test
    void unnormalizedSigmoidIsRefusedWhereItMakesNoSense() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> MixtureOfExperts.builder()
                .gate(new SigmoidGate(1, 2)).expert(new LinearExpert(1, 1)).observation(Observation.GAUSSIAN_MIXTURE)
                .build());
        assertTrue(e.getMessage().startsWith("gate: the sigmoid gate's weights do not sum to one"), e.getMessage());
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new SigmoidGate(1, 2).maximize(
                new double[2][2], new double[] {0, 1}, 2, new double[0], 0, new double[4])).getMessage()
                .startsWith("gate: the sigmoid gate's M-step needs"));
        MixtureOfExperts reg = MixtureOfExperts.builder().gate(new SigmoidGate(1, 2)).expert(new ConstantExpert(1, 1))
                .build();
        Components c = new Components(new double[][] {{1, 0.5}, {-2, 0}}, new double[][] {{2}, {3}}, null);
        double[] x = {0.4};
        double s0 = Activation.sigmoid(0.4 + 0.5);
        double s1 = Activation.sigmoid(-0.8);
        double[] p = reg.gateProbabilities(c, x);
        assertEquals(s0, p[0], 1e-14);
        assertEquals(s1, p[1], 1e-14);
        assertEquals(2 * s0 + 3 * s1, reg.regression(c, x)[0], 1e-14);
        for (Gate g : new Gate[] {new TopKSoftmaxGate(1, 2, 1, -1), new NormalizedSigmoidGate(1, 2),
            new ConstantGate(1, 2)}) {
            FrozenComponents f = new FrozenComponents() {
                @Override
                public int count() {
                    return 1;
                }

                @Override
                public double score(int j, double[] xs, int offset) {
                    return 0;
                }

                @Override
                public void output(int j, double[] xs, int offset, double[] out, int outOffset) {
                    out[outOffset] = 0;
                }
            };
            assertTrue(assertThrows(IllegalArgumentException.class, () -> MixtureOfExperts.builder().gate(g)
                    .expert(new LinearExpert(1, 1)).frozen(f).build()).getMessage().startsWith("frozen: the "
                    + g.name() + " gate takes no frozen components"), g.name());
        }
        assertEquals("temperature: must be a finite number > 0, got 0.0", assertThrows(IllegalArgumentException.class,
                () -> new SoftmaxGate(1, 2, 1, 0, Activation.TANH)).getMessage());
    }

    /** withComponents keeps each gate's settings. */
    @Test
    void withComponentsKeepsTheSettings() {
        SoftmaxGate s = new SoftmaxGate(2, 2, 1, 0.5, Activation.TANH).withComponents(4);
        assertEquals(3, s.reference());
        assertEquals(0.5, s.temperature());
        assertEquals(Activation.TANH, s.activation());
        TopKSoftmaxGate t = new TopKSoftmaxGate(2, 3, 2, -1).withComponents(5);
        assertEquals(2, t.topK());
        assertEquals(5, t.components());
        assertEquals(4, new ConstantGate(1, 2).withComponents(4).components());
        assertEquals(Math.exp(Math.tanh(0.3) / 0.5), s.weight(new double[] {1, 2, 0.3}), 1e-14);
    }
}
