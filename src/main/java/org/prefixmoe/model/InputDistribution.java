package org.prefixmoe.model;

import org.apache.commons.rng.UniformRandomProvider;
import org.apache.commons.rng.sampling.distribution.ZigguratSampler;

/** The distribution μ of the inputs X (docs/theory.md §2). Implementations are immutable. */
public sealed interface InputDistribution permits InputDistribution.Uniform, InputDistribution.Gaussian {

    /**
     * Draws one input.
     *
     * @param rng the random stream
     * @param out receives the draw at {@code out[offset .. offset + dimension)}; modified
     * @param offset where the draw goes
     * @param dimension the input dimension D
     */
    void draw(UniformRandomProvider rng, double[] out, int offset, int dimension);

    /** {@return the name used in files, e.g. {@code uniform[-1,1]}} */
    String label();

    /**
     * Uniform on the cube {@code [low, high]^D}.
     *
     * @param low lower end
     * @param high upper end
     */
    record Uniform(double low, double high) implements InputDistribution {
        /**
         * Validates the bounds.
         *
         * @param low lower end, finite
         * @param high upper end, finite and above low
         */
        public Uniform {
            if (!Double.isFinite(low) || !Double.isFinite(high) || !(low < high)) {
                throw new IllegalArgumentException("input: uniform needs finite low < high, got [" + low + ", "
                        + high + "]");
            }
        }

        @Override
        public void draw(UniformRandomProvider rng, double[] out, int offset, int dimension) {
            for (int k = 0; k < dimension; k++) {
                out[offset + k] = low + (high - low) * rng.nextDouble();
            }
        }

        @Override
        public String label() {
            return "uniform[" + fmt(low) + "," + fmt(high) + "]";
        }
    }

    /**
     * Independent Gaussian coordinates.
     *
     * @param mean mean of each coordinate
     * @param sd standard deviation of each coordinate
     */
    record Gaussian(double mean, double sd) implements InputDistribution {
        /**
         * Validates the parameters.
         *
         * @param mean mean of each coordinate, finite
         * @param sd standard deviation of each coordinate, positive
         */
        public Gaussian {
            if (!Double.isFinite(mean) || !Double.isFinite(sd) || !(sd > 0)) {
                throw new IllegalArgumentException("input: gaussian needs a finite mean and sd > 0, got mean "
                        + mean + ", sd " + sd);
            }
        }

        @Override
        public void draw(UniformRandomProvider rng, double[] out, int offset, int dimension) {
            ZigguratSampler.NormalizedGaussian z = ZigguratSampler.NormalizedGaussian.of(rng);
            for (int k = 0; k < dimension; k++) {
                out[offset + k] = mean + sd * z.sample();
            }
        }

        @Override
        public String label() {
            return "gaussian(" + fmt(mean) + "," + fmt(sd) + ")";
        }
    }

    private static String fmt(double v) {
        return v == Math.rint(v) ? Long.toString((long) v) : Double.toString(v);
    }

    /**
     * Parses {@code uniform[-1,1]}, {@code uniform[-1,1]^D}, {@code uniform}, {@code gaussian},
     * {@code gaussian(0,1)}, {@code normal(...)}.
     *
     * @param text the label
     * @return the distribution
     */
    static InputDistribution parseLabel(String text) {
        String s = text.trim().toLowerCase(java.util.Locale.ROOT).replace(" ", "");
        if (s.endsWith("^d")) {
            s = s.substring(0, s.length() - 2);
        }
        try {
            if (s.equals("uniform")) {
                return new Uniform(-1, 1);
            }
            if (s.startsWith("uniform[") && s.endsWith("]")) {
                String[] parts = s.substring(8, s.length() - 1).split(",");
                return new Uniform(Double.parseDouble(parts[0]), Double.parseDouble(parts[1]));
            }
            if (s.equals("gaussian") || s.equals("normal")) {
                return new Gaussian(0, 1);
            }
            if ((s.startsWith("gaussian(") || s.startsWith("normal(")) && s.endsWith(")")) {
                String[] parts = s.substring(s.indexOf('(') + 1, s.length() - 1).split(",");
                return new Gaussian(Double.parseDouble(parts[0]), Double.parseDouble(parts[1]));
            }
        } catch (NumberFormatException | ArrayIndexOutOfBoundsException e) {
            // fall through to the message below
        }
        throw new IllegalArgumentException("input: cannot read '" + text
                + "' (expected uniform[LOW,HIGH] or gaussian(MEAN,SD))");
    }

    /**
     * Parses a distribution from its {@link #label()} form.
     *
     * @param text e.g. {@code uniform[-1,1]} or {@code gaussian(0,1)}
     * @return the distribution
     * @throws IllegalArgumentException when the text is neither
     */
    public static InputDistribution of(String text) {
        return parseLabel(text);
    }
}
