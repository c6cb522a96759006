package org.prefixmoe.model.moe;

import java.util.List;
import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.factory.LinearSolverFactory_DDRM;
import org.ejml.interfaces.linsol.LinearSolverDense;

/**
 * The softmax gate of linear scores, {@code π_k(x) = exp(a_k(x)) / Σ_j exp(a_j(x))} with
 * {@code a_k(x) = act(β_{1k}ᵀx + β_{0k}) / τ} for the K free components and fixed log scores for
 * the frozen ones (not divided by τ). The temperature τ > 0 and the activation (identity by
 * default; tanh, sigmoid, ... bound the scores) are fixed, not fitted. Blocks {@code beta1} (d)
 * and {@code beta0} (1).
 *
 * <p>The scores are invariant to a common shift (of {@code β_0}, for the identity activation); a
 * <em>reference</em> component has its score fixed at {@code act(0)/τ} (its parameters are held at
 * zero by {@link #maximize}), as in the softmax-gated Gaussian MoE. Without a reference (e.g. when
 * frozen scores anchor the normalizer, as in the prefix model) the losses must be read with the
 * shift in mind.
 *
 * <p>M-step: with the identity activation Q is concave and is maximized by guarded Newton (IRLS)
 * in {@code β/τ}; with another activation, by the guarded BFGS ascent of {@link LinearScoreGate}.
 */
public final class SoftmaxGate extends LinearScoreGate {
    /** Newton (IRLS) iterations per M-step at most. */
    static final int NEWTON_STEPS = 20;
    /** Relative gain of Q (actual, or predicted by the Newton decrement) below which IRLS stops. */
    static final double NEWTON_TOLERANCE = 1e-8;

    private final double temperature;
    private final Activation activation;
    private final boolean plain;

    /**
     * The softmax of linear scores (τ = 1, identity activation).
     *
     * @param inputDimension d
     * @param components K
     * @param reference the component whose score is fixed at 0, or -1 for none
     * @throws IllegalArgumentException naming the argument
     */
    public SoftmaxGate(int inputDimension, int components, int reference) {
        this(inputDimension, components, reference, 1, Activation.IDENTITY);
    }

    /**
     * {@code softmax(act(s)/τ)}.
     *
     * @param inputDimension d
     * @param components K
     * @param reference the component whose parameters are held at 0, or -1 for none
     * @param temperature τ, a finite number > 0
     * @param activation applied to each linear score before dividing by τ
     * @throws IllegalArgumentException naming the argument
     */
    public SoftmaxGate(int inputDimension, int components, int reference, double temperature, Activation activation) {
        super(inputDimension, components, reference);
        if (!(temperature > 0) || !Double.isFinite(temperature)) {
            throw new IllegalArgumentException("temperature: must be a finite number > 0, got " + temperature);
        }
        this.temperature = temperature;
        this.activation = java.util.Objects.requireNonNull(activation, "activation");
        this.plain = temperature == 1 && activation == Activation.IDENTITY;
    }

    @Override
    public String name() {
        return "softmax";
    }

    /** {@return the temperature τ} */
    public double temperature() {
        return temperature;
    }

    /** {@return the activation applied to the scores} */
    public Activation activation() {
        return activation;
    }

    /**
     * This gate with another number of components, the reference (if any) moved to the last one.
     *
     * @param components K
     * @return the gate
     */
    @Override
    public SoftmaxGate withComponents(int components) {
        return new SoftmaxGate(d, components, reference < 0 ? -1 : components - 1, temperature, activation);
    }

    /** {@return {@code exp(act(β_0)/τ)}, the unnormalized weight at x = 0 ({@code exp β_0} for the plain softmax)} */
    @Override
    public double weight(double[] component) {
        return plain ? Math.exp(component[d]) : Math.exp(activation.value(component[d]) / temperature);
    }

    @Override
    public Weights at(double[][] params) {
        if (!plain) {
            return super.at(params);
        }
        double[][] p = copy(params);
        return (x, offset, frozen, frozenOffset, out) -> logWeights(p, x, offset, frozen, frozenOffset, out);
    }

    @Override
    void logWeightsOfScores(double[] s, double[] frozen, int frozenOffset, double[] out) {
        int total = out.length;
        double max = Double.NEGATIVE_INFINITY;
        for (int c = 0; c < total; c++) {
            double v = c < k ? activation.value(s[c]) / temperature : frozen[frozenOffset + c - k];
            out[c] = v;
            max = Math.max(max, v);
        }
        double sum = 0;
        for (int c = 0; c < total; c++) {
            sum += org.prefixmoe.model.Exp.exp(out[c] - max);
        }
        double log = max + Math.log(sum);
        for (int c = 0; c < total; c++) {
            out[c] -= log;
        }
    }

