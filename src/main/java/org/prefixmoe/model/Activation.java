package org.prefixmoe.model;

import org.hipparchus.special.Erf;

/** Elementwise activations of the {@code shared-nonlinear} parameterization, with derivatives. */
public enum Activation {
    /** Hyperbolic tangent, the default (the paper's simple-share). */
    TANH("tanh") {
        @Override
        public double value(double x) {
            return Math.tanh(x);
        }

        @Override
        public double derivative(double x) {
            double t = Math.tanh(x);
            return 1 - t * t;
        }
    },
    /** Logistic sigmoid. */
    SIGMOID("sigmoid") {
        @Override
        public double value(double x) {
            return x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x));
        }

        @Override
        public double derivative(double x) {
            double s = value(x);
            return s * (1 - s);
        }
    },
    /** Exact GELU, {@code x Φ(x)}. */
    GELU("gelu") {
        private static final double INV_SQRT2 = 0.7071067811865476;
        private static final double INV_SQRT_2PI = 0.3989422804014327;

        @Override
        public double value(double x) {
            return x * 0.5 * (1 + Erf.erf(x * INV_SQRT2));
        }

        @Override
        public double derivative(double x) {
            return 0.5 * (1 + Erf.erf(x * INV_SQRT2)) + x * INV_SQRT_2PI * Math.exp(-0.5 * x * x);
        }
    };

    private final String label;

    Activation(String label) {
        this.label = label;
    }

    /**
     * The activation.
     *
     * @param x the argument
     * @return σ(x)
     */
    public abstract double value(double x);

    /**
     * Its derivative.
     *
     * @param x the argument
     * @return σ'(x)
     */
    public abstract double derivative(double x);

    /** {@return the name used in files} */
    public String label() {
        return label;
    }

    /**
     * Parses an activation's name.
     *
     * @param name {@code tanh}, {@code sigmoid} or {@code gelu} (any case)
     * @return the activation
     * @throws IllegalArgumentException for another name
     */
    public static Activation parse(String name) {
        for (Activation a : values()) {
            if (a.label.equalsIgnoreCase(name)) {
                return a;
            }
        }
        throw new IllegalArgumentException("activation: unknown activation '" + name
                + "' (expected tanh, sigmoid or gelu)");
    }
}
