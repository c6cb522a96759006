package org.prefixmoe.model.moe;

import java.util.List;

/**
 * The gate {@code π_k(x)} of a mixture of experts over K free components (and the frozen ones of
 * {@link FrozenComponents}, whose log scores join a softmax's normalizer). Each component's gate
 * parameters are one flat vector, cut into the named blocks of {@link #blocks()}.
 *
 * <p>Implementations are immutable and thread-safe; the per-sample methods write into caller
 * arrays and allocate nothing.
 */
public interface Gate {

    /** {@return the name used in scenario files, e.g. {@code softmax}} */
    String name();

    /** {@return the number K of free components} */
    int components();

    /** {@return the input dimension d} */
    int inputDimension();

    /** {@return the named parameter blocks of one component, in storage order} */
    List<Block> blocks();

    /** {@return the length of one component's gate vector (the sum of the block sizes)} */
    default int parameterCount() {
        return Block.total(blocks());
    }

    /**
     * Whether the gate models the input: then {@link Weights#logWeights} returns
     * {@code log π_k + log p_k(x)} and the mixture's likelihood is the joint one of (X, Y).
     *
     * @return true for the Gaussian gate
     */
    boolean modelsInput();

    /**
     * Whether the weights of the K free and J frozen components sum to one at every input. The
     * unnormalized sigmoid gate's do not: it fits the regression observation, or one sigmoid
     * component against one frozen component that takes {@code 1 − λ(x)} (the contaminated model).
     *
     * @return false for a gate whose weights are used as they are, not normalized
     */
    default boolean normalized() {
        return true;
    }

    /**
     * Checks that the gate makes sense with an observation model and J frozen components.
     *
     * @param observation the observation model
     * @param frozenCount J
     * @throws IllegalArgumentException naming the field ({@code gate}, {@code frozen}) and the reason
     */
    default void checkUse(Observation observation, int frozenCount) {
    }

    /**
     * This gate with another number of free components (a reference moves to the last one).
     *
     * @param components K
     * @return the gate
     * @throws IllegalArgumentException when the gate cannot have K components
     */
    Gate withComponents(int components);

    /**
     * The gate at fixed parameters, ready for per-sample evaluation (a Gaussian gate factors its
     * covariances here, once, not per sample).
     *
     * @param params the K gate vectors; not modified (copied where kept)
     * @return the prepared gate
     */
    Weights at(double[][] params);

    /** A gate at fixed parameters; evaluation allocates nothing. */
    interface Weights {
        /**
         * Log gate weights at one input, for the free components and the frozen ones.
         *
         * @param x inputs, row-major; not modified
         * @param offset where the input starts in {@code x}
         * @param frozenScores the frozen components' log scores at this input (length J, may be 0),
         *     read from {@code frozenOffset}; not modified
         * @param frozenOffset where they start
         * @param out receives {@code log π_k(x)} for k = 0..K-1, then the J frozen components; modified
         */
        void logWeights(double[] x, int offset, double[] frozenScores, int frozenOffset, double[] out);
    }

    /**
     * The M-step of EM for the gate: parameters that do not decrease
     * {@code Q(β) = Σ_i Σ_k τ_ik log π_k(x_i; β)} from {@code params} (the maximizer where it has a
     * closed form; a guarded Newton/IRLS ascent otherwise).
     *
     * @param params the current K gate vectors; not modified
     * @param x the n inputs, row-major; not modified
     * @param n number of inputs
     * @param frozenScores the frozen components' log scores, n × J row-major (J may be 0); not modified
     * @param frozenCount J
     * @param resp responsibilities of all components, n × (K + J) row-major; not modified
     * @return new gate vectors
     */
    double[][] maximize(double[][] params, double[] x, int n, double[] frozenScores, int frozenCount, double[] resp);

    /**
     * The weight of a component in the Voronoi loss: {@code exp(β_0k)} for a softmax gate
     * ({@code exp(act(β_0k)/τ)} with a temperature and an activation, its unnormalized weight at
     * x = 0), {@code σ(β_0k)} for the sigmoid gates, {@code π_k} for the Gaussian and constant gates.
     *
     * @param component one component's gate vector; not modified
     * @return its weight
     */
    double weight(double[] component);

    /**
     * Checks one component's gate vector (finite entries, valid covariance, ...).
     *
     * @param field the name used in messages
     * @param component the vector; not modified
     * @throws IllegalArgumentException naming the field
     */
    default void check(String field, double[] component) {
        Block.checkFinite(field, component, parameterCount());
    }
}
