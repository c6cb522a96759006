package org.prefixmoe.model.moe;

import java.util.Locale;

/**
 * A scalar activation with its first derivative: applied to the scores of a {@link SoftmaxGate}
 * before the softmax, and inside an {@link FfnExpert}. At the kink of {@link #RELU} (z = 0) the
 * derivative is taken as 0. {@link #GELU} is the exact {@code z Φ(z)} (Φ the standard normal
 * distribution function), as PyTorch's default.
 */
public enum Activation {
    /** {@code z}. */
    IDENTITY,
    /** {@code max(z, 0)}. */
    RELU,
    /** {@code z Φ(z)}. */
    GELU,
    /** {@code 1 / (1 + e^{-z})}. */
    SIGMOID,
    /** {@code tanh z}. */
    TANH;

    private static final double INV_SQRT2 = 1 / Math.sqrt(2);
    private static final double INV_SQRT2PI = 1 / Math.sqrt(2 * Math.PI);

    /**
     * The activation's value.
     *
     * @param z the argument
     * @return act(z)
     */
    public double value(double z) {
        return switch (this) {
            case IDENTITY -> z;
            case RELU -> z > 0 ? z : 0;
            case GELU -> z * 0.5 * org.hipparchus.special.Erf.erfc(-z * INV_SQRT2);
            case SIGMOID -> sigmoid(z);
            case TANH -> Math.tanh(z);
        };
    }

    /**
     * The activation's first derivative.
     *
     * @param z the argument
     * @return act'(z) (0 for ReLU at z = 0)
     */
    public double derivative(double z) {
        return switch (this) {
            case IDENTITY -> 1;
            case RELU -> z > 0 ? 1 : 0;
            case GELU -> 0.5 * org.hipparchus.special.Erf.erfc(-z * INV_SQRT2) + z * INV_SQRT2PI * Math.exp(-0.5 * z * z);
            case SIGMOID -> {
                double s = sigmoid(z);
                yield s * (1 - s);
            }
            case TANH -> {
                double t = Math.tanh(z);
                yield 1 - t * t;
            }
        };
    }

    /**
     * The logistic function, computed without overflow for either sign.
     *
     * @param z the argument
     * @return {@code 1 / (1 + e^{-z})}
     */
    public static double sigmoid(double z) {
        if (z >= 0) {
            return 1 / (1 + Math.exp(-z));
        }
        double e = Math.exp(z);
        return e / (1 + e);
    }

    /**
     * {@code log σ(z)}, accurate for large |z|.
     *
     * @param z the argument
     * @return {@code −log(1 + e^{-z})}
     */
    public static double logSigmoid(double z) {
        return z >= 0 ? -Math.log1p(Math.exp(-z)) : z - Math.log1p(Math.exp(z));
    }

    /** {@return the name in scenario files, e.g. {@code tanh}} */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    /**
     * The activation of a name.
     *
     * @param field the field named in the message
     * @param label identity, relu, gelu, sigmoid or tanh
     * @return the activation
     * @throws IllegalArgumentException naming the field and the known names
     */
    public static Activation of(String field, String label) {
        for (Activation a : values()) {
            if (a.label().equals(label)) {
                return a;
            }
        }
        throw new IllegalArgumentException(field + ": unknown activation '" + label
                + "' (known: identity, relu, gelu, sigmoid, tanh)");
    }
}
