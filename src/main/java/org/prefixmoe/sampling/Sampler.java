package org.prefixmoe.sampling;

import org.apache.commons.rng.UniformRandomProvider;

/** Draws data sets of a given size from a fixed data-generating model. Implementations are immutable. */
public interface Sampler {
    /** Draws n samples from {@code rng}. */
    Dataset sample(int n, UniformRandomProvider rng);
}
