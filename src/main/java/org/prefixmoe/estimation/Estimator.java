package org.prefixmoe.estimation;

import org.prefixmoe.model.MixingMeasure;

/**
 * An estimator of the mixing measure from one starting point. Implementations are immutable and
 * thread-safe; each call allocates its own working memory.
 */
public interface Estimator {

    /** {@return the name used in scenarios, e.g. {@code least-squares}} */
    String name();

    /**
     * Fits from {@code start} (projected into the box first).
     *
     * @param problem the model, data, number of atoms and box
     * @param start the starting measure; not modified
     * @return the estimate with its fit report; a failed fit is a result with stop reason {@code failed}
     * @throws IllegalArgumentException if the start does not fit the problem
     */
    FitResult fit(FitProblem problem, MixingMeasure start);

    /**
     * Compares two objective values of this estimator (both estimators minimize).
     *
     * @param a an objective value
     * @param b another, possibly NaN
     * @return whether {@code a} is better than {@code b}
     */
    default boolean better(double a, double b) {
        return a < b || Double.isNaN(b);
    }
}
