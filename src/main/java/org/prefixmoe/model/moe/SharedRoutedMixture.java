package org.prefixmoe.model.moe;

import java.util.Objects;

/**
 * Shared and routed experts (the DeepSeekMoE layer read as a conditional density): two blocks, each a
 * Gaussian-mixture {@link MixtureOfExperts}, mixed with fixed weights,
 * <pre>
 *   p(y|x) = w Σ_i ω_i N(y; h_1(x, κ_i), τ_i) + (1 − w) Σ_j g_j(x) N(y; h_2(x, η_j), ν_j),   w = ½,
 * </pre>
 * the shared block with input-free weights ω ({@link ConstantGate}) and the routed block with a gate
 * g (softmax, normalized sigmoid, or any gate over free components that does not model the input).
 * Each block keeps its own gate and expert, so any expert family fits either block; nothing here is
 * specific to a configuration. The parameters are a {@link Parameters}: one {@link Components} per
 * block. Immutable and thread-safe.
 *
 * <p>The E-step's responsibilities of the K_1 + K_2 components factor as the block's posterior
 * times the responsibility within the block, so each block's own per-sample kernel
 * ({@link MixtureOfExperts#componentLogDensities(Components, double[], double[], int, double[], double[])})
 * is all this class evaluates.
 */
public final class SharedRoutedMixture {
    private final MixtureOfExperts shared;
    private final MixtureOfExperts routed;
    private final double sharedWeight;

    /**
     * The parameters of both blocks.
     *
     * @param shared the shared block's components (ω, κ, τ)
     * @param routed the routed block's components (β, η, ν)
     */
    public record Parameters(Components shared, Components routed) {
        /**
         * Validates the components.
         *
         * @param shared the shared block's components
         * @param routed the routed block's components
         * @throws NullPointerException when one is missing
         */
        public Parameters {
            Objects.requireNonNull(shared, "shared");
            Objects.requireNonNull(routed, "routed");
        }
    }

    /**
     * @param shared the shared block (Gaussian-mixture observation; its gate is usually {@link ConstantGate})
     * @param routed the routed block (Gaussian-mixture observation)
     * @param sharedWeight w, the shared block's weight (½ in the DeepSeekMoE layer), in (0, 1)
     * @throws IllegalArgumentException naming the block and the reason
     */
    public SharedRoutedMixture(MixtureOfExperts shared, MixtureOfExperts routed, double sharedWeight) {
        Objects.requireNonNull(shared, "shared");
        Objects.requireNonNull(routed, "routed");
        for (MixtureOfExperts m : new MixtureOfExperts[] {shared, routed}) {
            String field = m == shared ? "shared" : "routed";
            if (m.observation() != Observation.GAUSSIAN_MIXTURE) {
                throw new IllegalArgumentException(field + ".observation: the shared + routed model needs the"
                        + " gaussian-mixture observation in both blocks, got " + m.observation().label());
            }
            if (m.frozenCount() > 0) {
                throw new IllegalArgumentException(field + ".frozen: a block of the shared + routed model takes no frozen"
                        + " components");
            }
            if (m.gate().modelsInput()) {
                throw new IllegalArgumentException(field + ".gate: the " + m.gate().name() + " gate models the input;"
                        + " the shared + routed model is conditional on x");
            }
            if (!m.gate().normalized()) {
                throw new IllegalArgumentException(field + ".gate: the " + m.gate().name() + " gate's weights do not sum"
                        + " to one; a block needs a normalized gate");
            }
        }
        if (shared.inputDimension() != routed.inputDimension()) {
            throw new IllegalArgumentException("routed.d: " + routed.inputDimension() + ", the shared block's d = "
                    + shared.inputDimension());
        }
        if (shared.outputDimension() != routed.outputDimension()) {
            throw new IllegalArgumentException("routed.expert: output dimension " + routed.outputDimension()
                    + ", the shared block's q = " + shared.outputDimension());
        }
        if (!(sharedWeight > 0 && sharedWeight < 1)) {
            throw new IllegalArgumentException("shared-weight: must be in (0, 1), got " + sharedWeight);
        }
        this.shared = shared;
        this.routed = routed;
        this.sharedWeight = sharedWeight;
    }

