package org.prefixmoe.estimation;

import org.prefixmoe.model.MixingMeasure;

/**
 * An estimator of the mixing measure from one starting point. Implementations are immutable and
 * thread-safe; each call allocates its own working memory.
 */
public interface Estimator {

    /** The name used in scenarios, e.g. {@code least-squares}. */
    String name();

    /**
     * Fits from {@code start} (projected into the box first).
     *
     * @throws IllegalArgumentException if the start does not fit the problem
     */
    FitResult fit(FitProblem problem, MixingMeasure start);

    /** Whether {@code a} is a better objective value than {@code b} (both estimators minimize). */
    default boolean better(double a, double b) {
        return a < b || Double.isNaN(b);
    }
}
