package org.prefixmoe.estimation;

/** Why an iterative estimator stopped. */
public enum StopReason {
    /**
     * The relative change of the objective fell below its tolerance (for least squares: on a step
     * the quadratic model predicted, see {@link StopRule#objectiveChange}).
     */
    OBJECTIVE_CHANGE(true),
    /** An accepted step fell below its relative tolerance. */
    STEP_SIZE(true),
    /** The scaled projected gradient fell below its tolerance (or vanished: every coordinate held at a bound). */
    GRADIENT(true),
    /**
     * No step could decrease the objective although no convergence test passed (the damping blew
     * up, or steps shorter than the step tolerance did not descend): not converged.
     */
    NO_PROGRESS(false),
    /** The iteration cap was reached before any convergence test passed. */
    MAX_ITERATIONS(false),
    /** The objective became non-finite or the linear algebra failed. */
    FAILED(false);

    private final boolean converged;

    StopReason(boolean converged) {
        this.converged = converged;
    }

    /** {@return whether this reason counts as convergence} */
    public boolean converged() {
        return converged;
    }

    /** {@return the lower-case name written to result files, e.g. {@code max-iterations}} */
    public String label() {
        return name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
    }
}
