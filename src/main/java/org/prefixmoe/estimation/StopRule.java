package org.prefixmoe.estimation;

import java.util.Optional;

/**
 * A convergence test, asked after each accepted iteration (and once at the start point) with a
 * snapshot of the estimator's state; it returns the reason to stop, or empty to go on. Rules are
 * immutable and combine with {@link #or}: the first rule that fires names the reason.
 *
 * <p>The iteration cap, a damping blow-up and a non-finite objective are not rules: the
 * estimators handle them and report them as not converged ({@link StopReason#MAX_ITERATIONS},
 * {@link StopReason#NO_PROGRESS}, {@link StopReason#FAILED}).
 */
@FunctionalInterface
public interface StopRule {

    /**
     * The verdict on one snapshot.
     *
     * @param it the state after an accepted iteration (or at the start)
     * @return the reason to stop, or empty to go on
     */
    Optional<StopReason> test(Iterate it);

    /**
     * This rule, then {@code other} if this one does not fire.
     *
     * @param other the rule asked second
     * @return the combined rule
     */
    default StopRule or(StopRule other) {
        return it -> {
            Optional<StopReason> r = test(it);
            return r.isPresent() ? r : other.test(it);
        };
    }

    /**
     * The first rule among {@code rules} that fires.
     *
     * @param rules rules in the order they are asked
     * @return the combined rule (one that never fires for no rules)
     */
    static StopRule anyOf(StopRule... rules) {
        StopRule all = it -> Optional.empty();
        for (StopRule r : rules) {
            all = all.or(r);
        }
        return all;
    }

    /**
     * The objective test of MINPACK's {@code lmder} and SciPy's {@code trf}, with a guard against
     * slow crawls ({@link StopReason#OBJECTIVE_CHANGE}): the last accepted step lowered the
     * objective by a relative amount of at most {@code tolerance}, the quadratic model predicted no
     * more than that either, the model agreed with the step ({@code 1/4 ≤ ρ ≤ 2} for the gain ratio
     * ρ) at the damping chosen after the previous step (no trial point rejected in this iteration),
     * and the decrease still to come by Aitken's extrapolation of the last two decreases
     * ({@link Iterate#relativeRemainingReduction}) is at most {@code tolerance} too.
     *
     * <p>Why each: a small decrease alone also happens on a step the model got wrong (ρ near 0,
     * typically far from the optimum with a large damping), and stopping there ends the fit early;
     * a small predicted reduction with ρ near 1 says the model is trusted and has nothing more to
     * offer at this point. The lower bound 1/4 is SciPy's ({@code ratio > 0.25}); the upper bound 2
     * is MINPACK's and Hipparchus' ({@code 0.5 ρ ≤ 1}), which refuses steps whose gain the model
     * badly underestimated. After a rejected trial the damping was raised and the accepted step
     * shortened: its small predicted reduction then reflects the damping, not the optimum (seen in
     * shared-nonlinear fits that stopped 2e-9 above the optimum after two rejections). The
     * extrapolation matters in over-specified fits, which crawl along a
     * curved, nearly flat valley: every step there is small and well predicted, yet the steps
     * shrink slowly (ratio c of consecutive decreases near 1) and their sum, {@code δ c / (1 − c)},
     * can exceed one step's decrease a hundredfold; MINPACK's test alone stopped such fits at a
     * relative distance of 1e-8 from the optimum that SciPy with tight tolerances reached.
     *
     * @param tolerance the relative tolerance
     * @return the rule
     */
    static StopRule objectiveChange(double tolerance) {
        return it -> it.relativeReduction() <= tolerance && it.relativePredictedReduction() <= tolerance
                && it.gainRatio() >= 0.25 && it.gainRatio() <= 2 && it.rejectedTrials() == 0
                && it.relativeRemainingReduction() <= tolerance
                ? Optional.of(StopReason.OBJECTIVE_CHANGE) : Optional.empty();
    }

    /**
     * The plain relative-change test ({@link StopReason#OBJECTIVE_CHANGE}):
     * {@code |F_t − F_{t−1}| / max(1, |F_{t−1}|) ≤ tolerance}. Right for a monotone method without
     * a quadratic model (EM, whose objective is a mean log-likelihood of order 1).
     *
     * @param tolerance the relative tolerance
     * @return the rule
     */
    static StopRule relativeChange(double tolerance) {
        return it -> Math.abs(it.objective() - it.previousObjective())
                / Math.max(1.0, Math.abs(it.previousObjective())) <= tolerance
                ? Optional.of(StopReason.OBJECTIVE_CHANGE) : Optional.empty();
    }

    /**
     * The scaled projected-gradient test ({@link StopReason#GRADIENT}): the snapshot's projected
     * gradient (coordinates held at a bound with the gradient pointing out of the box do not
     * count) is at most {@code tolerance}.
     *
     * @param tolerance the relative tolerance
     * @return the rule
     */
    static StopRule projectedGradient(double tolerance) {
        return it -> it.projectedGradient() <= tolerance
                ? Optional.of(StopReason.GRADIENT) : Optional.empty();
    }

    /**
     * The relative step test ({@link StopReason#STEP_SIZE}):
     * {@code ||Δx|| ≤ tolerance · (||x|| + tolerance)} for the last accepted step.
     *
     * @param tolerance the relative tolerance
     * @return the rule
     */
    static StopRule stepSize(double tolerance) {
        return it -> it.stepNorm() <= tolerance * (it.pointNorm() + tolerance)
                ? Optional.of(StopReason.STEP_SIZE) : Optional.empty();
    }

    /**
     * The step test of {@link LeastSquaresEstimator.Method#FLAT} ({@link StopReason#STEP_SIZE}): the
     * last accepted step at most {@code stepTolerance} relative to the point, taken with no rejected
     * trial, and both its actual and its predicted relative decrease at most
     * {@code objectiveTolerance}: a short step alone, or a small decrease alone, is not enough.
     *
     * @param stepTolerance the relative step tolerance
     * @param objectiveTolerance the relative objective tolerance
     * @return the rule
     */
    static StopRule flatStep(double stepTolerance, double objectiveTolerance) {
        return it -> it.stepNorm() <= stepTolerance * (it.pointNorm() + stepTolerance)
                && it.rejectedTrials() == 0
                && it.relativeReduction() <= objectiveTolerance
                && it.relativePredictedReduction() <= objectiveTolerance
                ? Optional.of(StopReason.STEP_SIZE) : Optional.empty();
    }
}
