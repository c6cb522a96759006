package org.prefixmoe.estimation;

/**
 * The damping metric of {@link LeastSquaresEstimator.Method#LM_VP} (issue 23, docs/solver-flat-sets.md): the
 * coordinates in which the regression function is linear (non-shared values) are damped by a token
 * {@link #LINEAR_DAMPING} of their diagonal, so the step is Gauss–Newton in them; every other coordinate by the
 * diagonal of the Schur complement {@code S = A_NN − A_NL A_LL⁻¹ A_LN} of {@code A = JᵀJ}, the curvature that is left
 * once the linear coordinates compensate (Kaufman's variable-projection step when λ is large). Held coordinates
 * take no part. Allocates only at construction.
 */
final class VariableProjection {
    /** The damping of a linear coordinate, relative to its diagonal entry of {@code JᵀJ}. */
    static final double LINEAR_DAMPING = 1e-6;

    private final int dim;
    private final boolean[] linear;
    private final int[] idx;
    private final double[] all;
    private final double[] z;

    /**
     * @param linear which coordinates of the packed vector the regression function is linear in
     */
    VariableProjection(boolean[] linear) {
        this.dim = linear.length;
        this.linear = linear.clone();
        int k = 0;
        for (boolean b : linear) {
            k += b ? 1 : 0;
        }
        this.idx = new int[k];
        this.all = new double[k * k];
        this.z = new double[k];
    }

    /**
     * The packed vector's linear coordinates for a problem, or null when it has none.
     *
     * @param problem the fit problem
     * @return the mask, or null
     */
    static boolean[] linearMask(FitProblem problem) {
        int[] lin = problem.model().parameterization().linearCoordinates();
        if (lin.length == 0) {
            return null;
        }
        int p = problem.model().atomDimension();
        int stride = p + (problem.model().hasBias() ? 1 : 0);
        boolean[] mask = new boolean[problem.atoms() * stride];
        for (int l = 0; l < problem.atoms(); l++) {
            for (int c : lin) {
                mask[l * stride + c] = true;
            }
        }
        return mask;
    }

    /**
     * Writes the damping metric.
     *
     * @param a {@code JᵀJ}, row-major dim × dim
     * @param fixed the coordinates held this iteration
     * @param floor the floor of every entry (as {@code lm}'s)
     * @param d out: the metric, length dim
     * @return false, d untouched, when {@code A_LL} (floored) is not positive definite in floating point
     */
    boolean damping(double[] a, boolean[] fixed, double floor, double[] d) {
        int k = 0;
        for (int c = 0; c < dim; c++) {
            if (linear[c] && !fixed[c]) {
                idx[k++] = c;
            }
        }
        // Cholesky of A_LL + floor·I, in place (lower triangle).
        for (int i = 0; i < k; i++) {
            for (int j = 0; j <= i; j++) {
                double s = a[idx[i] * dim + idx[j]] + (i == j ? floor : 0.0);
                for (int m = 0; m < j; m++) {
                    s -= all[i * k + m] * all[j * k + m];
                }
                if (i == j) {
                    if (!(s > 0)) {
                        return false;
                    }
                    all[i * k + i] = Math.sqrt(s);
                } else {
                    all[i * k + j] = s / all[j * k + j];
                }
            }
        }
        for (int c = 0; c < dim; c++) {
            double acc = a[c * dim + c];
            if (linear[c]) {
                d[c] = Math.max(LINEAR_DAMPING * acc, floor);
                continue;
            }
            if (!fixed[c]) {
                // A_cL A_LL⁻¹ A_Lc = ||L⁻¹ A_Lc||², forward substitution.
                double q = 0;
                for (int i = 0; i < k; i++) {
                    double s = a[idx[i] * dim + c];
                    for (int m = 0; m < i; m++) {
                        s -= all[i * k + m] * z[m];
                    }
                    z[i] = s / all[i * k + i];
                    q += z[i] * z[i];
                }
                acc -= q;
            }
            d[c] = Math.max(acc, floor);
        }
        return true;
    }
}