    /** {@code Σ_c τ_c a_c − T log Σ_c e^{a_c}}; {@code ∂/∂s_k = act'(s_k)/τ · (τ_k − T π_k)}. */
    @Override
    double scoreGradient(double[] s, double[] frozen, int frozenOffset, int frozenCount, double[] tau, int tauOffset,
                         double[] g) {
        int total = k + frozenCount;
        double max = Double.NEGATIVE_INFINITY;
        double ta = 0;
        double tt = 0;
        for (int c = 0; c < total; c++) {
            double a = c < k ? activation.value(s[c]) / temperature : frozen[frozenOffset + c - k];
            max = Math.max(max, a);
            double t = tau[tauOffset + c];
            ta += t * a;
            tt += t;
        }
        double sum = 0;
        for (int c = 0; c < total; c++) {
            double a = c < k ? activation.value(s[c]) / temperature : frozen[frozenOffset + c - k];
            sum += org.prefixmoe.model.Exp.exp(a - max);
        }
        double log = max + Math.log(sum);
        for (int c = 0; c < k; c++) {
            double pc = org.prefixmoe.model.Exp.exp(activation.value(s[c]) / temperature - log);
            g[c] = activation.derivative(s[c]) / temperature * (tau[tauOffset + c] - tt * pc);
        }
        return ta - tt * log;
    }

    /** Scores, then log-softmax in place (the row maximum subtracted). */
    private void logWeights(double[][] p, double[] x, int offset, double[] frozen, int frozenOffset, double[] out) {
        double log = scores(p, x, offset, frozen, frozenOffset, out, null);
        for (int c = 0; c < out.length; c++) {
            out[c] -= log;
        }
    }

    /** Q for the plain softmax (the IRLS line search's objective). */
    private double plainObjective(double[][] params, double[] x, int n, double[] frozen, int frozenCount,
                                  double[] resp) {
        int total = k + frozenCount;
        double[] s = new double[total];
        double q = 0;
        for (int i = 0; i < n; i++) {
            double norm = scores(params, x, i * d, frozen, i * frozenCount, s, null);
            // Σ_c τ_c log π_c = Σ_c τ_c s_c − log Σ exp(s) · Σ_c τ_c
            double ts = 0;
            double tt = 0;
            for (int c = 0; c < total; c++) {
                double t = resp[i * total + c];
                ts += t * s[c];
                tt += t;
            }
            q += ts - tt * norm;
        }
        return q;
    }

    /**
     * The scores at one input into {@code s}, and (when {@code pi} is non-null) the gate
     * probabilities; one exponential per component and one logarithm.
     *
     * @return {@code log Σ_c exp(s_c)}
     */
    private double scores(double[][] p, double[] x, int offset, double[] frozen, int frozenOffset, double[] s,
                          double[] pi) {
        int total = s.length;
        double max = Double.NEGATIVE_INFINITY;
        for (int c = 0; c < total; c++) {
            double v;
            if (c < k) {
                double[] b = p[c];
                v = b[d];
                for (int a = 0; a < d; a++) {
                    v += b[a] * x[offset + a];
                }
            } else {
                v = frozen[frozenOffset + c - k];
            }
            s[c] = v;
            max = Math.max(max, v);
        }
        double sum = 0;
        for (int c = 0; c < total; c++) {
            double e = org.prefixmoe.model.Exp.exp(s[c] - max);
            if (pi != null) {
                pi[c] = e;
            }
            sum += e;
        }
        if (pi != null) {
            double inv = 1 / sum;
            for (int c = 0; c < total; c++) {
                pi[c] *= inv;
            }
        }
        return max + Math.log(sum);
    }

    /**
     * With the identity activation: guarded Newton (IRLS) ascent on the weighted
     * multinomial-logistic likelihood in {@code β/τ}: at most {@link #NEWTON_STEPS} steps, each
     * halved until Q does not decrease, stopping when a step gains less than
     * {@link #NEWTON_TOLERANCE} relative. Otherwise the guarded BFGS ascent. The reference
     * component is held at zero.
     */
    @Override
    public double[][] maximize(double[][] params, double[] x, int n, double[] frozen, int frozenCount, double[] resp) {
        return maximize(params, x, n, frozen, frozenCount, resp, NEWTON_TOLERANCE);
    }

    /** {@link #maximize} with a relative tolerance of its own (tests ask for the maximum to rounding). */
    double[][] maximize(double[][] params, double[] x, int n, double[] frozen, int frozenCount, double[] resp,
                        double tolerance) {
        if (activation != Activation.IDENTITY) {
            return ascend(params, x, n, frozen, frozenCount, resp, Math.min(tolerance, ASCENT_TOLERANCE));
        }
        if (temperature == 1) {
            return newton(params, x, n, frozen, frozenCount, resp, tolerance);
        }
        // softmax(s/τ) is the plain softmax of β/τ
        double[][] scaled = copy(params);
        for (double[] row : scaled) {
            for (int a = 0; a < row.length; a++) {
                row[a] /= temperature;
            }
        }
        double[][] fit = newton(scaled, x, n, frozen, frozenCount, resp, tolerance);
        for (double[] row : fit) {
            for (int a = 0; a < row.length; a++) {
                row[a] *= temperature;
            }
        }
        return fit;
    }

