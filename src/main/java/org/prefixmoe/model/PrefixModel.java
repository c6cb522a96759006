package org.prefixmoe.model;

/**
 * The prefix mixture-of-experts regression model of docs/theory.md §2: fixed pretrained experts, the known
 * gating projection {@code B ∈ R^{D×r}}, the parameterization of the prompt atoms, and whether
 * the prompts carry biases. A mixing measure {@link MixingMeasure} completes it into a regression
 * function {@code f_G}. Immutable.
 */
public final class PrefixModel {
    /**
     * Relative distance below which two true atoms count as equal:
     * {@code ||θ_k − θ_l|| ≤ 1e-8 · max(1, ||θ_k||, ||θ_l||)} is refused like equality, since such
     * atoms are not distinguishable at any sample size a study can reach.
     */
    public static final double ATOM_TOLERANCE = 1e-8;

    private final PretrainedExperts pretrained;
    private final double[] b;
    private final Parameterization parameterization;
    private final boolean bias;
    private final int d;
    private final int r;
    private final int q;

    /**
     * @param pretrained the pretrained experts
     * @param bMatrix the gating projection B, D × r
     * @param parameterization the map from atoms to keys and values
     * @param bias whether prompts carry a bias b_l
     * @throws NullPointerException naming a missing argument
     * @throws IllegalArgumentException naming the argument: B of the wrong shape, non-finite or of
     *     column rank below r (the prompts' gating would not be identifiable, docs/theory.md §2), or value
     *     dimension different from the experts' q
     */
    public PrefixModel(PretrainedExperts pretrained, double[][] bMatrix, Parameterization parameterization,
                       boolean bias) {
        java.util.Objects.requireNonNull(pretrained, "pretrained");
        java.util.Objects.requireNonNull(bMatrix, "B");
        java.util.Objects.requireNonNull(parameterization, "parameterization");
        this.pretrained = pretrained;
        this.parameterization = parameterization;
        this.bias = bias;
        this.d = pretrained.inputDimension();
        this.q = pretrained.outputDimension();
        this.r = parameterization.keyDimension();
        if (parameterization.valueDimension() != q) {
            throw new IllegalArgumentException("parameterization: value dimension " + parameterization.valueDimension()
                    + " differs from the pretrained experts' output dimension q = " + q);
        }
        this.b = Matrices.flatten("B", bMatrix, d, r);
        Matrices.requireFullColumnRank("B", b, d, r);
    }

    /**
     * Starts a builder with named steps:
     * <pre>{@code
     * PrefixModel model = PrefixModel.builder()
     *         .expert(A1, 0.0, H1, e1).expert(A2, 0.0, H2, e2)   // or .pretrained(experts)
     *         .gatingProjection(B)                               // D x r
     *         .parameterization(new SharedLinear(R_K, R_V))
     *         .bias(true)                                        // the default
     *         .build();
     * }</pre>
     *
     * @return an empty builder
     */
    public static Builder builder() {
        return new Builder();
    }

    /** Collects the parts of a model; {@link #build} checks them with messages naming the argument. */
    public static final class Builder {
        private PretrainedExperts pretrained;
        private PretrainedExperts.Builder experts;
        private double[][] gatingProjection;
        private Parameterization parameterization;
        private boolean bias = true;

        private Builder() {
        }

        /**
         * Sets the pretrained experts built elsewhere (or add them with {@link #expert}).
         *
         * @param pretrained the experts
         * @return this builder
         */
        public Builder pretrained(PretrainedExperts pretrained) {
            this.pretrained = pretrained;
            return this;
        }

        /**
         * Adds the next pretrained expert: score {@code XᵀA_jX + c_j}, output {@code H_jX + e_j}
         * (see {@link PretrainedExperts.Builder#expert}).
         *
         * @param a {@code A_j}, D × D
         * @param c {@code c_j}
         * @param h {@code H_j}, q × D
         * @param e {@code e_j}, of length q
         * @return this builder
         */
        public Builder expert(double[][] a, double c, double[][] h, double[] e) {
            if (experts == null) {
                experts = PretrainedExperts.builder();
            }
            experts.expert(a, c, h, e);
            return this;
        }

        /**
         * Sets the gating projection {@code B} (D × r): a prompt's score is {@code (B key(θ))ᵀX + b}.
         *
         * @param b the matrix (not modified; copied at build)
         * @return this builder
         */
        public Builder gatingProjection(double[][] b) {
            this.gatingProjection = b;
            return this;
        }

        /**
         * Sets the map from atoms to keys and values.
         *
         * @param parameterization e.g. {@code new SharedLinear(R_K, R_V)}
         * @return this builder
         */
        public Builder parameterization(Parameterization parameterization) {
            this.parameterization = parameterization;
            return this;
        }

