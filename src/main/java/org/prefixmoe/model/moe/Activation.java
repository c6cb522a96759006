package org.prefixmoe.model.moe;

import java.util.Locale;

/**
 * A scalar activation with its first derivative: applied to the scores of a {@link SoftmaxGate}
 * before the softmax, and inside an {@link FfnExpert}. At the kink of {@link #RELU} (z = 0) the
 * derivative is taken as 0. {@link #GELU} is the exact {@code z Φ(z)} (Φ the standard normal
 * distribution function, {@link #normalCdf}), as PyTorch's default.
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
            case GELU -> z * normalCdf(z);
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
            case GELU -> normalCdf(z) + z * INV_SQRT2PI * Math.exp(-0.5 * z * z);
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
     * The standard normal distribution function Φ, by Hart's double-precision rational
     * approximation (algorithm 5666, as given by West 2005) and a continued fraction in the tails:
     * no allocation and no iteration, unlike the incomplete-gamma route of a library erf. Measured
     * against Hipparchus' erfc: absolute error below 4e-16 everywhere; relative error of the lower
     * tail below 2e-14 for |z| &lt; 3 and below 1e-8 beyond (ample for GELU, which multiplies by z).
     *
     * @param z the argument
     * @return Φ(z)
     */
    public static double normalCdf(double z) {
        double a = Math.abs(z);
        double tail;
        if (a > 37) {
            tail = 0;
        } else {
            double e = Math.exp(-0.5 * a * a);
            if (a < 7.07106781186547) {
                double num = 3.52624965998911e-02 * a + 0.700383064443688;
                num = num * a + 6.37396220353165;
                num = num * a + 33.912866078383;
                num = num * a + 112.079291497871;
                num = num * a + 221.213596169931;
                num = num * a + 220.206867912376;
                double den = 8.83883476483184e-02 * a + 1.75566716318264;
                den = den * a + 16.064177579207;
                den = den * a + 86.7807322029461;
                den = den * a + 296.564248779674;
                den = den * a + 637.333633378831;
                den = den * a + 793.826512519948;
                den = den * a + 440.413735824752;
                tail = e * num / den;
            } else {
                double b = a + 0.65;
                b = a + 4 / b;
                b = a + 3 / b;
                b = a + 2 / b;
                b = a + 1 / b;
                tail = e / b / 2.506628274631;
            }
        }
        return z > 0 ? 1 - tail : tail;
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
