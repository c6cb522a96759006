package org.prefixmoe.model.moe;

/**
 * The sigmoid gate, unnormalized: {@code π_k(x) = σ(β_{1k}ᵀx + β_{0k})} for each of the K free
 * components, σ the logistic function. Blocks {@code beta1} (d) and {@code beta0} (1); no
 * reference (a common shift changes the weights).
 *
 * <p>The weights do not sum to one, so the gate is used in two ways only, and
 * {@link MixtureOfExperts} refuses the others ({@link #checkUse}):
 * <ul>
 *   <li>the regression observation, {@code f(x) = Σ_k σ(s_k(x)) h_k(x)} (the sigmoid-gated MoE);</li>
 *   <li>one free component against one frozen component that takes the rest,
 *       {@code p(y|x) = (1 − λ(x)) f_0(y|x) + λ(x) N(y; h(x), ν)} with {@code λ = σ(s_0)} (the
 *       contaminated model): the frozen component's log weight is {@code log(1 − λ(x))}, its own
 *       score is ignored, and the weights sum to one.</li>
 * </ul>
 * The M-step (guarded BFGS on {@code Q = Σ_i τ_i0 log λ(x_i) + τ_i1 log(1 − λ(x_i))}, a weighted
 * logistic regression) exists in the second use only: with no frozen complement Q grows without
 * bound as the scores do.
 */
public final class SigmoidGate extends LinearScoreGate {

    /**
     * @param inputDimension d
     * @param components K
     * @throws IllegalArgumentException naming the argument
     */
    public SigmoidGate(int inputDimension, int components) {
        super(inputDimension, components, -1);
    }

    @Override
    public String name() {
        return "sigmoid";
    }

    @Override
    public SigmoidGate withComponents(int components) {
        return new SigmoidGate(d, components);
    }

    /** {@return false: the weights σ_k are used as they are} */
    @Override
    public boolean normalized() {
        return false;
    }

    /** {@return {@code σ(β_0)}, the weight at x = 0} */
    @Override
    public double weight(double[] component) {
        return Activation.sigmoid(component[d]);
    }

    @Override
    public void checkUse(Observation observation, int frozenCount) {
        if (frozenCount > 0 && !(k == 1 && frozenCount == 1)) {
            throw new IllegalArgumentException("frozen: the sigmoid gate takes a frozen component only as the"
                    + " complement 1 − λ(x) of one free component (K = 1, one frozen), got K = " + k + " and "
                    + frozenCount + " frozen");
        }
        if (frozenCount == 0 && observation == Observation.GAUSSIAN_MIXTURE) {
            throw new IllegalArgumentException("gate: the sigmoid gate's weights do not sum to one, so Σ_k σ_k(x)"
                    + " N(y; h_k(x), ν_k) is not a density; use normalized-sigmoid, the regression observation, or"
                    + " one sigmoid component against a frozen one (the contaminated model)");
        }
    }

    @Override
    void logWeightsOfScores(double[] s, double[] frozen, int frozenOffset, double[] out) {
        for (int c = 0; c < k; c++) {
            out[c] = Activation.logSigmoid(s[c]);
        }
        if (out.length == k + 1 && k == 1) {
            out[1] = Activation.logSigmoid(-s[0]);
        }
    }

    /** {@code Σ_k τ_k log σ(s_k)} (+ {@code τ_1 log σ(−s_0)} with the complement); {@code ∂/∂s_k = τ_k (1 − σ_k)} (− τ_1 σ_0). */
    @Override
    double scoreGradient(double[] s, double[] frozen, int frozenOffset, int frozenCount, double[] tau, int tauOffset,
                         double[] g) {
        double q = 0;
        for (int c = 0; c < k; c++) {
            double t = tau[tauOffset + c];
            q += t * Activation.logSigmoid(s[c]);
            g[c] = t * Activation.sigmoid(-s[c]);
        }
        if (frozenCount == 1 && k == 1) {
            double t = tau[tauOffset + 1];
            q += t * Activation.logSigmoid(-s[0]);
            g[0] -= t * Activation.sigmoid(s[0]);
        }
        return q;
    }

    /**
     * The weighted logistic regression of the contaminated model (K = 1 with one frozen complement).
     *
     * @throws IllegalArgumentException without the frozen complement (Q has no maximum)
     */
    @Override
    public double[][] maximize(double[][] params, double[] x, int n, double[] frozen, int frozenCount, double[] resp) {
        if (!(k == 1 && frozenCount == 1)) {
            throw new IllegalArgumentException("gate: the sigmoid gate's M-step needs one free component and its"
                    + " frozen complement (Q = Σ τ log σ alone grows without bound)");
        }
        return super.maximize(params, x, n, frozen, frozenCount, resp);
    }
}
