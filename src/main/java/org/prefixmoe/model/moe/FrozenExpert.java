package org.prefixmoe.model.moe;

import java.util.Arrays;
import java.util.Locale;
import java.util.Objects;
import java.util.function.DoubleSupplier;

/**
 * One frozen expert with a known density: {@code f_0(y|x) = N(y; m(x), ν_0)} or the Laplace
 * density of mean {@code m(x)} and variance {@code ν_0} (scale {@code b = √(ν_0/2)}), with the
 * known mean function {@code m(x) = act(wᵀx + c)} (e.g. {@code tanh(e_1ᵀx)}) and q = 1. Its log
 * gating score is 0 (a softmax gate then weighs it like a component of score 0; the sigmoid gate
 * gives it {@code 1 − λ(x)}). Immutable.
 */
public final class FrozenExpert implements FrozenDensity {
    private static final double HALF_LOG_2PI = 0.5 * Math.log(2 * Math.PI);

    /** The noise family of the frozen expert. */
    public enum Family {
        /** {@code N(m(x), ν_0)}. */
        GAUSSIAN,
        /** Laplace of mean m(x) and variance ν_0: {@code exp(−|y − m|/b) / (2b)}, {@code b = √(ν_0/2)}. */
        LAPLACE;

        /** {@return the name in scenario files} */
        public String label() {
            return name().toLowerCase(Locale.ROOT);
        }

        /**
         * @param label {@code gaussian} or {@code laplace}
         * @return the family
         * @throws IllegalArgumentException naming {@code frozen.family}
         */
        public static Family of(String label) {
            for (Family f : values()) {
                if (f.label().equals(label)) {
                    return f;
                }
            }
            throw new IllegalArgumentException("frozen.family: unknown '" + label + "' (known: gaussian, laplace)");
        }
    }

    private final Family family;
    private final double[] weights;
    private final double bias;
    private final Activation activation;
    private final double variance;
    private final double logNorm;
    private final double spread;

    /**
     * @param family the noise family
     * @param weights w (length d), finite
     * @param bias c, finite
     * @param activation act
     * @param variance ν_0, a finite number > 0
     * @throws IllegalArgumentException naming the field ({@code frozen.weights}, {@code frozen.bias},
     *     {@code frozen.variance})
     */
    public FrozenExpert(Family family, double[] weights, double bias, Activation activation, double variance) {
        this.family = Objects.requireNonNull(family, "frozen.family");
        this.activation = Objects.requireNonNull(activation, "frozen.activation");
        if (weights == null || weights.length == 0) {
            throw new IllegalArgumentException("frozen.weights: need d >= 1 numbers");
        }
        Block.checkFinite("frozen.weights", weights, weights.length);
        if (!Double.isFinite(bias)) {
            throw new IllegalArgumentException("frozen.bias: not a finite number (" + bias + ")");
        }
        if (!(variance > 0) || !Double.isFinite(variance)) {
            throw new IllegalArgumentException("frozen.variance: must be a finite number > 0, got " + variance);
        }
        this.weights = weights.clone();
        this.bias = bias;
        this.variance = variance;
        if (family == Family.GAUSSIAN) {
            spread = Math.sqrt(variance);
            logNorm = -HALF_LOG_2PI - 0.5 * Math.log(variance);
        } else {
            spread = Math.sqrt(variance / 2);
            logNorm = -Math.log(2 * spread);
        }
    }

    /** {@return the noise family} */
    public Family family() {
        return family;
    }

    /** {@return a copy of w} */
    public double[] weights() {
        return weights.clone();
    }

    /** {@return c} */
    public double bias() {
        return bias;
    }

    /** {@return the activation of the mean} */
    public Activation activation() {
        return activation;
    }

    /** {@return ν_0, the variance of f_0} */
    public double variance() {
        return variance;
    }

    /** {@return the input dimension d} */
    public int inputDimension() {
        return weights.length;
    }

    @Override
    public int count() {
        return 1;
    }

    /** {@return 0} */
    @Override
    public double score(int j, double[] x, int offset) {
        return 0;
    }

    /**
     * The mean {@code m(x) = act(wᵀx + c)}.
     *
     * @param x inputs; not modified
     * @param offset where the input starts
     * @return m(x)
     */
    public double mean(double[] x, int offset) {
        double z = bias;
        for (int a = 0; a < weights.length; a++) {
            z += weights[a] * x[offset + a];
        }
        return activation.value(z);
    }

    @Override
    public void output(int j, double[] x, int offset, double[] out, int outOffset) {
        out[outOffset] = mean(x, offset);
    }

    @Override
    public double logDensity(int j, double[] x, int offset, double[] y, int yOffset) {
        double r = y[yOffset] - mean(x, offset);
        return family == Family.GAUSSIAN ? logNorm - 0.5 * r * r / variance : logNorm - Math.abs(r) / spread;
    }

    /** Gaussian by Box–Muller, Laplace by the inverse distribution function; two uniforms either way. */
    @Override
    public void draw(int j, double[] x, int offset, DoubleSupplier uniform, double[] out, int outOffset) {
        double m = mean(x, offset);
        double u1 = uniform.getAsDouble();
        double u2 = uniform.getAsDouble();
        double e;
        if (family == Family.GAUSSIAN) {
            e = Math.sqrt(-2 * Math.log1p(-u1)) * Math.cos(2 * Math.PI * u2);
        } else {
            // a sign from u2, an exponential of mean b from u1
            e = (u2 < 0.5 ? -1 : 1) * -Math.log1p(-u1);
        }
        out[outOffset] = m + spread * e;
    }

    @Override
    public String toString() {
        return family.label() + " f_0, mean " + activation.label() + "(" + Arrays.toString(weights) + "ᵀx + " + bias
                + "), variance " + variance;
    }
}
