package org.prefixmoe.sampling;

import org.apache.commons.rng.UniformRandomProvider;

/** Draws data sets of a given size from a fixed data-generating model. Implementations are immutable. */
public interface Sampler {
    /**
     * Draws a data set.
     *
     * @param n the sample size
     * @param rng the random stream the draws come from
     * @return n samples
     */
    Dataset sample(int n, UniformRandomProvider rng);
}
