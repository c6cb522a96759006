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
 * @param gaussNewtonDecrement the Gauss–Newton promise at the estimate, relative to the objective
 *     ({@link GaussNewtonCertificate#decrement()}, the same number), from the solver's last pass there; NaN when the
 *     estimator did not compute it (EM, {@code flat}, a failed fit): then {@link GaussNewtonCertificate#of} computes it
 *     with a pass of its own
 */
public record FitResult(MixingMeasure estimate, double objective, double noiseVariance, int iterations,
                        int evaluations, StopReason stopReason, double gaussNewtonDecrement) {

    /**
     * A report without a Gauss–Newton decrement ({@link #gaussNewtonDecrement()} NaN).
     *
     * @param estimate the fitted mixing measure
     * @param objective the final objective
     * @param noiseVariance the estimate of σ²
     * @param iterations iterations performed
     * @param evaluations passes over the data
     * @param stopReason why it stopped
     */
    public FitResult(MixingMeasure estimate, double objective, double noiseVariance, int iterations, int evaluations,
                     StopReason stopReason) {
        this(estimate, objective, noiseVariance, iterations, evaluations, stopReason, Double.NaN);
    }

    /** {@return whether a convergence test passed (not the iteration cap, not a failure)} */
    public boolean converged() {
        return stopReason.converged();
    }
}
