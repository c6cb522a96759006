package org.prefixmoe.model.moe;

import java.util.List;
import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.factory.LinearSolverFactory_DDRM;
import org.ejml.interfaces.linsol.LinearSolverDense;

/**
 * The softmax gate of linear scores, {@code π_k(x) = exp(s_k(x)) / Σ_j exp(s_j(x))} with
 * {@code s_k(x) = β_{1k}ᵀx + β_{0k}} for the K free components and fixed log scores for the frozen
 * ones. Blocks {@code beta1} (d) and {@code beta0} (1).
 *
 * <p>The scores are invariant to a common shift; a <em>reference</em> component has its score
 * fixed at 0 (its parameters are held at zero by {@link #maximize}), as in the softmax-gated
 * Gaussian MoE. Without a reference (e.g. when frozen scores anchor the normalizer, as in the
 * prefix model) the losses must be read with the shift in mind.
 */
public final class SoftmaxGate implements Gate {
    /** Newton (IRLS) iterations per M-step at most. */
    static final int NEWTON_STEPS = 20;
    /** Relative gain of Q (actual, or predicted by the Newton decrement) below which IRLS stops. */
    static final double NEWTON_TOLERANCE = 1e-8;

    private final int d;
    private final int k;
    private final int reference;

    /**
     * @param inputDimension d
     * @param components K
     * @param reference the component whose score is fixed at 0, or -1 for none
     * @throws IllegalArgumentException naming the argument
     */
    public SoftmaxGate(int inputDimension, int components, int reference) {
        if (inputDimension < 1) {
            throw new IllegalArgumentException("d: must be >= 1, got " + inputDimension);
        }
        if (components < 1) {
            throw new IllegalArgumentException("K: must be >= 1, got " + components);
        }
        if (reference < -1 || reference >= components) {
            throw new IllegalArgumentException("reference: must be -1 (none) or a component in 0.." + (components - 1)
                    + ", got " + reference);
        }
        this.d = inputDimension;
        this.k = components;
        this.reference = reference;
    }

    @Override
    public String name() {
        return "softmax";
    }

    @Override
    public int components() {
        return k;
    }

    @Override
    public int inputDimension() {
        return d;
    }

    /** {@return the component whose score is fixed at 0, or -1} */
    public int reference() {
        return reference;
    }

    /**
     * This gate with another number of components, the reference (if any) moved to the last one.
     *
     * @param components K
     * @return the gate
     */
    public SoftmaxGate withComponents(int components) {
        return new SoftmaxGate(d, components, reference < 0 ? -1 : components - 1);
    }

    @Override
    public List<Block> blocks() {
        return List.of(new Block("beta1", d), new Block("beta0", 1));
    }

    @Override
    public boolean modelsInput() {
        return false;
    }

    @Override
    public double weight(double[] component) {
        return Math.exp(component[d]);
    }

    @Override
    public Weights at(double[][] params) {
        double[][] p = copy(params);
        return (x, offset, frozen, frozenOffset, out) -> logWeights(p, x, offset, frozen, frozenOffset, out);
    }

    private static double[][] copy(double[][] params) {
        double[][] p = new double[params.length][];
        for (int c = 0; c < params.length; c++) {
            p[c] = params[c].clone();
        }
        return p;
    }

    /** Scores, then log-softmax in place (the row maximum subtracted). */
    private void logWeights(double[][] p, double[] x, int offset, double[] frozen, int frozenOffset, double[] out) {
        int total = out.length;
        double max = Double.NEGATIVE_INFINITY;
        for (int c = 0; c < total; c++) {
            double s;
            if (c < k) {
                double[] b = p[c];
                s = b[d];
                for (int a = 0; a < d; a++) {
                    s += b[a] * x[offset + a];
                }
            } else {
                s = frozen[frozenOffset + c - k];
            }
            out[c] = s;
            max = Math.max(max, s);
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

    /**
     * The gate's part of EM's Q, {@code Σ_i Σ_c τ_ic log π_c(x_i)}.
     *
     * @param params K gate vectors; not modified
     * @param x inputs; not modified
     * @param n number of inputs
     * @param frozen frozen log scores, n × J; not modified
     * @param frozenCount J
     * @param resp responsibilities, n × (K + J); not modified
     * @return Q_gate
     */
    public double objective(double[][] params, double[] x, int n, double[] frozen, int frozenCount, double[] resp) {
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
     * Guarded Newton (IRLS) ascent on the weighted multinomial-logistic likelihood: at most
     * {@link #NEWTON_STEPS} steps, each halved until Q does not decrease, stopping when a step
     * gains less than {@link #NEWTON_TOLERANCE} relative. The reference component is held at zero.
     */
    @Override
    public double[][] maximize(double[][] params, double[] x, int n, double[] frozen, int frozenCount, double[] resp) {
        return maximize(params, x, n, frozen, frozenCount, resp, NEWTON_TOLERANCE);
    }

    /** {@link #maximize} with a relative tolerance of its own (tests ask for the maximum to rounding). */
    double[][] maximize(double[][] params, double[] x, int n, double[] frozen, int frozenCount, double[] resp,
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
                System.arraycopy(x, i * d, xt, 0, d);
                xt[d] = 1;
                for (int u = 0; u < f; u++) {
                    int cu = free[u];
                    double gu = resp[i * total + cu] - pi[cu];
                    for (int a = 0; a < w; a++) {
                        g.data[u * w + a] += gu * xt[a];
                    }
                    for (int v = u; v < f; v++) {
                        int cv = free[v];
                        double hw = pi[cu] * ((u == v ? 1 : 0) - pi[cv]);
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
                double qt = objective(trial, x, n, frozen, frozenCount, resp);
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
