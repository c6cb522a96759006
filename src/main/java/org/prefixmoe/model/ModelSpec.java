package org.prefixmoe.model;

import java.util.Objects;
import java.util.Optional;

/**
 * What is known before any data is fitted: the model (pretrained part, gating projection,
 * parameterization with its fixed maps, bias option) and the box of the parameter space, with
 * the truth when there is one. A model file without {@code atoms} reads as a spec without a truth:
 * enough to fit data (random starts, any {@code L}), to predict from an estimate and to replay a
 * fit, but not to sample, to compute a loss against the truth or to start near it. Immutable.
 *
 * @param name a short name (the file's base name by default)
 * @param model the model
 * @param box the compact parameter space
 * @param truth the truth, when the spec declares one; its model and box are this spec's
 */
public record ModelSpec(String name, PrefixModel model, Box box, Optional<TruthModel> truth) {

    /**
     * Checks the parts.
     *
     * @param name a short name
     * @param model the model
     * @param box the compact parameter space
     * @param truth the truth or empty
     * @throws NullPointerException naming a missing part
     * @throws IllegalArgumentException naming {@code truth} when its model or box is another one
     */
    public ModelSpec {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(box, "box");
        Objects.requireNonNull(truth, "truth");
        if (truth.isPresent() && (truth.get().model() != model || !truth.get().box().equals(box))) {
            throw new IllegalArgumentException("truth: its model and box must be the spec's own");
        }
    }

    /**
     * A model without a truth: what a user fitting their own data knows.
     *
     * @param name a short label
     * @param model the model (e.g. from {@link PrefixModel#builder()})
     * @param box the compact parameter space ({@link Box#DEFAULT} is atoms in [-3, 3], biases in [-10, 10])
     * @return the spec
     */
    public static ModelSpec of(String name, PrefixModel model, Box box) {
        return new ModelSpec(name, model, box, Optional.empty());
    }

    /**
     * The spec of a truth: its name, model and box, and the truth itself.
     *
     * @param truth the truth
     * @return the spec
     */
    public static ModelSpec of(TruthModel truth) {
        Objects.requireNonNull(truth, "truth");
        return new ModelSpec(truth.name(), truth.model(), truth.box(), Optional.of(truth));
    }

    /** {@return whether the spec declares a truth} */
    public boolean hasTruth() {
        return truth.isPresent();
    }

    /**
     * The truth, for what needs one.
     *
     * @param purpose what needs it, for the message (e.g. {@code "sampling"})
     * @return the truth
     * @throws IllegalStateException naming the spec and the purpose when it has no truth
     */
    public TruthModel requireTruth(String purpose) {
        return truth.orElseThrow(() -> new IllegalStateException(name + ": a model without a truth (no true atoms); "
                + purpose + " needs one"));
    }
}
