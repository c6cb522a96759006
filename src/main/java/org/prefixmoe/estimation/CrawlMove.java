package org.prefixmoe.estimation;

import org.prefixmoe.model.Evaluator;

/**
 * A move that a least-squares solver tries along a crawl, between its own steps (issue 23,
 * docs/solver-flat-sets.md): {@link PatternMove} ({@code lm-x}), {@link AndersonMove} ({@code lm-aa},
 * {@code trf-aa}) and {@link PathMove} ({@code lm-pair-p}). The solver reports every accepted step; when a move
 * is due it tries it, and a lower point becomes the iterate with its pass's {@code JᵀJ} and {@code Jᵀr}. Not
 * thread-safe: one per fit.
 */
interface CrawlMove {
    /**
     * Records an accepted solver step.
     *
     * @param x the point the step started from; not modified
     * @param next the accepted point; not modified
     * @param ssr the accepted point's objective
     * @return whether a move is due from {@code next}
     */
    boolean stepped(double[] x, double[] next, double ssr);

    /**
     * Tries the move from the last accepted point x.
     *
     * @param x the last accepted point; not modified
     * @param a {@code JᵀJ} at x (what {@link PathMove} follows; the other moves ignore it); not modified
     * @param g {@code Jᵀr} at x; not modified
     * @param ssr its objective
     * @return the objective of the move's point if lower than {@code ssr}, else NaN
     */
    double tryMove(Evaluator ev, double[] y, double[] x, double[] a, double[] g, double ssr, double[] lo,
                   double[] hi);

    /** {@return the passes of the last {@link #tryMove}} */
    int evaluations();

    /** {@return the point of the last successful move (not a copy)} */
    double[] point();

    /** Copies the last successful move's {@code JᵀJ} and {@code Jᵀr} into a and g. */
    void copyNormal(double[] a, double[] g);

    /** Records that the solver moved to {@link #point()}, of objective ssr. */
    void moved(double[] x, double ssr);

    /**
     * Moves x to the successful move's point (a, g to its {@code JᵀJ}, {@code Jᵀr}) and describes the jump for
     * the stop rule, as after an accepted step.
     *
     * @param x the current point; set to the move's point
     * @param a its {@code JᵀJ}; replaced
     * @param g its {@code Jᵀr}; replaced
     * @param iteration the iteration count
     * @param ssr the current objective
     * @param moved the move's objective
     * @param previous the objective before the current one
     * @param xNorm the norm the solver's step test uses
     * @param damping the solver's damping (λ or the trust-region α)
     * @return the snapshot for the stop rule
     */
    default Iterate jump(double[] x, double[] a, double[] g, int iteration, double ssr, double moved,
                         double previous, double xNorm, double damping, double[] lo, double[] hi) {
        int dim = x.length;
        double[] to = point();
        double predicted = LeastSquaresEstimator.predictedReduction(a, g, x, to, dim);
        double norm = 0;
        for (int c = 0; c < dim; c++) {
            norm += (to[c] - x[c]) * (to[c] - x[c]);
        }
        System.arraycopy(to, 0, x, 0, dim);
        copyNormal(a, g);
        moved(x, moved);
        return new Iterate(iteration, moved, ssr, previous, predicted, predicted > 0 ? (ssr - moved) / predicted : 0,
                Math.sqrt(norm), xNorm, LeastSquaresEstimator.projectedGradient(x, g, a, lo, hi, moved, dim),
                damping, 0);
    }
}
