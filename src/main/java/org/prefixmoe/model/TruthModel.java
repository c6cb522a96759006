package org.prefixmoe.model;

/**
 * Everything a model file declares: the model, the true mixing measure, the noise level, the
 * input distribution and the box of the parameter space. Immutable.
 *
 * @param name a short name (the file's base name by default)
 * @param model the model
 * @param truth the true measure G*
 * @param sigma noise standard deviation
 * @param input input distribution μ
 * @param box the compact parameter space
 */
public record TruthModel(String name, PrefixModel model, MixingMeasure truth, double sigma,
                         InputDistribution input, Box box) {

    /**
     * Checks the parts: none missing, the truth a measure of the model, the noise a finite
     * number {@code >= 0}.
     *
     * @param name a short name
     * @param model the model
     * @param truth the true measure G*
     * @param sigma noise standard deviation
     * @param input input distribution μ
     * @param box the compact parameter space
     * @throws NullPointerException naming a missing part
     * @throws IllegalArgumentException naming {@code truth} or {@code sigma}
     */
    public TruthModel {
        java.util.Objects.requireNonNull(name, "name");
        java.util.Objects.requireNonNull(model, "model");
        java.util.Objects.requireNonNull(truth, "truth");
        java.util.Objects.requireNonNull(input, "input");
        java.util.Objects.requireNonNull(box, "box");
        model.checkMeasure("truth", truth);
        if (!Double.isFinite(sigma) || sigma < 0) {
            throw new IllegalArgumentException("sigma: must be a finite number >= 0, got " + sigma);
        }
    }

    /**
     * Number L* of true atoms.
     *
     * @return the size of the true measure
     */
    public int trueAtoms() {
        return truth.size();
    }

    /**
     * Starts a builder with named steps, validated as a model file is:
     * <pre>{@code
     * TruthModel truth = TruthModel.builder()
     *         .name("my-truth")
     *         .model(model)
     *         .atom(new double[] {1.0, 0.6}, 0.0)
     *         .atom(new double[] {-0.7, 0.9}, 0.0)   // or .truth(measure)
     *         .sigma(0.1)
     *         .input(new InputDistribution.Uniform(-1, 1))   // the default
     *         .box(Box.DEFAULT)                               // the default
     *         .build();
     * }</pre>
     *
     * @return an empty builder
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Collects a truth; {@link #build} applies the model-file checks (identifiable truth inside its
     * box, non-negative noise) with messages naming the argument.
     */
    public static final class Builder {
        private String name = "truth";
        private PrefixModel model;
        private MixingMeasure truth;
        private MixingMeasure.Builder atoms;
        private Double sigma;
        private InputDistribution input = new InputDistribution.Uniform(-1, 1);
        private Box box = Box.DEFAULT;

        private Builder() {
        }

        /**
         * Sets the name (default {@code truth}).
         *
         * @param name a short label
         * @return this builder
         */
        public Builder name(String name) {
            this.name = name;
            return this;
        }

        /**
         * Sets the model.
         *
         * @param model the prefix model whose true measure this is
         * @return this builder
         */
        public Builder model(PrefixModel model) {
            this.model = model;
            return this;
        }

        /**
         * Sets the true measure {@code G*} built elsewhere (or add its atoms with {@link #atom}).
         *
         * @param truth the measure
         * @return this builder
         */
        public Builder truth(MixingMeasure truth) {
            this.truth = truth;
            return this;
        }

        /**
         * Adds a true atom with its bias.
         *
         * @param theta θ*_l (not modified)
         * @param bias b*_l
         * @return this builder
         */
        public Builder atom(double[] theta, double bias) {
            atoms().atom(theta, bias);
            return this;
        }

        /**
         * Adds a true atom without bias (models with {@code bias(false)}).
         *
         * @param theta θ*_l (not modified)
         * @return this builder
         */
        public Builder atom(double[] theta) {
            atoms().atom(theta);
            return this;
        }

        private MixingMeasure.Builder atoms() {
            if (atoms == null) {
                atoms = MixingMeasure.builder();
            }
            return atoms;
        }

        /**
         * Sets the noise standard deviation σ (required).
         *
         * @param sigma σ ≥ 0
         * @return this builder
         */
        public Builder sigma(double sigma) {
            this.sigma = sigma;
            return this;
        }

        /**
         * Sets the input distribution μ (default uniform on {@code [-1, 1]^D}).
         *
         * @param input the distribution
         * @return this builder
         */
        public Builder input(InputDistribution input) {
            this.input = input;
            return this;
        }

        /**
         * Sets the compact parameter space (default {@link Box#DEFAULT}).
         *
         * @param box the box
         * @return this builder
         */
        public Builder box(Box box) {
            this.box = box;
            return this;
        }

        /**
         * Checks the truth and builds it.
         *
         * @return the truth
         * @throws IllegalArgumentException naming the argument that is missing or wrong
         */
        public TruthModel build() {
            if (name == null || name.isBlank()) {
                throw new IllegalArgumentException("name: must not be empty");
            }
            if (model == null) {
                throw new IllegalArgumentException("model: missing");
            }
            if (truth != null && atoms != null) {
                throw new IllegalArgumentException("truth: given both by truth(..) and by atom(..)");
            }
            if (truth == null && atoms == null) {
                throw new IllegalArgumentException("truth: missing (call atom(..) or truth(..))");
            }
            if (sigma == null) {
                throw new IllegalArgumentException("sigma: missing");
            }
            if (!(sigma >= 0) || Double.isInfinite(sigma)) {
                throw new IllegalArgumentException("sigma: must be finite and >= 0, got " + sigma);
            }
            if (input == null) {
                throw new IllegalArgumentException("input: missing");
            }
            if (box == null) {
                throw new IllegalArgumentException("box: missing");
            }
            MixingMeasure g = truth != null ? truth : atoms.build();
            model.checkMeasure("truth", g);
            model.checkIdentifiable(g);
            if (!box.contains(g)) {
                throw new IllegalArgumentException("box: the true measure lies outside atom [" + box.atomLower() + ", "
                        + box.atomUpper() + "], bias [" + box.biasLower() + ", " + box.biasUpper() + "]");
            }
            return new TruthModel(name, model, g, sigma, input, box);
        }
    }
}
