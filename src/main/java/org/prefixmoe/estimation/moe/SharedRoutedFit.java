package org.prefixmoe.estimation.moe;

import org.prefixmoe.estimation.StopReason;
import org.prefixmoe.model.moe.SharedRoutedMixture;

/**
 * The outcome of fitting a {@link SharedRoutedMixture} by EM.
 *
 * @param estimate the fitted parameters of both blocks
 * @param logLikelihood the log-likelihood at the estimate
 * @param iterations EM iterations done
 * @param stopReason why the fit stopped (data, not an exception)
 * @param decreases iterations whose log-likelihood fell by more than rounding (0 for a monotone run)
 */
public record SharedRoutedFit(SharedRoutedMixture.Parameters estimate, double logLikelihood, int iterations,
                              StopReason stopReason, int decreases) {
    /** {@return whether the stop reason counts as convergence} */
    public boolean converged() {
        return stopReason.converged();
    }
}
