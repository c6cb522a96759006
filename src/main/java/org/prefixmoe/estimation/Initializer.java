package org.prefixmoe.estimation;

import org.apache.commons.rng.UniformRandomProvider;
import org.prefixmoe.model.MixingMeasure;

/** A strategy for the starting measure of a fit (docs/theory.md §3, "Starts"). Implementations are immutable. */
public interface Initializer {

    /** {@return the name used in scenarios: {@code near-truth} or {@code random}} */
    String name();

    /**
     * Draws a starting measure.
     *
     * @param problem the problem (its model, data, L and box)
     * @param rng the random stream
     * @return a measure with {@code problem.atoms()} atoms inside the problem's box
     */
    MixingMeasure start(FitProblem problem, UniformRandomProvider rng);
}