        /**
         * Sets whether prompts carry a bias {@code b_l} (default true).
         *
         * @param bias false for weights fixed at 1
         * @return this builder
         */
        public Builder bias(boolean bias) {
            this.bias = bias;
            return this;
        }

        /**
         * Checks the parts and builds the model.
         *
         * @return the model
         * @throws IllegalArgumentException naming the missing or inconsistent argument
         */
        public PrefixModel build() {
            if (pretrained != null && experts != null) {
                throw new IllegalArgumentException("pretrained: given both by pretrained(..) and by expert(..)");
            }
            if (pretrained == null && experts == null) {
                throw new IllegalArgumentException("pretrained: missing (call expert(..) or pretrained(..))");
            }
            if (gatingProjection == null) {
                throw new IllegalArgumentException("gatingProjection: missing (the D x r matrix B)");
            }
            if (parameterization == null) {
                throw new IllegalArgumentException("parameterization: missing");
            }
            PretrainedExperts p = pretrained != null ? pretrained : experts.build();
            try {
                return new PrefixModel(p, gatingProjection, parameterization, bias);
            } catch (IllegalArgumentException e) {
                // the constructor speaks of B, the builder of gatingProjection
                throw e.getMessage().startsWith("B") ? new IllegalArgumentException("gatingProjection ("
                        + e.getMessage() + ")", e) : e;
            }
        }
    }

    /** {@return the pretrained experts} */
    public PretrainedExperts pretrained() {
        return pretrained;
    }

    /** {@return the parameterization} */
    public Parameterization parameterization() {
        return parameterization;
    }

    /** {@return whether prompts carry biases} */
    public boolean hasBias() {
        return bias;
    }

    /** {@return the input dimension D} */
    public int inputDimension() {
        return d;
    }

    /** {@return the output dimension q} */
    public int outputDimension() {
        return q;
    }

    /** {@return the key dimension r} */
    public int keyDimension() {
        return r;
    }

    /** {@return the dimension of an atom} */
    public int atomDimension() {
        return parameterization.atomDimension();
    }

    /** {@return the number of free parameters per prompt (atom plus bias)} */
    public int parametersPerAtom() {
        return atomDimension() + (bias ? 1 : 0);
    }

    /** {@return a copy of B, D × r} */
    public double[][] gatingProjection() {
        return Matrices.unflatten(b, d, r);
    }

    /** B as a row-major array (not copied: do not modify). */
    double[] gatingProjectionData() {
        return b;
    }

    /**
     * This model with another parameterization.
     *
     * @param other the new parameterization (same value dimension q)
     * @return a model with the same pretrained part, B and bias option
     */
    public PrefixModel withParameterization(Parameterization other) {
        return new PrefixModel(pretrained, gatingProjection(), other, bias);
    }

    /**
     * Checks that a measure fits this model: atom dimension, biases present exactly when the
     * model has them.
     *
     * @param field the name used in the error message
     * @param g the measure
     * @throws IllegalArgumentException naming the field
     */
    public void checkMeasure(String field, MixingMeasure g) {
        java.util.Objects.requireNonNull(g, field);
        if (g.atomDimension() != atomDimension()) {
            throw new IllegalArgumentException(field + ": atoms have dimension " + g.atomDimension() + " but the "
                    + parameterization.name() + " parameterization needs " + atomDimension());
        }
        if (g.hasBias() != bias) {
            throw new IllegalArgumentException(field + ": the model has bias: " + bias + " but the measure "
                    + (g.hasBias() ? "has" : "has no") + " biases");
        }
    }

    /**
     * Checks that a truth is identifiable (docs/theory.md §2): the parameterization's conditions, distinct
     * atoms (farther apart than {@link #ATOM_TOLERANCE}, relatively) and non-zero values (B's rank
     * is checked when the model is built).
     *
     * @param truth the true measure G*
     * @throws IllegalArgumentException naming the field
     */
    public void checkIdentifiable(MixingMeasure truth) {
        java.util.Objects.requireNonNull(truth, "truth");
        checkMeasure("atoms", truth);
        double[][] atoms = truth.atoms();
        parameterization.checkIdentifiable(atoms);
        double[] key = new double[r];
        double[] value = new double[q];
        for (int l = 0; l < atoms.length; l++) {
            parameterization.map(atoms[l], 0, key, value, null, null);
            double norm = 0;
            for (double v : value) {
                norm += v * v;
            }
            if (norm == 0) {
                throw new IllegalArgumentException("atoms[" + l + "]: the true value is zero, so the prompt is not"
                        + " identifiable");
            }
            for (int k = 0; k < l; k++) {
                double dist = 0;
                double nk = 0;
                double nl = 0;
                for (int c = 0; c < atoms[l].length; c++) {
                    dist += (atoms[k][c] - atoms[l][c]) * (atoms[k][c] - atoms[l][c]);
                    nk += atoms[k][c] * atoms[k][c];
                    nl += atoms[l][c] * atoms[l][c];
                }
                double scale = Math.max(1, Math.sqrt(Math.max(nk, nl)));
                if (Math.sqrt(dist) <= ATOM_TOLERANCE * scale) {
                    throw new IllegalArgumentException("atoms[" + l + "]: " + (dist == 0 ? "equals" : "is within "
                            + ATOM_TOLERANCE + " (relative) of") + " atoms[" + k + "]; true atoms must be distinct");
                }
            }
        }
    }