    /**
     * The DeepSeekMoE layer's weights, ½ and ½.
     *
     * @param shared the shared block
     * @param routed the routed block
     * @return the model
     */
    public static SharedRoutedMixture halves(MixtureOfExperts shared, MixtureOfExperts routed) {
        return new SharedRoutedMixture(shared, routed, 0.5);
    }

    /** {@return the shared block} */
    public MixtureOfExperts shared() {
        return shared;
    }

    /** {@return the routed block} */
    public MixtureOfExperts routed() {
        return routed;
    }

    /** {@return the shared block's weight w} */
    public double sharedWeight() {
        return sharedWeight;
    }

    /** {@return the input dimension d} */
    public int inputDimension() {
        return shared.inputDimension();
    }

    /** {@return the output dimension q} */
    public int outputDimension() {
        return shared.outputDimension();
    }

    /** {@return K_1 + K_2, the number of components of both blocks} */
    public int components() {
        return shared.components() + routed.components();
    }

    /**
     * This model with other numbers of components.
     *
     * @param sharedComponents K_1
     * @param routedComponents K_2
     * @return the model
     */
    public SharedRoutedMixture withComponents(int sharedComponents, int routedComponents) {
        return new SharedRoutedMixture(shared.withComponents(sharedComponents), routed.withComponents(routedComponents),
                sharedWeight);
    }

    /**
     * Checks parameters against both blocks.
     *
     * @param field the name used in messages
     * @param p the parameters
     * @throws IllegalArgumentException naming the field, the block and the component
     */
    public void check(String field, Parameters p) {
        Objects.requireNonNull(p, field);
        shared.check(field + ".shared", p.shared());
        routed.check(field + ".routed", p.routed());
    }

    /**
     * The log-likelihood {@code Σ_i log p(y_i | x_i)}.
     *
     * @param p the parameters
     * @param x inputs, n × d; not modified
     * @param y responses, n × q; not modified
     * @return the log-likelihood
     */
    public double logLikelihood(Parameters p, double[] x, double[] y) {
        check("parameters", p);
        shared.checkInputs("x", x);
        return componentLogDensities(p, x, y, x.length / inputDimension(), null);
    }

    /**
     * The E-step's kernel: the log-likelihood and, when asked, the responsibilities of the shared
     * then the routed components, {@code τ_ik = w_b π^b_k(x_i) N(y_i; h^b_k(x_i), ν^b_k) / p(y_i|x_i)}.
     *
     * @param p the parameters (checked by the caller)
     * @param x inputs; not modified
     * @param y responses; not modified
     * @param n number of samples
     * @param out if non-null, receives the responsibilities, n × (K_1 + K_2) row-major; modified
     * @return the log-likelihood
     */
    public double componentLogDensities(Parameters p, double[] x, double[] y, int n, double[] out) {
        int k1 = shared.components();
        int k2 = routed.components();
        double[] r1 = out == null ? null : new double[n * k1];
        double[] r2 = out == null ? null : new double[n * k2];
        double[] l1 = new double[n];
        double[] l2 = new double[n];
        shared.componentLogDensities(p.shared(), x, y, n, r1, l1);
        routed.componentLogDensities(p.routed(), x, y, n, r2, l2);
        double lw1 = Math.log(sharedWeight);
        double lw2 = Math.log1p(-sharedWeight);
        int t = k1 + k2;
        double ll = 0;
        for (int i = 0; i < n; i++) {
            double a = lw1 + l1[i];
            double b = lw2 + l2[i];
            double max = Math.max(a, b);
            if (max == Double.NEGATIVE_INFINITY || Double.isNaN(max)) {
                return max == Double.NEGATIVE_INFINITY ? max : Double.NaN;
            }
            double ea = org.prefixmoe.model.Exp.exp(a - max);
            double eb = org.prefixmoe.model.Exp.exp(b - max);
            double sum = ea + eb;
            ll += max + Math.log(sum);
            if (out != null) {
                double p1 = ea / sum;
                double p2 = eb / sum;
                for (int c = 0; c < k1; c++) {
                    out[i * t + c] = p1 * r1[i * k1 + c];
                }
                for (int c = 0; c < k2; c++) {
                    out[i * t + k1 + c] = p2 * r2[i * k2 + c];
                }
            }
        }
        return ll;
    }

