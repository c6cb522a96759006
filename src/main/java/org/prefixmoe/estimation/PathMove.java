package org.prefixmoe.estimation;

import org.prefixmoe.model.Evaluator;

/**
 * {@link LeastSquaresEstimator.Method#LM_PAIR_P}'s move along crawls (issue 23, docs/solver-flat-sets.md): every
 * {@link CrawlWindow#WINDOW}-th accepted point, if the window crawled, the points {@code x + t(z − x)} for z the end
 * of the Gauss–Newton path along the box ({@link GaussNewtonCertificate#pathEnd}) and t = 1, 1/4, 1/16 are tried, one
 * pass each, up to the first that is lower. Near an optimum on the box a crawl is the damped step creeping along a
 * direction the undamped model resolves at once; where the model's point is not lower, nothing is lost but the
 * passes. Not thread-safe: one per fit.
 */
final class PathMove implements CrawlMove {
    /** The fractions of the way to the path's end that are tried, in order. */
    private static final double[] FRACTIONS = {1.0, 0.25, 0.0625};

    private final CrawlWindow window;
    private final double[] end;
    private final double[] trial;
    private double[] aTrial;
    private double[] gTrial;
    private int evaluations;

    /**
     * @param dim the number of packed coordinates
     * @param ssr0 the start's objective (the first accepted point)
     */
    PathMove(int dim, double ssr0) {
        this.window = new CrawlWindow(ssr0);
        this.end = new double[dim];
        this.trial = new double[dim];
        this.aTrial = new double[dim * dim];
        this.gTrial = new double[dim];
    }

    private boolean record(double ssr) {
        return window.accept(ssr) && window.accepted() % CrawlWindow.WINDOW == 0;
    }

    @Override
    public boolean stepped(double[] x, double[] next, double ssr) {
        return record(ssr);
    }

    @Override
    public void moved(double[] x, double ssr) {
        record(ssr);
    }

    @Override
    public double tryMove(Evaluator ev, double[] y, double[] x, double[] a, double[] g, double ssr, double[] lo,
                          double[] hi) {
        evaluations = 0;
        if (!(GaussNewtonCertificate.pathEnd(x, a, g, ssr, lo, hi, end) > 0)) {
            return Double.NaN;
        }
        for (double t : FRACTIONS) {
            for (int c = 0; c < x.length; c++) {
                trial[c] = x[c] + t * (end[c] - x[c]);
            }
            ev.setParameters(trial);
            double s = ev.normalEquations(y, aTrial, gTrial);
            evaluations++;
            if (s < ssr) {
                return s;
            }
        }
        return Double.NaN;
    }

    @Override
    public int evaluations() {
        return evaluations;
    }

    @Override
    public double[] point() {
        return trial;
    }

    @Override
    public void copyNormal(double[] a, double[] g) {
        System.arraycopy(aTrial, 0, a, 0, a.length);
        System.arraycopy(gTrial, 0, g, 0, g.length);
    }
}