    /**
     * Checks inputs for this model: n × D row-major, every entry finite.
     *
     * @param field the argument's name in messages
     * @param x the inputs, n × D row-major
     * @throws NullPointerException naming the argument when it is null
     * @throws IllegalArgumentException naming the argument otherwise
     */
    public void checkInputs(String field, double[] x) {
        java.util.Objects.requireNonNull(x, field);
        if (x.length % d != 0) {
            throw new IllegalArgumentException(field + ": length " + x.length + " is not a multiple of D = " + d);
        }
        for (int k = 0; k < x.length; k++) {
            if (!Double.isFinite(x[k])) {
                throw new IllegalArgumentException(field + ": X[" + k / d + "][" + k % d + "] is not a finite number ("
                        + x[k] + ")");
            }
        }
    }

    /**
     * This model as a member of the mixture-of-experts family: the N pretrained experts are frozen
     * components (quadratic scores, linear outputs), and the L prompts are free components with a
     * softmax gate of linear scores (no reference component: the frozen scores anchor the
     * normalizer) and constant experts. {@link #components} maps a mixing measure onto that
     * model's parameters through the parameterization, which is what ties a prompt's gate to its
     * expert. The least-squares and EM estimators keep their fused kernels for this configuration.
     *
     * @param atoms the number L of prompts
     * @return the mixture, regression observation
     */
    public org.prefixmoe.model.moe.MixtureOfExperts asMixture(int atoms) {
        return org.prefixmoe.model.moe.MixtureOfExperts.builder()
                .gate(new org.prefixmoe.model.moe.SoftmaxGate(d, atoms, -1))
                .expert(new org.prefixmoe.model.moe.ConstantExpert(d, q))
                .frozen(pretrained)
                .build();
    }

    /**
     * The parameters of {@link #asMixture} for a mixing measure: component l has gate vector
     * {@code (κ(θ_l) = B key(θ_l), b_l)} and expert vector {@code value(θ_l)}.
     *
     * @param g the measure
     * @return its components
     */
    public org.prefixmoe.model.moe.Components components(MixingMeasure g) {
        checkMeasure("measure", g);
        int l = g.size();
        double[][] gate = new double[l][d + 1];
        double[][] expert = new double[l][q];
        double[] key = new double[r];
        for (int a = 0; a < l; a++) {
            parameterization.map(g.atom(a), 0, key, expert[a], null, null);
            for (int u = 0; u < d; u++) {
                double s = 0;
                for (int v = 0; v < r; v++) {
                    s += b[u * r + v] * key[v];
                }
                gate[a][u] = s;
            }
            gate[a][d] = g.bias(a);
        }
        return new org.prefixmoe.model.moe.Components(gate, expert, null);
    }

    /**
     * Evaluates the regression function at many inputs.
     *
     * @param g the mixing measure G
     * @param x inputs, n × D row-major; not modified
     * @return {@code f_G(x_i)}, n × q row-major
     * @throws IllegalArgumentException naming {@code x} when its length is not a multiple of D
     *     or an entry is not finite
     */
    public double[] regression(MixingMeasure g, double[] x) {
        checkMeasure("measure", g);
        checkInputs("x", x);
        return regression(g, x, pretrained.evaluate(x));
    }

    /**
     * {@link #regression(MixingMeasure, double[])} with the pretrained part at {@code x} given, for
     * callers that evaluate many measures at the same inputs (the regression loss of a study): the
     * same values, bit for bit, without evaluating the pretrained experts again.
     *
     * @param g the mixing measure G
     * @param x inputs, n × D row-major; not modified
     * @param part {@code pretrained().evaluate(x)}
     * @return {@code f_G(x_i)}, n × q row-major
     * @throws IllegalArgumentException naming {@code x} or {@code part} when they do not fit the model
     */
    public double[] regression(MixingMeasure g, double[] x, PretrainedPart part) {
        checkMeasure("measure", g);
        checkInputs("x", x);
        if (part.n() != x.length / d || part.q() != q) {
            throw new IllegalArgumentException("part: the pretrained part of " + part.n() + " inputs with q = "
                    + part.q() + " does not fit " + x.length / d + " inputs with q = " + q);
        }
        Evaluator ev = new Evaluator(this, g.size(), x, part);
        ev.setMeasure(g);
        int n = x.length / d;
        double[] out = new double[n * q];
        double[] f = new double[q];
        for (int i = 0; i < n; i++) {
            ev.value(i, f);
            System.arraycopy(f, 0, out, i * q, q);
        }
        return out;
    }

