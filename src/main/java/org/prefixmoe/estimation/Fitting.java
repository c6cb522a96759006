package org.prefixmoe.estimation;

import org.apache.commons.rng.UniformRandomProvider;
import org.prefixmoe.model.MixingMeasure;

/** Fits with several starts, keeping the best objective. */
public final class Fitting {
    private Fitting() {
    }

    /**
     * Runs {@code restarts} fits from starts drawn by {@code initializer} and returns the one with
     * the best objective; a fit that throws is skipped (if all throw, the last error is rethrown).
     *
     * @param estimator the estimator
     * @param problem the problem
     * @param initializer draws the starts
     * @param restarts number of starts, at least 1
     * @param rng the stream the starts are drawn from
     * @return the fit with the best objective
     */
    public static FitResult fitWithRestarts(Estimator estimator, FitProblem problem, Initializer initializer,
                                            int restarts, UniformRandomProvider rng) {
        java.util.Objects.requireNonNull(estimator, "estimator");
        java.util.Objects.requireNonNull(problem, "problem");
        java.util.Objects.requireNonNull(initializer, "initializer");
        java.util.Objects.requireNonNull(rng, "rng");
        if (restarts < 1) {
            throw new IllegalArgumentException("restarts: must be >= 1, got " + restarts);
        }
        FitResult best = null;
        RuntimeException last = null;
        for (int k = 0; k < restarts; k++) {
            MixingMeasure start = initializer.start(problem, rng);
            try {
                FitResult fit = estimator.fit(problem, start);
                if (best == null || (fit.stopReason() != StopReason.FAILED
                        && (best.stopReason() == StopReason.FAILED || estimator.better(fit.objective(), best.objective())))) {
                    best = fit;
                }
            } catch (ArithmeticException | IllegalStateException e) {
                last = e;
            }
        }
        if (best == null) {
            throw last;
        }
        return best;
    }
}