    private double[][] newton(double[][] params, double[] x, int n, double[] frozen, int frozenCount, double[] resp,
                              double tolerance) {
        int total = k + frozenCount;
        int[] free = java.util.stream.IntStream.range(0, k).filter(c -> c != reference).toArray();
        int f = free.length;
        double[][] cur = copy(params);
        if (reference >= 0) {
            java.util.Arrays.fill(cur[reference], 0.0);
        }
        if (f == 0) {
            return cur;
        }
        int w = d + 1;
        int dim = f * w;
        double q0 = Double.NaN;
        DMatrixRMaj h = new DMatrixRMaj(dim, dim);
        DMatrixRMaj g = new DMatrixRMaj(dim, 1);
        DMatrixRMaj step = new DMatrixRMaj(dim, 1);
        LinearSolverDense<DMatrixRMaj> chol = LinearSolverFactory_DDRM.chol(dim);
        double[] sc = new double[total];
        double[] pi = new double[total];
        double[] xt = new double[w];
        for (int it = 0; it < NEWTON_STEPS; it++) {
            h.zero();
            g.zero();
            double qCur = 0;
            for (int i = 0; i < n; i++) {
                double norm = scores(cur, x, i * d, frozen, i * frozenCount, sc, pi);
                double ts = 0;
                double tt = 0;
                for (int c = 0; c < total; c++) {
                    ts += resp[i * total + c] * sc[c];
                    tt += resp[i * total + c];
                }
                qCur += ts - tt * norm;
                // a row's mass T_i = Σ_c τ_ic: 1 in a full mixture (kept as exactly 1 there, so committed fits
                // recompute bit for bit), below 1 in one block of a larger mixture (the shared + routed
                // model's routed gate): then ∂Q/∂s_c = τ_ic − T_i π_c and the Hessian carries T_i
                double mass = Math.abs(tt - 1) <= 1e-12 ? 1 : tt;
                System.arraycopy(x, i * d, xt, 0, d);
                xt[d] = 1;
                for (int u = 0; u < f; u++) {
                    int cu = free[u];
                    double gu = resp[i * total + cu] - mass * pi[cu];
                    for (int a = 0; a < w; a++) {
                        g.data[u * w + a] += gu * xt[a];
                    }
                    for (int v = u; v < f; v++) {
                        int cv = free[v];
                        double hw = mass * pi[cu] * ((u == v ? 1 : 0) - pi[cv]);
                        for (int a = 0; a < w; a++) {
                            double ha = hw * xt[a];
                            int row = (u * w + a) * dim + v * w;
                            for (int b = 0; b < w; b++) {
                                h.data[row + b] += ha * xt[b];
                            }
                        }
                    }
                }
            }
            if (it == 0) {
                q0 = qCur; // Q at the start comes with the first Hessian pass; later q0 is the accepted trial's
            }
            // -H is positive semi-definite; mirror the upper blocks and add a small ridge for the
            // shift-invariant case (no reference, no frozen scores)
            double trace = 0;
            for (int r = 0; r < dim; r++) {
                for (int c = 0; c < r; c++) {
                    h.data[r * dim + c] = h.data[c * dim + r];
                }
                trace += h.data[r * dim + r];
            }
            double ridge = 1e-12 * Math.max(trace / dim, 1e-300);
            boolean solved = false;
            for (int attempt = 0; attempt < 8 && !solved; attempt++) {
                DMatrixRMaj m = h.copy();
                for (int r = 0; r < dim; r++) {
                    m.data[r * dim + r] += ridge;
                }
                if (chol.setA(m)) {
                    chol.solve(g, step);
                    solved = true;
                }
                ridge *= 1000;
            }
            if (!solved) {
                break;
            }
            // the Newton decrement gᵀ(−H)⁻¹g / 2 predicts the gain: at the maximum (to rounding) no trial is worth a pass
            double decrement = 0;
            for (int r = 0; r < dim; r++) {
                decrement += g.data[r] * step.data[r];
            }
            if (!(decrement / 2 > tolerance * Math.abs(q0))) {
                break;
            }
            double alpha = 1;
            double[][] next = null;
            double q1 = Double.NEGATIVE_INFINITY;
            for (int half = 0; half < 20; half++) {
                double[][] trial = copy(cur);
                for (int u = 0; u < f; u++) {
                    for (int a = 0; a < w; a++) {
                        trial[free[u]][a] += alpha * step.data[u * w + a];
                    }
                }
                double qt = plainObjective(trial, x, n, frozen, frozenCount, resp);
                if (qt >= q0) {
                    next = trial;
                    q1 = qt;
                    break;
                }
                alpha /= 2;
            }
            if (next == null) {
                break;
            }
            cur = next;
            // Newton converges quadratically: once a step gains less than NEWTON_TOLERANCE relative, EM loses
            // nothing by stopping (its own stop rule looks at changes 100 times larger)
            boolean small = q1 - q0 <= tolerance * Math.abs(q0);
            q0 = q1;
            if (small) {
                break;
            }
        }
        return cur;
    }
}