    /**
     * What a measure predicts at new inputs: {@code f_G(x_i)} (as {@link #regression}) and the
     * gate weights {@code π_c(x_i)} of the N pretrained experts ({@code exp(xᵀA_jx + c_j)}) and the
     * L prompts ({@code exp((B key(θ_l))ᵀx + b_l)}), normalized over all N + L.
     *
     * @param g the fitted measure
     * @param x inputs, n × D row-major; not modified
     * @return the prediction
     * @throws IllegalArgumentException naming {@code measure} or {@code x} when it does not fit the model
     */
    public Prediction predict(MixingMeasure g, double[] x) {
        double[] f = regression(g, x);
        int n = x.length / d;
        int k = pretrained.count() + g.size();
        double[] gates = new double[n * k];
        double[][] gate = components(g).gate();
        for (int i = 0; i < n; i++) {
            logGates(gate, x, i, gates, i * k);
            softmaxInPlace(gates, i * k, k);
        }
        return new Prediction(n, q, k, f, gates);
    }

    /**
     * The posterior responsibilities of the N + L experts under the Gaussian mixture-of-experts
     * reading (the EM E-step, docs/theory.md §3): {@code τ_ic ∝ π_c(x_i) N(y_i; μ_c(x_i), σ² I)},
     * {@code μ_c} the pretrained output {@code H_jx + e_j} or the prompt's value.
     *
     * @param g the fitted measure
     * @param x inputs, n × D row-major; not modified
     * @param y responses, n × q row-major; not modified
     * @param sigma2 the noise variance σ² &gt; 0 (e.g. the fit's)
     * @return responsibilities, n × (N + L) row-major; each row sums to 1
     * @throws IllegalArgumentException naming {@code x}, {@code y}, {@code sigma2} or {@code measure}
     */
    public double[] responsibilities(MixingMeasure g, double[] x, double[] y, double sigma2) {
        checkMeasure("measure", g);
        checkInputs("x", x);
        int n = x.length / d;
        if (y.length != (long) n * q) {
            throw new IllegalArgumentException("y: " + y.length + " entries for " + n + " inputs and q = " + q);
        }
        for (int k = 0; k < y.length; k++) {
            if (!Double.isFinite(y[k])) {
                throw new IllegalArgumentException("y[" + k / q + "][" + k % q + "]: not a finite number: " + y[k]);
            }
        }
        if (!(sigma2 > 0) || Double.isInfinite(sigma2)) {
            throw new IllegalArgumentException("sigma2: must be finite and > 0, got " + sigma2);
        }
        int nExperts = pretrained.count();
        int k = nExperts + g.size();
        org.prefixmoe.model.moe.Components c = components(g);
        double[] out = new double[n * k];
        double[] mean = new double[q];
        for (int i = 0; i < n; i++) {
            logGates(c.gate(), x, i, out, i * k);
            for (int a = 0; a < k; a++) {
                if (a < nExperts) {
                    pretrained.output(a, x, i * d, mean, 0);
                } else {
                    System.arraycopy(c.expert()[a - nExperts], 0, mean, 0, q);
                }
                double ss = 0;
                for (int o = 0; o < q; o++) {
                    double r = y[i * q + o] - mean[o];
                    ss += r * r;
                }
                out[i * k + a] -= 0.5 * ss / sigma2;
            }
            softmaxInPlace(out, i * k, k);
        }
        return out;
    }

    /** Log gate scores of the pretrained experts then the prompts at input i, into out[at ..]. */
    private void logGates(double[][] promptGate, double[] x, int i, double[] out, int at) {
        int nExperts = pretrained.count();
        for (int j = 0; j < nExperts; j++) {
            out[at + j] = pretrained.score(j, x, i * d);
        }
        for (int l = 0; l < promptGate.length; l++) {
            double s = promptGate[l][d];
            for (int u = 0; u < d; u++) {
                s += promptGate[l][u] * x[i * d + u];
            }
            out[at + nExperts + l] = s;
        }
    }

    private static void softmaxInPlace(double[] v, int at, int k) {
        double max = Double.NEGATIVE_INFINITY;
        for (int a = 0; a < k; a++) {
            max = Math.max(max, v[at + a]);
        }
        double sum = 0;
        for (int a = 0; a < k; a++) {
            v[at + a] = Math.exp(v[at + a] - max);
            sum += v[at + a];
        }
        for (int a = 0; a < k; a++) {
            v[at + a] /= sum;
        }
    }
}
