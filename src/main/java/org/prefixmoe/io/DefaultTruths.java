package org.prefixmoe.io;

import org.prefixmoe.model.TruthModel;

/**
 * The default truths of docs/theory.md §6, one per parameterization, read from the library's own resources
 * (the files of {@code simulations/models/}, copied into the jar), so they work in any project that
 * depends on the toolkit: {@code TruthModel truth = DefaultTruths.sharedLinear();}.
 * Each call reads the file anew; the models are immutable, so callers may keep one.
 */
public final class DefaultTruths {
    private DefaultTruths() {
    }

    /**
     * The shared-linear truth, {@code default-shared-linear.yaml}.
     *
     * @return key {@code R_K p}, value {@code R_V p}, two true prompts
     */
    public static TruthModel sharedLinear() {
        return ModelFiles.readResource("default-shared-linear.yaml");
    }

    /**
     * The shared-nonlinear truth, {@code default-shared-nonlinear.yaml}.
     *
     * @return key {@code tanh(R_K p)}, value {@code tanh(R_V p)}, two true prompts
     */
    public static TruthModel sharedNonlinear() {
        return ModelFiles.readResource("default-shared-nonlinear.yaml");
    }

    /**
     * The non-shared truth, {@code default-non-shared.yaml}: the (key, value) pairs of the shared-linear truth.
     *
     * @return a truth whose atoms are the stacked (key, value) pairs
     */
    public static TruthModel nonShared() {
        return ModelFiles.readResource("default-non-shared.yaml");
    }

    /**
     * The prompt-tuning truth, {@code default-prompt-tuning.yaml}.
     *
     * @return key {@code W_Kᵀp}, value {@code W_Vᵀp} with the file's frozen projections
     */
    public static TruthModel promptTuning() {
        return ModelFiles.readResource("default-prompt-tuning.yaml");
    }

    /**
     * The deep-share (MLP) truth, {@code default-shared-mlp.yaml}.
     *
     * @return {@code (key, value) = W2 tanh(W1 p + b1) + b2} with the file's frozen weights
     */
    public static TruthModel sharedMlp() {
        return ModelFiles.readResource("default-shared-mlp.yaml");
    }
}
