package org.prefixmoe.estimation;

import org.prefixmoe.model.MixingMeasure;

/**
 * The report of one fit.
 *
 * @param estimate the fitted mixing measure
 * @param objective the final objective: mean squared residual {@code Σ||Y − f||² / n} for least
 *     squares, negative mean log-likelihood for EM
 * @param noiseVariance the estimate of σ² (residual mean square per coordinate for least squares)
 * @param iterations iterations performed
 * @param evaluations passes over the data
 * @param stopReason why it stopped
 */
public record FitResult(MixingMeasure estimate, double objective, double noiseVariance, int iterations,
                        int evaluations, StopReason stopReason) {

    /** {@return whether a convergence test passed (not the iteration cap, not a failure)} */
    public boolean converged() {
        return stopReason.converged();
    }
}
