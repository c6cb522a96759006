package org.prefixmoe.model.moe;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A gated mixture of experts: a {@link Gate} × an {@link Expert} × an {@link Observation}, over K
 * free components and optional {@link FrozenComponents} (with the Gaussian-mixture observation,
 * {@link FrozenDensity} components that bring their own density: the contaminated model
 * {@code (1 − λ(x)) f_0(y|x) + λ(x) N(y; h(x), ν)}). Immutable; its
 * parameters are a {@link Components}. Built with {@link #builder()}:
 * <pre>{@code
 * MixtureOfExperts sgame = MixtureOfExperts.builder()
 *         .gate(new SoftmaxGate(1, 2, 1))          // d = 1, K = 2, last score fixed at 0
 *         .expert(new LinearExpert(1, 1))
 *         .observation(Observation.GAUSSIAN_MIXTURE)
 *         .build();
 * }</pre>
 */
public final class MixtureOfExperts {
    private static final double LOG_2PI = Math.log(2 * Math.PI);

    private final Gate gate;
    private final Expert expert;
    private final Observation observation;
    private final FrozenComponents frozen;
    private final int d;
    private final int q;
    private final int k;
    private final int j;

    private MixtureOfExperts(Gate gate, Expert expert, Observation observation, FrozenComponents frozen) {
        this.gate = gate;
        this.expert = expert;
        this.observation = observation;
        this.frozen = frozen;
        this.d = gate.inputDimension();
        this.q = expert.outputDimension();
        this.k = gate.components();
        this.j = frozen == null ? 0 : frozen.count();
    }

    /** {@return an empty builder} */
    public static Builder builder() {
        return new Builder();
    }

    /** Collects the parts; {@link #build} checks that they fit together. */
    public static final class Builder {
        private Gate gate;
        private Expert expert;
        private Observation observation = Observation.REGRESSION;
        private FrozenComponents frozen;

        private Builder() {
        }

        /**
         * @param gate the gate over the K free components
         * @return this builder
         */
        public Builder gate(Gate gate) {
            this.gate = gate;
            return this;
        }

        /**
         * @param expert the expert of every free component
         * @return this builder
         */
        public Builder expert(Expert expert) {
            this.expert = expert;
            return this;
        }

        /**
         * @param observation how the response is observed (default regression)
         * @return this builder
         */
        public Builder observation(Observation observation) {
            this.observation = observation;
            return this;
        }

        /**
         * @param frozen known components that join the gate (or null for none); with the
         *     gaussian-mixture observation they must be {@link FrozenDensity}
         * @return this builder
         */
        public Builder frozen(FrozenComponents frozen) {
            this.frozen = frozen;
            return this;
        }

        /**
         * @return the model
         * @throws IllegalArgumentException naming the missing or inconsistent part
         */
        public MixtureOfExperts build() {
            if (gate == null) {
                throw new IllegalArgumentException("gate: missing");
            }
            if (expert == null) {
                throw new IllegalArgumentException("expert: missing");
            }
            Objects.requireNonNull(observation, "observation");
            if (gate.inputDimension() != expert.inputDimension()) {
                throw new IllegalArgumentException("expert: input dimension " + expert.inputDimension()
                        + " differs from the gate's d = " + gate.inputDimension());
            }
            if (frozen != null && frozen.count() > 0 && gate.modelsInput()) {
                throw new IllegalArgumentException("frozen: the " + gate.name() + " gate takes no frozen components");
            }
            if (frozen != null && frozen.count() > 0 && observation != Observation.REGRESSION
                    && !(frozen instanceof FrozenDensity)) {
                throw new IllegalArgumentException("frozen: the gaussian-mixture observation needs frozen components"
                        + " with a density of their own (FrozenDensity, e.g. FrozenExpert)");
            }
            if (frozen instanceof FrozenExpert fe && fe.inputDimension() != gate.inputDimension()) {
                throw new IllegalArgumentException("frozen.weights: " + fe.inputDimension() + " numbers, the gate's d = "
                        + gate.inputDimension());
            }
            if (frozen instanceof FrozenExpert && expert.outputDimension() != 1) {
                throw new IllegalArgumentException("frozen: the frozen expert's response is scalar, the expert's q = "
                        + expert.outputDimension());
            }
            if (gate.modelsInput() && observation == Observation.REGRESSION) {
                throw new IllegalArgumentException("observation: the " + gate.name() + " gate models the input and"
                        + " needs the gaussian-mixture observation");
            }
            gate.checkUse(observation, frozen == null ? 0 : frozen.count());
            return new MixtureOfExperts(gate, expert, observation, frozen != null && frozen.count() == 0 ? null : frozen);
        }
    }

    /** {@return the gate} */
    public Gate gate() {
        return gate;
    }

    /** {@return the expert} */
    public Expert expert() {
        return expert;
    }

    /** {@return the observation model} */
    public Observation observation() {
        return observation;
    }

    /** {@return the frozen components, or null} */
    public FrozenComponents frozen() {
        return frozen;
    }

    /** {@return the input dimension d} */
    public int inputDimension() {
        return d;
    }

    /** {@return the output dimension q} */
    public int outputDimension() {
        return q;
    }

    /** {@return the number K of free components} */
    public int components() {
        return k;
    }

    /** {@return the number J of frozen components} */
    public int frozenCount() {
        return j;
    }

    /**
     * This model with K free components (a gate's reference component moves to the last one).
     *
     * @param components K
     * @return the model
     */
    public MixtureOfExperts withComponents(int components) {
        return new Builder().gate(gate.withComponents(components)).expert(expert).observation(observation)
                .frozen(frozen).build();
    }

    /**
     * The named blocks of one component, the atom of the generic Voronoi loss: the gate's, the
     * expert's, and {@code nu} for the Gaussian-mixture observation.
     *
     * @return the blocks in order
     */
    public List<Block> blocks() {
        List<Block> b = new ArrayList<>(gate.blocks());
        b.addAll(expert.blocks());
        if (observation == Observation.GAUSSIAN_MIXTURE) {
            b.add(new Block("nu", 1));
        }
        return List.copyOf(b);
    }

    /**
     * One component as the concatenation of its blocks (see {@link #blocks()}).
     *
     * @param c the parameters
     * @param component the component
     * @return gate vector, expert vector, then ν
     */
    public double[] atom(Components c, int component) {
        double[] g = c.gate(component);
        double[] e = c.expert(component);
        int extra = observation == Observation.GAUSSIAN_MIXTURE ? 1 : 0;
        double[] a = new double[g.length + e.length + extra];
        System.arraycopy(g, 0, a, 0, g.length);
        System.arraycopy(e, 0, a, g.length, e.length);
        if (extra == 1) {
            a[a.length - 1] = c.variance(component);
        }
        return a;
    }

    /**
     * The loss weight of a component ({@link Gate#weight}).
     *
     * @param c the parameters
     * @param component the component
     * @return its weight
     */
    public double weight(Components c, int component) {
        return gate.weight(c.gate(component));
    }

    /**
     * Checks that parameters fit this model: K components, vector lengths, finite entries, valid
     * gate components, positive variances exactly for the Gaussian-mixture observation.
     *
     * @param field the name used in messages
     * @param c the parameters
     * @throws IllegalArgumentException naming the field and the component
     */
    public void check(String field, Components c) {
        Objects.requireNonNull(c, field);
        if (c.size() != k) {
            throw new IllegalArgumentException(field + ": " + c.size() + " components, the model has K = " + k);
        }
        for (int a = 0; a < k; a++) {
            gate.check(field + "[" + a + "].gate", c.gate(a));
            Block.checkFinite(field + "[" + a + "].expert", c.expert(a), expert.parameterCount());
        }
        if (observation == Observation.GAUSSIAN_MIXTURE) {
            if (!c.hasVariance()) {
                throw new IllegalArgumentException(field + ": the gaussian-mixture observation needs a variance nu per"
                        + " component");
            }
            for (int a = 0; a < k; a++) {
                if (!(c.variance(a) > 0) || !Double.isFinite(c.variance(a))) {
                    throw new IllegalArgumentException(field + "[" + a + "].nu: must be a positive number, got "
                            + c.variance(a));
                }
            }
        }
    }

    /**
     * Checks inputs: n × d row-major, finite.
     *
     * @param field the name used in messages
     * @param x the inputs
     * @throws IllegalArgumentException naming the field and the entry
     */
    public void checkInputs(String field, double[] x) {
        Objects.requireNonNull(x, field);
        if (x.length % d != 0) {
            throw new IllegalArgumentException(field + ": length " + x.length + " is not a multiple of d = " + d);
        }
        for (int a = 0; a < x.length; a++) {
            if (!Double.isFinite(x[a])) {
                throw new IllegalArgumentException(field + ": X[" + a / d + "][" + a % d + "] is not a finite number ("
                        + x[a] + ")");
            }
        }
    }

    /**
     * The frozen components' log scores at every input, n × J row-major.
     *
     * @param x the inputs; not modified
     * @return the scores (length 0 without frozen components)
     */
    public double[] frozenScores(double[] x) {
        int n = x.length / d;
        double[] s = new double[n * j];
        for (int i = 0; i < n; i++) {
            for (int a = 0; a < j; a++) {
                s[i * j + a] = frozen.score(a, x, i * d);
            }
        }
        return s;
    }

    /**
     * Gate probabilities of the free then frozen components at every input.
     *
     * @param c the parameters
     * @param x inputs, n × d; not modified
     * @return n × (K + J) row-major (for a gate that models the input: the posterior of the
     *     component given x alone; for an unnormalized gate, its weights as they are)
     */
    public double[] gateProbabilities(Components c, double[] x) {
        check("components", c);
        checkInputs("x", x);
        int n = x.length / d;
        int t = k + j;
        double[] fs = frozenScores(x);
        Gate.Weights w = gate.at(c.gate());
        double[] out = new double[n * t];
        double[] lw = new double[t];
        boolean normalized = gate.normalized();
        for (int i = 0; i < n; i++) {
            w.logWeights(x, i * d, fs, i * j, lw);
            double norm = normalized ? logSumExp(lw, t) : 0;
            for (int a = 0; a < t; a++) {
                out[i * t + a] = Math.exp(lw[a] - norm);
            }
        }
        return out;
    }

    /**
     * The regression function {@code f_G(x) = Σ_k π_k(x) h_k(x)} (the conditional mean of Y).
     *
     * @param c the parameters
     * @param x inputs, n × d; not modified
     * @return n × q row-major
     */
    public double[] regression(Components c, double[] x) {
        double[] p = gateProbabilities(c, x);
        int n = x.length / d;
        int t = k + j;
        double[] out = new double[n * q];
        double[] h = new double[q];
        double[][] eta = c.expert();
        for (int i = 0; i < n; i++) {
            for (int a = 0; a < t; a++) {
                if (a < k) {
                    expert.mean(eta[a], x, i * d, h, 0);
                } else {
                    frozen.output(a - k, x, i * d, h, 0);
                }
                double pa = p[i * t + a];
                for (int o = 0; o < q; o++) {
                    out[i * q + o] += pa * h[o];
                }
            }
        }
        return out;
    }

    /**
     * The posterior responsibilities {@code τ_ik = P(component k | x_i, y_i)} of the free then frozen
     * components under the Gaussian-mixture observation (each component's own variance {@code ν_k}).
     *
     * @param c the parameters
     * @param x inputs, n × d; not modified
     * @param y responses, n × q; not modified
     * @return n × (K + J) row-major, each row summing to 1
     * @throws IllegalStateException for the regression observation, which has no density
     */
    public double[] responsibilities(Components c, double[] x, double[] y) {
        if (observation != Observation.GAUSSIAN_MIXTURE) {
            throw new IllegalStateException("responsibilities: the regression observation has no density (it is fitted"
                    + " by least squares); only a Gaussian-mixture observation has responsibilities");
        }
        check("components", c);
        checkInputs("x", x);
        int n = x.length / d;
        if (y.length != (long) n * q) {
            throw new IllegalArgumentException("y: " + y.length + " values for " + n + " samples of q = " + q);
        }
        double[] out = new double[n * (k + j)];
        componentLogDensities(c, x, y, n, out);
        return out;
    }

    /**
     * The log-likelihood of the Gaussian-mixture observation, {@code Σ_i log Σ_k π_k(x_i) N(y_i; h_k(x_i), ν_k I)}
     * (joint in (x, y) when the gate models the input; plus {@code π_{K+j}(x_i) f_j(y_i|x_i)} for
     * frozen components with a density).
     *
     * @param c the parameters
     * @param x inputs, n × d; not modified
     * @param y responses, n × q; not modified
     * @return the log-likelihood
     * @throws IllegalStateException for the regression observation
     */
    public double logLikelihood(Components c, double[] x, double[] y) {
        if (observation != Observation.GAUSSIAN_MIXTURE) {
            throw new IllegalStateException("logLikelihood: the regression observation is fitted by least squares");
        }
        check("components", c);
        checkInputs("x", x);
        int n = x.length / d;
        return componentLogDensities(c, x, y, n, null);
    }

    /**
     * {@code log π_k(x_i) + log N(y_i; h_k(x_i), ν_k I)} for every sample and free component (and
     * {@code log π_{K+j}(x_i) + log f_j(y_i|x_i)} for the J frozen ones), and their log-sum over
     * components summed over samples: the E-step's kernel.
     *
     * @param c the parameters (checked by the caller)
     * @param x inputs; not modified
     * @param y responses; not modified
     * @param n number of samples
     * @param out if non-null, receives the responsibilities τ_ik, n × (K + J) row-major; modified
     * @return the log-likelihood
     */
    public double componentLogDensities(Components c, double[] x, double[] y, int n, double[] out) {
        return componentLogDensities(c, x, y, n, out, null);
    }

    /**
     * {@link #componentLogDensities(Components, double[], double[], int, double[])}, and each sample's
     * log-likelihood {@code log Σ_k π_k(x_i) N(y_i; h_k(x_i), ν_k I)}: what a mixture of such
     * mixtures (the shared + routed model) needs to weigh its blocks per sample.
     *
     * @param c the parameters (checked by the caller)
     * @param x inputs; not modified
     * @param y responses; not modified
     * @param n number of samples
     * @param out if non-null, receives the responsibilities τ_ik, n × (K + J) row-major; modified
     * @param perSample if non-null, receives the n per-sample log-likelihoods; modified
     * @return the log-likelihood
     */
    public double componentLogDensities(Components c, double[] x, double[] y, int n, double[] out,
                                        double[] perSample) {
        Gate.Weights w = gate.at(c.gate());
        double[][] eta = c.expert();
        double[] nu = c.variances();
        int t = k + j;
        FrozenDensity density = j > 0 ? (FrozenDensity) frozen : null;
        double[] logNorm = new double[k];
        for (int a = 0; a < k; a++) {
            logNorm[a] = -0.5 * q * (LOG_2PI + Math.log(nu[a]));
        }
        double[] lw = new double[t];
        double[] h = new double[q];
        double[] fs = new double[j];
        double ll = 0;
        for (int i = 0; i < n; i++) {
            for (int a = 0; a < j; a++) {
                fs[a] = frozen.score(a, x, i * d);
            }
            w.logWeights(x, i * d, fs, 0, lw);
            for (int a = 0; a < k; a++) {
                expert.mean(eta[a], x, i * d, h, 0);
                double ss = 0;
                for (int o = 0; o < q; o++) {
                    double r = y[i * q + o] - h[o];
                    ss += r * r;
                }
                lw[a] += logNorm[a] - 0.5 * ss / nu[a];
            }
            for (int a = 0; a < j; a++) {
                lw[k + a] += density.logDensity(a, x, i * d, y, i * q);
            }
            // log-sum-exp by the maximum; the same exponentials give the responsibilities
            double max = Double.NEGATIVE_INFINITY;
            for (int a = 0; a < t; a++) {
                max = Math.max(max, lw[a]);
            }
            double sum = 0;
            for (int a = 0; a < t; a++) {
                lw[a] = max == Double.NEGATIVE_INFINITY ? 0 : org.prefixmoe.model.Exp.exp(lw[a] - max);
                sum += lw[a];
            }
            double li = max + Math.log(sum);
            ll += li;
            if (perSample != null) {
                perSample[i] = li;
            }
            if (out != null) {
                double inv = 1 / sum;
                for (int a = 0; a < t; a++) {
                    out[i * t + a] = lw[a] * inv;
                }
            }
        }
        return ll;
    }

    /**
     * {@code log Σ_a exp(v[a])} over the first {@code len} entries, by the maximum.
     *
     * @param v the values; not modified
     * @param len how many
     * @return the log-sum-exp (-Infinity when all are)
     */
    static double logSumExp(double[] v, int len) {
        double max = Double.NEGATIVE_INFINITY;
        for (int a = 0; a < len; a++) {
            max = Math.max(max, v[a]);
        }
        if (max == Double.NEGATIVE_INFINITY) {
            return max;
        }
        double s = 0;
        for (int a = 0; a < len; a++) {
            s += org.prefixmoe.model.Exp.exp(v[a] - max);
        }
        return max + Math.log(s);
    }

    @Override
    public String toString() {
        return gate.name() + " gate × " + expert.name() + " experts × " + observation.label() + ", K = " + k
                + (j > 0 ? " + " + j + " frozen" : "") + ", d = " + d + ", q = " + q;
    }
}
