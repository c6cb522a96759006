package org.prefixmoe.estimation;

/**
 * Coordinates in which a least-squares solver takes its damped steps instead of the packed atoms' own (issue 23,
 * docs/solver-flat-sets.md): {@link PairCoordinates} ({@code lm-pair} and its variants) and {@link ValueMoments}
 * ({@code lm-pair-v}). At each iteration the solver prepares them at its point, carries the pass's normal equations
 * into them with the back map's Jacobian, takes the step there and maps the trial point back. Not thread-safe: one
 * per fit.
 */
interface StepCoordinates {
    /**
     * Computes the coordinates of x and the back map's Jacobian there.
     *
     * @param x the packed point
     * @param lo lower bounds
     * @param hi upper bounds
     * @param onBounds whether they are to be used also with coordinates on a bound (the solver then keeps the held
     *     ones fixed through {@link #jacobian()})
     * @return whether they are to be used at x
     */
    boolean prepare(double[] x, double[] lo, double[] hi, boolean onBounds);

    /** {@return the back map's Jacobian {@code ∂x/∂z} at the prepared point, row-major dim × dim (reused)} */
    double[] jacobian();

    /** {@return the prepared point in these coordinates (the array is reused)} */
    double[] point();

    /**
     * The packed point of a point in these coordinates.
     *
     * @param zz the point in these coordinates
     * @param out receives the packed point (may be zz itself)
     */
    void back(double[] zz, double[] out);

    /**
     * Carries the normal equations into these coordinates: {@code MᵀAM} and {@code Mᵀg}, M = {@link #jacobian()}.
     *
     * @param a JᵀJ at the prepared point, dim × dim
     * @param g Jᵀr there
     * @param aOut receives MᵀAM
     * @param gOut receives Mᵀg
     * @param work scratch of dim × dim
     */
    default void carry(double[] a, double[] g, double[] aOut, double[] gOut, double[] work) {
        double[] jac = jacobian();
        int dim = g.length;
        // work = A M
        for (int r = 0; r < dim; r++) {
            for (int c = 0; c < dim; c++) {
                double acc = 0;
                for (int k = 0; k < dim; k++) {
                    acc += a[r * dim + k] * jac[k * dim + c];
                }
                work[r * dim + c] = acc;
            }
        }
        for (int r = 0; r < dim; r++) {
            double gr = 0;
            for (int k = 0; k < dim; k++) {
                gr += jac[k * dim + r] * g[k];
            }
            gOut[r] = gr;
            for (int c = 0; c < dim; c++) {
                double acc = 0;
                for (int k = 0; k < dim; k++) {
                    acc += jac[k * dim + r] * work[k * dim + c];
                }
                aOut[r * dim + c] = acc;
            }
        }
    }
}
