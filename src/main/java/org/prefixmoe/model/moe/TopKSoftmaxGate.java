package org.prefixmoe.model.moe;

/**
 * The top-K softmax gate: of the K linear scores {@code s_k(x) = β_{1k}ᵀx + β_{0k}} only the
 * {@code topK} largest are kept, and the softmax is taken over them,
 * {@code π_k(x) = exp(s_k) / Σ_{j ∈ A(x)} exp(s_j)} for k in the active set {@code A(x)}, 0 (log
 * weight −∞) outside it. Blocks {@code beta1} (d) and {@code beta0} (1); an optional reference
 * component has its parameters held at 0. Frozen components are not supported.
 *
 * <p><b>Ties and the mask.</b> The active set is the {@code topK} largest scores with ties broken
 * by the smaller index (component j outranks c when {@code s_j > s_c}, or {@code s_j = s_c} and
 * j &lt; c). The gate is discontinuous where the mask changes; the derivatives
 * ({@link #logWeightGradient}, {@link #objectiveGradient}) are those of the softmax over the
 * active set with the mask held fixed: exact away from ties, 0 for inactive components, and for
 * the log weight of an inactive component (which is −∞) reported as 0.
 *
 * <p><b>M-step.</b> The guarded BFGS ascent on {@code Q = Σ τ log π}. A sample's responsibility of
 * an inactive component is 0, and a step that drops a component with positive responsibility out
 * of a sample's mask makes Q = −∞, so it is rejected: EM keeps every sample's mask where the start
 * put it and fits the parameters within those masks (the likelihood never decreases). Start near a
 * truth whose masks are right, as the published simulations do.
 */
public final class TopKSoftmaxGate extends LinearScoreGate {
    private final int topK;

    /**
     * @param inputDimension d
     * @param components K
     * @param topK how many scores are kept, in 1..K
     * @param reference the component whose parameters are held at 0, or -1 for none
     * @throws IllegalArgumentException naming the argument
     */
    public TopKSoftmaxGate(int inputDimension, int components, int topK, int reference) {
        super(inputDimension, components, reference);
        if (topK < 1 || topK > components) {
            throw new IllegalArgumentException("top-k: must be in 1..K = " + components + ", got " + topK);
        }
        this.topK = topK;
    }

    @Override
    public String name() {
        return "top-k-softmax";
    }

    /** {@return how many scores are kept} */
    public int topK() {
        return topK;
    }

    /**
     * This gate with another number of components (the same top-K, at most K; a reference moves to the last one).
     *
     * @param components K
     * @return the gate
     */
    @Override
    public TopKSoftmaxGate withComponents(int components) {
        return new TopKSoftmaxGate(d, components, Math.min(topK, components), reference < 0 ? -1 : components - 1);
    }

    /** {@return {@code exp β_0}, as for the softmax (the mask ignored)} */
    @Override
    public double weight(double[] component) {
        return Math.exp(component[d]);
    }

    @Override
    public void checkUse(Observation observation, int frozenCount) {
        refuseFrozen(frozenCount);
    }

    /** Whether component c is among the top-K of the K scores (ties to the smaller index); allocation-free. */
    boolean active(double[] s, int c) {
        int above = 0;
        double sc = s[c];
        for (int j = 0; j < k; j++) {
            if (s[j] > sc || (s[j] == sc && j < c)) {
                above++;
            }
        }
        return above < topK;
    }

    @Override
    void logWeightsOfScores(double[] s, double[] frozen, int frozenOffset, double[] out) {
        double max = Double.NEGATIVE_INFINITY;
        for (int c = 0; c < k; c++) {
            max = Math.max(max, s[c]);
        }
        double sum = 0;
        for (int c = 0; c < k; c++) {
            if (active(s, c)) {
                sum += org.prefixmoe.model.Exp.exp(s[c] - max);
            }
        }
        double log = max + Math.log(sum);
        for (int c = 0; c < k; c++) {
            out[c] = active(s, c) ? s[c] - log : Double.NEGATIVE_INFINITY;
        }
    }

    /** Over the active set A: {@code Σ_{c∈A} τ_c s_c − T log Σ_{c∈A} e^{s_c}}, −∞ when an inactive c has τ_c > 0. */
    @Override
    double scoreGradient(double[] s, double[] frozen, int frozenOffset, int frozenCount, double[] tau, int tauOffset,
                         double[] g) {
        double max = Double.NEGATIVE_INFINITY;
        for (int c = 0; c < k; c++) {
            max = Math.max(max, s[c]);
        }
        double sum = 0;
        double ts = 0;
        double tt = 0;
        boolean lost = false;
        for (int c = 0; c < k; c++) {
            double t = tau[tauOffset + c];
            if (active(s, c)) {
                sum += org.prefixmoe.model.Exp.exp(s[c] - max);
                ts += t * s[c];
                tt += t;
            } else if (t > 0) {
                lost = true;
            }
        }
        double log = max + Math.log(sum);
        for (int c = 0; c < k; c++) {
            g[c] = active(s, c) ? tau[tauOffset + c] - tt * org.prefixmoe.model.Exp.exp(s[c] - log) : 0;
        }
        return lost ? Double.NEGATIVE_INFINITY : ts - tt * log;
    }
}
