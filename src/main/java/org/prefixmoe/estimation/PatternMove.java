package org.prefixmoe.estimation;

import org.prefixmoe.model.Evaluator;

/**
 * {@link LeastSquaresEstimator.Method#LM_X}'s pattern move (Hooke and Jeeves) along a crawl (issue 23,
 * docs/solver-flat-sets.md): every {@link #EVERY}-th accepted point, if the last {@link #EVERY} accepted steps
 * lowered the objective by less than {@link #CRAWL} relative in total, the points {@code x + t u} for
 * {@code u = x_k − x_{k−EVERY}} and t = 1, 2, 4, … (at most {@link #TRIALS}, projected onto the box) are
 * tried, one pass each, up to the first that is not lower; the lowest one becomes the iterate. Along a flat
 * valley the Gauss–Newton model is degenerate in the valley's direction, so each damped step is short while the
 * accepted steps keep pointing the same way. Not thread-safe: one per fit.
 */
final class PatternMove implements CrawlMove {
    /** Accepted points between two crawl checks. */
    static final int EVERY = 10;
    /** A crawl: the last {@link #EVERY} steps lowered the objective by less than this, relative. */
    static final double CRAWL = 1e-6;
    /** Trials per move (t up to 2^(TRIALS−1)). */
    static final int TRIALS = 8;

    private final int dim;
    private final double[] ring;
    private final double[] ringSsr;
    private final double[] trial;
    private final double[] best;
    private double[] aBest;
    private double[] gBest;
    private double[] aScratch;
    private double[] gScratch;
    private long accepted;
    private int evaluations;

    /**
     * @param x0 the start point (the first accepted point); not modified
     * @param ssr0 its objective
     */
    PatternMove(double[] x0, double ssr0) {
        this.dim = x0.length;
        this.ring = new double[(EVERY + 1) * dim];
        this.ringSsr = new double[EVERY + 1];
        this.trial = new double[dim];
        this.best = new double[dim];
        this.aBest = new double[dim * dim];
        this.gBest = new double[dim];
        this.aScratch = new double[dim * dim];
        this.gScratch = new double[dim];
        System.arraycopy(x0, 0, ring, 0, dim);
        ringSsr[0] = ssr0;
    }

    /**
     * Records an accepted point.
     *
     * @param x the point; not modified
     * @param ssr its objective
     * @return whether the last {@link #EVERY} accepted steps crawled (a move is due)
     */
    boolean record(double[] x, double ssr) {
        accepted++;
        int slot = (int) (accepted % (EVERY + 1));
        System.arraycopy(x, 0, ring, slot * dim, dim);
        ringSsr[slot] = ssr;
        if (accepted % EVERY != 0) {
            return false;
        }
        double old = ringSsr[(int) ((accepted - EVERY) % (EVERY + 1))];
        return old - ssr < CRAWL * old;
    }

    @Override
    public boolean stepped(double[] x, double[] next, double ssr) {
        return record(next, ssr);
    }

    @Override
    public void moved(double[] x, double ssr) {
        record(x, ssr);
    }

    /** The lowest of the points {@code x + t u} (see the class); the lowest point's pass is kept. */
    @Override
    public double tryMove(Evaluator ev, double[] y, double[] x, double[] a, double[] g, double ssr, double[] lo,
                          double[] hi) {
        int from = (int) ((accepted - EVERY) % (EVERY + 1)) * dim;
        double lowest = ssr;
        evaluations = 0;
        for (int k = 0; k < TRIALS; k++) {
            double t = 1 << k;
            for (int c = 0; c < dim; c++) {
                trial[c] = Math.min(hi[c], Math.max(lo[c], x[c] + t * (x[c] - ring[from + c])));
            }
            ev.setParameters(trial);
            double s = ev.normalEquations(y, aScratch, gScratch);
            evaluations++;
            if (!(s < lowest)) {
                break;
            }
            lowest = s;
            System.arraycopy(trial, 0, best, 0, dim);
            double[] swap = aBest;
            aBest = aScratch;
            aScratch = swap;
            swap = gBest;
            gBest = gScratch;
            gScratch = swap;
        }
        return lowest < ssr ? lowest : Double.NaN;
    }

    @Override
    public int evaluations() {
        return evaluations;
    }

    @Override
    public double[] point() {
        return best;
    }

    @Override
    public void copyNormal(double[] a, double[] g) {
        System.arraycopy(aBest, 0, a, 0, a.length);
        System.arraycopy(gBest, 0, g, 0, g.length);
    }
}
