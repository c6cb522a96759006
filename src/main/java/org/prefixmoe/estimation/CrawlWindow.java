package org.prefixmoe.estimation;

/**
 * The crawl test of the crawl moves and of {@link LeastSquaresEstimator.Method#TRF_LM} (issue 23,
 * docs/solver-flat-sets.md): the last {@link #WINDOW} accepted points lowered the objective by less than
 * {@link #CRAWL} relative in total. Not thread-safe: one per fit.
 */
final class CrawlWindow {
    /** Accepted points over which a crawl is judged. */
    static final int WINDOW = 10;
    /** A crawl: the last {@link #WINDOW} accepted points lowered the objective by less than this, relative. */
    static final double CRAWL = 1e-6;

    private final double[] ring = new double[WINDOW + 1];
    private long accepted;

    /** @param ssr0 the start's objective (the first accepted point) */
    CrawlWindow(double ssr0) {
        ring[0] = ssr0;
    }

    /**
     * Records an accepted point.
     *
     * @param ssr its objective
     * @return whether the last {@link #WINDOW} accepted points crawled
     */
    boolean accept(double ssr) {
        accepted++;
        ring[(int) (accepted % (WINDOW + 1))] = ssr;
        if (accepted < WINDOW) {
            return false;
        }
        double old = ring[(int) ((accepted - WINDOW) % (WINDOW + 1))];
        return old - ssr < CRAWL * old;
    }

    /** {@return the accepted points recorded after the start} */
    long accepted() {
        return accepted;
    }
}
