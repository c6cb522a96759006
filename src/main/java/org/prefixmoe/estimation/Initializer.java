package org.prefixmoe.estimation;

import org.apache.commons.rng.UniformRandomProvider;
import org.prefixmoe.model.MixingMeasure;

/** A strategy for the starting measure of a fit (SPEC §3, "Initialization"). Implementations are immutable. */
public interface Initializer {

    /** The name used in scenarios: {@code near-truth} or {@code random}. */
    String name();

    /** A starting measure with {@code problem.atoms()} atoms inside the problem's box. */
    MixingMeasure start(FitProblem problem, UniformRandomProvider rng);
}
