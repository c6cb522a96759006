package org.prefixmoe.model.moe;

/**
 * The normalized sigmoid gate, {@code π_k(x) = σ(s_k(x)) / Σ_j σ(s_j(x))} with
 * {@code s_k(x) = β_{1k}ᵀx + β_{0k}} and σ the logistic function (the routed experts' gate of the
 * shared + routed model). Blocks {@code beta1} (d) and {@code beta0} (1); no reference (a common
 * shift changes the weights, though barely when every score is very negative, where the gate is
 * close to a softmax). Frozen components are not supported. M-step: the guarded BFGS ascent.
 */
public final class NormalizedSigmoidGate extends LinearScoreGate {

    /**
     * @param inputDimension d
     * @param components K
     * @throws IllegalArgumentException naming the argument
     */
    public NormalizedSigmoidGate(int inputDimension, int components) {
        super(inputDimension, components, -1);
    }

    @Override
    public String name() {
        return "normalized-sigmoid";
    }

    @Override
    public NormalizedSigmoidGate withComponents(int components) {
        return new NormalizedSigmoidGate(d, components);
    }

    /** {@return {@code σ(β_0)}, the unnormalized weight at x = 0} */
    @Override
    public double weight(double[] component) {
        return Activation.sigmoid(component[d]);
    }

    @Override
    public void checkUse(Observation observation, int frozenCount) {
        refuseFrozen(frozenCount);
    }

    @Override
    void logWeightsOfScores(double[] s, double[] frozen, int frozenOffset, double[] out) {
        double sum = 0;
        for (int c = 0; c < k; c++) {
            sum += Activation.sigmoid(s[c]);
        }
        double log = Math.log(sum);
        for (int c = 0; c < k; c++) {
            out[c] = Activation.logSigmoid(s[c]) - log;
        }
    }

    /** {@code Σ_c τ_c log σ_c − T log S}, S = Σ σ_j; {@code ∂/∂s_k = τ_k (1 − σ_k) − T σ_k (1 − σ_k) / S}. */
    @Override
    double scoreGradient(double[] s, double[] frozen, int frozenOffset, int frozenCount, double[] tau, int tauOffset,
                         double[] g) {
        double sum = 0;
        double tt = 0;
        double q = 0;
        for (int c = 0; c < k; c++) {
            double t = tau[tauOffset + c];
            sum += Activation.sigmoid(s[c]);
            tt += t;
            q += t * Activation.logSigmoid(s[c]);
        }
        for (int c = 0; c < k; c++) {
            double sc = Activation.sigmoid(s[c]);
            double one = Activation.sigmoid(-s[c]);
            g[c] = tau[tauOffset + c] * one - tt * sc * one / sum;
        }
        return q - tt * Math.log(sum);
    }
}
