package org.prefixmoe.model.moe;

import java.util.List;

/**
 * A gate whose weights are a function of K linear scores {@code s_k(x) = β_{1k}ᵀx + β_{0k}}
 * (blocks {@code beta1} (d) and {@code beta0} (1)), and of the frozen components' log scores where
 * the gate takes them: the softmax (with a temperature and an activation), the top-K softmax, the
 * sigmoid and the normalized sigmoid. A subclass gives {@code log π} and the derivative of
 * {@code Σ_c τ_c log π_c} with respect to the scores; this class turns them into the derivatives
 * with respect to the parameters ({@code ∂/∂β_{1k} = (∂/∂s_k) x}, {@code ∂/∂β_{0k} = ∂/∂s_k}),
 * exposed for tests by {@link #logWeightGradient} and {@link #objectiveGradient}, and into a
 * guarded BFGS M-step ({@link #maximize}) that never decreases {@code Q = Σ_i Σ_c τ_ic log π_c(x_i)}.
 *
 * <p>A <em>reference</em> component, where the gate has one, has its parameters held at 0.
 * Immutable; {@link Weights} from {@link #at} keep one scratch array of K scores, so one prepared
 * gate serves one thread.
 */
public abstract sealed class LinearScoreGate implements Gate
        permits SoftmaxGate, TopKSoftmaxGate, SigmoidGate, NormalizedSigmoidGate {
    /** BFGS iterations per M-step at most (EM calls the M-step again next iteration). */
    static final int ASCENT_STEPS = 50;
    /** Relative gain of Q below which the BFGS M-step stops. */
    static final double ASCENT_TOLERANCE = 1e-10;

    final int d;
    final int k;
    final int reference;

    /**
     * @param inputDimension d
     * @param components K
     * @param reference the component whose parameters are held at 0, or -1 for none
     * @throws IllegalArgumentException naming the argument
     */
    LinearScoreGate(int inputDimension, int components, int reference) {
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
    public int components() {
        return k;
    }

    @Override
    public int inputDimension() {
        return d;
    }

    /** {@return the component whose parameters are held at 0, or -1} */
    public int reference() {
        return reference;
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
    public abstract LinearScoreGate withComponents(int components);

    /**
     * {@code log π_c} for the K free components, then the J frozen ones, from the free scores.
     *
     * @param s the K free scores; not modified
     * @param frozen frozen log scores, read from {@code frozenOffset}; not modified
     * @param frozenOffset where they start
     * @param out receives K + J log weights (−∞ for a component with no weight); modified
     */
    abstract void logWeightsOfScores(double[] s, double[] frozen, int frozenOffset, double[] out);

    /**
     * One sample's part of Q, {@code Σ_c τ_c log π_c}, and its derivative with respect to the K free scores.
     *
     * @param s the K free scores; not modified
     * @param frozen frozen log scores; not modified
     * @param frozenOffset where they start
     * @param frozenCount J
     * @param tau responsibilities of the K + J components, read from {@code tauOffset}; not modified
     * @param tauOffset where they start
     * @param g receives {@code ∂/∂s_k} for k < K (only meaningful when the value is finite); modified
     * @return the sample's Q (−∞ when a component with positive τ has no weight)
     */
    abstract double scoreGradient(double[] s, double[] frozen, int frozenOffset, int frozenCount, double[] tau,
                                  int tauOffset, double[] g);

    /** The K free scores at one input into {@code s}. */
    final void scores(double[][] p, double[] x, int offset, double[] s) {
        for (int c = 0; c < k; c++) {
            double[] b = p[c];
            double v = b[d];
            for (int a = 0; a < d; a++) {
                v += b[a] * x[offset + a];
            }
            s[c] = v;
        }
    }

    static double[][] copy(double[][] params) {
        double[][] p = new double[params.length][];
        for (int c = 0; c < params.length; c++) {
            p[c] = params[c].clone();
        }
        return p;
    }

    @Override
    public Weights at(double[][] params) {
        if (params.length != k) {
            throw new IllegalArgumentException("gate: " + params.length + " components, expected " + k);
        }
        double[][] p = copy(params);
        double[] s = new double[k];
        return (x, offset, frozen, frozenOffset, out) -> {
            scores(p, x, offset, s);
            logWeightsOfScores(s, frozen, frozenOffset, out);
        };
    }

    /**
     * The derivatives of one component's log weight with respect to every free parameter, at one
     * input (0 where the weight is 0, and for a top-K gate outside the active set).
     *
     * @param params the K gate vectors; not modified
     * @param x inputs; not modified
     * @param offset where the input starts
     * @param frozen frozen log scores (length J from {@code frozenOffset}); not modified
     * @param frozenOffset where they start
     * @param frozenCount J
     * @param component c in 0..K+J-1
     * @return {@code ∂ log π_c / ∂ params[k][a]}, K × (d + 1)
     */
    public double[][] logWeightGradient(double[][] params, double[] x, int offset, double[] frozen, int frozenOffset,
                                        int frozenCount, int component) {
        double[] s = new double[k];
        double[] tau = new double[k + frozenCount];
        double[] g = new double[k];
        tau[component] = 1;
        scores(params, x, offset, s);
        double v = scoreGradient(s, frozen, frozenOffset, frozenCount, tau, 0, g);
        double[][] out = new double[k][d + 1];
        if (!Double.isFinite(v)) {
            return out;
        }
        for (int c = 0; c < k; c++) {
            for (int a = 0; a < d; a++) {
                out[c][a] = g[c] * x[offset + a];
            }
            out[c][d] = g[c];
        }
        return out;
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
     * @return Q_gate (−∞ off the gate's support)
     */
    public double objective(double[][] params, double[] x, int n, double[] frozen, int frozenCount, double[] resp) {
        return objectiveAndGradient(params, x, n, frozen, frozenCount, resp, null);
    }

    /**
     * The gradient of {@link #objective} with respect to every free parameter.
     *
     * @param params K gate vectors; not modified
     * @param x inputs; not modified
     * @param n number of inputs
     * @param frozen frozen log scores, n × J; not modified
     * @param frozenCount J
     * @param resp responsibilities, n × (K + J); not modified
     * @return K × (d + 1)
     */
    public double[][] objectiveGradient(double[][] params, double[] x, int n, double[] frozen, int frozenCount,
                                        double[] resp) {
        double[][] grad = new double[k][d + 1];
        objectiveAndGradient(params, x, n, frozen, frozenCount, resp, grad);
        return grad;
    }

    private double objectiveAndGradient(double[][] params, double[] x, int n, double[] frozen, int frozenCount,
                                        double[] resp, double[][] grad) {
        int total = k + frozenCount;
        double[] s = new double[k];
        double[] g = new double[k];
        double q = 0;
        for (int i = 0; i < n; i++) {
            scores(params, x, i * d, s);
            q += scoreGradient(s, frozen, i * frozenCount, frozenCount, resp, i * total, g);
            if (grad != null) {
                for (int c = 0; c < k; c++) {
                    double gc = g[c];
                    if (gc != 0) {
                        double[] row = grad[c];
                        for (int a = 0; a < d; a++) {
                            row[a] += gc * x[i * d + a];
                        }
                        row[d] += gc;
                    }
                }
            }
        }
        return q;
    }

    /**
     * Guarded BFGS ascent on Q from {@code params}: at most {@link #ASCENT_STEPS} steps, each
     * accepted only when it raises Q (Armijo), so Q never decreases; the reference component is
     * held at 0.
     */
    @Override
    public double[][] maximize(double[][] params, double[] x, int n, double[] frozen, int frozenCount, double[] resp) {
        return ascend(params, x, n, frozen, frozenCount, resp, ASCENT_TOLERANCE);
    }

    /** The BFGS M-step with a relative tolerance of its own. */
    final double[][] ascend(double[][] params, double[] x, int n, double[] frozen, int frozenCount, double[] resp,
                            double tolerance) {
        int[] free = java.util.stream.IntStream.range(0, k).filter(c -> c != reference).toArray();
        int w = d + 1;
        double[][] base = copy(params);
        if (reference >= 0) {
            java.util.Arrays.fill(base[reference], 0.0);
        }
        double[] start = new double[free.length * w];
        for (int u = 0; u < free.length; u++) {
            System.arraycopy(base[free[u]], 0, start, u * w, w);
        }
        double[][] work = copy(base);
        GuardedAscent.Objective f = (p, gradient) -> {
            for (int u = 0; u < free.length; u++) {
                System.arraycopy(p, u * w, work[free[u]], 0, w);
            }
            double[][] grad = new double[k][w];
            double q = objectiveAndGradient(work, x, n, frozen, frozenCount, resp, grad);
            for (int u = 0; u < free.length; u++) {
                System.arraycopy(grad[free[u]], 0, gradient, u * w, w);
            }
            return q;
        };
        double[] best = GuardedAscent.maximize(f, start, ASCENT_STEPS, tolerance);
        for (int u = 0; u < free.length; u++) {
            System.arraycopy(best, u * w, base[free[u]], 0, w);
        }
        return base;
    }

    /**
     * Refuses frozen components: for gates whose weights are not a softmax over them.
     *
     * @param frozenCount J
     * @throws IllegalArgumentException naming {@code frozen}
     */
    final void refuseFrozen(int frozenCount) {
        if (frozenCount > 0) {
            throw new IllegalArgumentException("frozen: the " + name() + " gate takes no frozen components");
        }
    }
}
