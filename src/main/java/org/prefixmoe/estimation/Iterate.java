package org.prefixmoe.estimation;

/**
 * What a stop rule sees after an iteration: an immutable snapshot of the iterative estimator's
 * state. Fields an estimator does not compute are {@code NaN} (EM has no quadratic model, so no
 * predicted reduction or gain ratio), and every test on a {@code NaN} field fails, so a rule that
 * needs a field never fires without it.
 *
 * @param iteration iterations done so far (0 at the start point)
 * @param objective the objective at the current point (least squares: {@code Σ||Y − f||²}; EM:
 *     the negative mean log-likelihood)
 * @param previousObjective the objective before the last accepted step ({@code NaN} at the start)
 * @param earlierObjective the objective before the accepted step before that ({@code NaN} if none)
 * @param predictedReduction the decrease of the objective predicted by the local quadratic model
 *     for the last accepted step
 * @param gainRatio actual over predicted reduction of the last accepted step
 * @param stepNorm Euclidean length of the last accepted step (after projection onto the box)
 * @param pointNorm Euclidean norm of the point before that step
 * @param projectedGradient the scaled projected gradient at the current point: for least squares
 *     {@code max_c |(Jᵀr)_c| / (||J_c|| ||r||)} over the coordinates not held at a bound (the
 *     MINPACK cosine between the residual and a Jacobian column)
 * @param damping the damping after the step (Levenberg–Marquardt λ, relative to {@code diag(JᵀJ)})
 * @param rejectedTrials trial points rejected in this iteration before the accepted one (each
 *     raised the damping)
 */
public record Iterate(int iteration, double objective, double previousObjective, double earlierObjective,
                      double predictedReduction,
                      double gainRatio, double stepNorm, double pointNorm, double projectedGradient,
                      double damping, int rejectedTrials) {

    /**
     * The snapshot at the start point: only the objective and the projected gradient are known.
     *
     * @param objective the objective at the start
     * @param projectedGradient the scaled projected gradient at the start
     * @return the snapshot of iteration 0
     */
    public static Iterate start(double objective, double projectedGradient) {
        return new Iterate(0, objective, Double.NaN, Double.NaN, Double.NaN, Double.NaN, Double.NaN, Double.NaN,
                projectedGradient, Double.NaN, 0);
    }

    /** {@return the actual decrease of the objective over the last step relative to its previous value} */
    public double relativeReduction() {
        return (previousObjective - objective) / Math.max(Math.abs(previousObjective), Double.MIN_NORMAL);
    }

    /**
     * The decrease still to come if the last two decreases go on shrinking geometrically (Aitken's
     * extrapolation), relative to the previous objective: {@code δ_t c / (1 − c)} with
     * {@code δ_t} the last decrease and {@code c = δ_t / δ_{t−1}}; infinite when the decreases do
     * not shrink, {@code NaN} before two steps.
     *
     * @return the extrapolated relative decrease still to come
     */
    public double relativeRemainingReduction() {
        double last = previousObjective - objective;
        double before = earlierObjective - previousObjective;
        double c = last / before;
        if (Double.isNaN(c)) {
            return Double.NaN;
        }
        if (!(c < 1)) {
            return Double.POSITIVE_INFINITY;
        }
        return last * Math.max(c, 0) / (1 - c) / Math.max(Math.abs(previousObjective), Double.MIN_NORMAL);
    }

    /** {@return the predicted decrease of the last step relative to the previous objective} */
    public double relativePredictedReduction() {
        return predictedReduction / Math.max(Math.abs(previousObjective), Double.MIN_NORMAL);
    }
}
