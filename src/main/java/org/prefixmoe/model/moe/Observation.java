package org.prefixmoe.model.moe;

/** How a response is observed given the gate and the experts. */
public enum Observation {
    /**
     * Regression {@code Y = f_G(X) + ε}, {@code f_G(x) = Σ_k π_k(x) h_k(x)}, one noise level σ for
     * all: fitted by least squares.
     */
    REGRESSION("regression"),
    /**
     * A Gaussian mixture with a variance per expert, {@code Y | X ~ Σ_k π_k(X) N(h_k(X), ν_k I_q)}
     * (conditional, or joint with the input when the gate models it): fitted by maximum likelihood (EM).
     */
    GAUSSIAN_MIXTURE("gaussian-mixture");

    private final String label;

    Observation(String label) {
        this.label = label;
    }

    /** {@return the name used in scenario files} */
    public String label() {
        return label;
    }

    /**
     * The observation model of a name.
     *
     * @param label {@code regression} or {@code gaussian-mixture}
     * @return the model
     * @throws IllegalArgumentException naming the known ones
     */
    public static Observation of(String label) {
        for (Observation o : values()) {
            if (o.label.equals(label)) {
                return o;
            }
        }
        throw new IllegalArgumentException("observation: unknown '" + label + "' (known: regression, gaussian-mixture)");
    }
}
