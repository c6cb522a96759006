package org.prefixmoe.estimation;

/** Why an iterative estimator stopped. */
public enum StopReason {
    /** The relative change of the objective fell below its tolerance. */
    OBJECTIVE_CHANGE(true),
    /** The step fell below its tolerance. */
    STEP_SIZE(true),
    /** The projected gradient vanished. */
    GRADIENT(true),
    /** No step could decrease the objective any more (a local optimum to machine precision). */
    NO_PROGRESS(true),
    /** The iteration cap was reached before any convergence test passed. */
    MAX_ITERATIONS(false),
    /** The objective became non-finite or the linear algebra failed. */
    FAILED(false);

    private final boolean converged;

    StopReason(boolean converged) {
        this.converged = converged;
    }

    /** Whether this reason counts as convergence. */
    public boolean converged() {
        return converged;
    }

    /** The lower-case name written to result files, e.g. {@code max-iterations}. */
    public String label() {
        return name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
    }
}