    /**
     * The conditional mean {@code E[Y | x] = w f_shared(x) + (1 − w) f_routed(x)}.
     *
     * @param p the parameters
     * @param x inputs, n × d; not modified
     * @return n × q row-major
     */
    public double[] regression(Parameters p, double[] x) {
        double[] a = shared.regression(p.shared(), x);
        double[] b = routed.regression(p.routed(), x);
        double[] out = new double[a.length];
        for (int i = 0; i < a.length; i++) {
            out[i] = sharedWeight * a[i] + (1 - sharedWeight) * b[i];
        }
        return out;
    }

    /**
     * Both blocks' gate weights at inputs: per input the shared block's weights ω_1..ω_{K_1} (input-free,
     * summing to 1), then the routed block's g_1(x)..g_{K_2}(x) (summing to 1). A component's weight
     * in the mixture is {@code w ω_i} or {@code (1 − w) g_j(x)}.
     *
     * @param p the parameters
     * @param x inputs, n × d; not modified
     * @return n × (K_1 + K_2) row-major
     * @throws IllegalArgumentException naming the parameters' field or the input entry that is wrong
     */
    public double[] gateWeights(Parameters p, double[] x) {
        check("parameters", p);
        double[] a = shared.gateProbabilities(p.shared(), x);
        double[] b = routed.gateProbabilities(p.routed(), x);
        return interleave(a, shared.components(), b, routed.components(), x.length / inputDimension());
    }

    /**
     * What the fitted model says at new inputs: the regression function {@link #regression} and both
     * blocks' gate weights {@link #gateWeights} (the shared block's K_1 first); unlike a single
     * mixture's, each row of its gates sums to 2 (1 per block).
     *
     * @param p the parameters
     * @param x inputs, n × d; not modified
     * @return the prediction, with K_1 + K_2 experts
     * @throws IllegalArgumentException naming the parameters' field or the input entry that is wrong
     */
    public org.prefixmoe.model.Prediction predict(Parameters p, double[] x) {
        double[] g = gateWeights(p, x);
        return new org.prefixmoe.model.Prediction(x.length / inputDimension(), outputDimension(), components(),
                regression(p, x), g);
    }

    /**
     * The posterior responsibilities of the K_1 + K_2 components given (x, y),
     * {@code τ_ik = w_b π^b_k(x_i) N(y_i; h^b_k(x_i), ν^b_k) / p(y_i|x_i)}: the shared components
     * first, each row summing to 1.
     *
     * @param p the parameters
     * @param x inputs, n × d; not modified
     * @param y responses, n × q; not modified
     * @return n × (K_1 + K_2) row-major
     * @throws IllegalArgumentException naming the field when the parameters, inputs or responses are
     *     wrong (lengths, non-finite entries)
     */
    public double[] responsibilities(Parameters p, double[] x, double[] y) {
        check("parameters", p);
        shared.checkInputs("x", x);
        int n = x.length / inputDimension();
        if (y.length != (long) n * outputDimension()) {
            throw new IllegalArgumentException("y: " + y.length + " values for " + n + " samples of q = "
                    + outputDimension());
        }
        for (int i = 0; i < y.length; i++) {
            if (!Double.isFinite(y[i])) {
                throw new IllegalArgumentException("y: entry " + i + " is not finite (" + y[i] + ")");
            }
        }
        double[] out = new double[n * components()];
        componentLogDensities(p, x, y, n, out);
        return out;
    }

    private static double[] interleave(double[] a, int ka, double[] b, int kb, int n) {
        double[] out = new double[n * (ka + kb)];
        for (int i = 0; i < n; i++) {
            System.arraycopy(a, i * ka, out, i * (ka + kb), ka);
            System.arraycopy(b, i * kb, out, i * (ka + kb) + ka, kb);
        }
        return out;
    }

    @Override
    public String toString() {
        return "shared (" + shared + ") + routed (" + routed + "), w = " + sharedWeight;
    }
}
