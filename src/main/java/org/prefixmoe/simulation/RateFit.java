package org.prefixmoe.simulation;

import java.util.Arrays;
import org.apache.commons.rng.UniformRandomProvider;
import org.hipparchus.distribution.continuous.TDistribution;
import org.hipparchus.stat.regression.SimpleRegression;

/**
 * A convergence rate: the least-squares slope of {@code log(centre)} on {@code log n}, where the
 * centre of the replicates at each n is their mean (the primary statistic, docs/theory.md §6) or their
 * median. Two 95% intervals: a t interval treating the per-n centres as the data ({@code k − 2}
 * degrees of freedom over k sizes), and a percentile bootstrap interval that resamples the
 * replicates within each n and refits. The bootstrap interval is the one that decides a verdict
 * ({@link Verdict}); the t interval is shown beside it.
 *
 * @param slope fitted exponent (centre ≈ C n^slope)
 * @param intercept fitted log C
 * @param stdErr standard error of the slope
 * @param low lower end of the t-based 95% interval (NaN with fewer than 3 sizes)
 * @param high upper end of the t-based 95% interval
 * @param bootLow lower end of the 95% bootstrap interval (NaN without replicates)
 * @param bootHigh upper end of the 95% bootstrap interval
 * @param points number of sample sizes used (sizes with a non-positive or missing centre are left out)
 * @param replicates the smallest number of replicates at a size used (0 when only centres were given)
 */
public record RateFit(double slope, double intercept, double stdErr, double low, double high, double bootLow,
                      double bootHigh, int points, int replicates) {

    /** Bootstrap resamples used by {@link #of(double[], double[][], UniformRandomProvider)}. */
    public static final int BOOTSTRAP = 2000;

    /** The statistic of the replicates at one n whose logarithm is regressed on log n. */
    public enum Centre {
        /** The mean (the primary statistic: the theory bounds expectations). */
        MEAN,
        /** The median (robust to the bimodal outcomes of over-specified fits). */
        MEDIAN,
        /**
         * The 10% trimmed mean: the mean after dropping {@code floor(0.1 v)} values at each end
         * ({@code scipy.stats.trim_mean(v, 0.1)}); robust to a few runaway fits that dominate a mean.
         */
        TRIMMED;

        /**
         * The centre of some values.
         *
         * @param v the values; not modified
         * @return their centre (NaN for none)
         */
        public double of(double[] v) {
            if (v.length == 0) {
                return Double.NaN;
            }
            if (this == MEAN) {
                double s = 0;
                for (double x : v) {
                    s += x;
                }
                return s / v.length;
            }
            double[] sorted = v.clone();
            Arrays.sort(sorted);
            if (this == TRIMMED) {
                int cut = (int) (0.1 * sorted.length);
                double s = 0;
                for (int i = cut; i < sorted.length - cut; i++) {
                    s += sorted[i];
                }
                return s / (sorted.length - 2 * cut);
            }
            return Stats.quantile(sorted, 0.5);
        }
    }

    /**
     * OLS of log y on log n, without a bootstrap.
     *
     * @param n sample sizes. Not modified.
     * @param y the centre at each size; non-positive or non-finite entries are left out. Not modified.
     * @return the slope with its t interval (no bootstrap interval, 0 replicates)
     */
    public static RateFit ols(double[] n, double[] y) {
        SimpleRegression reg = new SimpleRegression();
        int k = 0;
        for (int i = 0; i < n.length; i++) {
            if (y[i] > 0 && Double.isFinite(y[i])) {
                reg.addData(Math.log(n[i]), Math.log(y[i]));
                k++;
            }
        }
        if (k < 2) {
            return new RateFit(Double.NaN, Double.NaN, Double.NaN, Double.NaN, Double.NaN, Double.NaN, Double.NaN, k,
                    0);
        }
        double slope = reg.getSlope();
        double se = k > 2 ? reg.getSlopeStdErr() : Double.NaN;
        double half = k > 2 ? new TDistribution(k - 2).inverseCumulativeProbability(0.975) * se : Double.NaN;
        return new RateFit(slope, reg.getIntercept(), se, slope - half, slope + half, Double.NaN, Double.NaN, k, 0);
    }

    /**
     * The slope of the log mean against log n, with both intervals.
     *
     * @param n sample sizes. Not modified.
     * @param values per size, the replicate values (NaN entries ignored). Not modified.
     * @param rng the bootstrap's random stream
     * @return the fit; see {@link #of(double[], double[][], UniformRandomProvider, Centre)}
     */
    public static RateFit of(double[] n, double[][] values, UniformRandomProvider rng) {
        return of(n, values, rng, Centre.MEAN);
    }

    /**
     * The slope of the log centre against log n, with both intervals.
     *
     * @param n sample sizes
     * @param values per size, the replicate values (NaN entries ignored). Not modified.
     * @param rng the bootstrap's random stream (seeded by the caller, for reproducible tables)
     * @param centre mean or median of the replicates at each n
     * @return the slope with its t and bootstrap intervals
     */
    public static RateFit of(double[] n, double[][] values, UniformRandomProvider rng, Centre centre) {
        double[][] clean = new double[n.length][];
        double[] centres = new double[n.length];
        for (int i = 0; i < n.length; i++) {
            clean[i] = Arrays.stream(values[i]).filter(Double::isFinite).toArray();
            centres[i] = centre.of(clean[i]);
        }
        RateFit base = ols(n, centres);
        int replicates = Integer.MAX_VALUE;
        for (int i = 0; i < n.length; i++) {
            if (centres[i] > 0 && Double.isFinite(centres[i])) {
                replicates = Math.min(replicates, clean[i].length);
            }
        }
        replicates = replicates == Integer.MAX_VALUE ? 0 : replicates;
        if (Double.isNaN(base.slope)) {
            return base.withReplicates(replicates);
        }
        double[] slopes = new double[BOOTSTRAP];
        int good = 0;
        double[] resampled = new double[n.length];
        double[][] draw = new double[n.length][];
        for (int i = 0; i < n.length; i++) {
            draw[i] = new double[clean[i].length];
        }
        MedianByCounts median = centre == Centre.MEDIAN ? new MedianByCounts(clean) : null;
        for (int b = 0; b < BOOTSTRAP; b++) {
            for (int i = 0; i < n.length; i++) {
                double[] v = clean[i];
                if (median != null) {
                    resampled[i] = median.resample(i, rng);
                    continue;
                }
                for (int j = 0; j < v.length; j++) {
                    draw[i][j] = v[rng.nextInt(v.length)];
                }
                resampled[i] = centre.of(draw[i]);
            }
            double sl = slopeOnly(n, resampled);
            if (Double.isFinite(sl)) {
                slopes[good++] = sl;
            }
        }
        if (good < 10) {
            return base.withReplicates(replicates);
        }
        double[] sorted = Arrays.copyOf(slopes, good);
        Arrays.sort(sorted);
        return new RateFit(base.slope, base.intercept, base.stdErr, base.low, base.high,
                Stats.quantile(sorted, 0.025), Stats.quantile(sorted, 0.975), base.points, replicates);
    }

    /**
     * The median of a bootstrap resample without sorting it: the draws are counted by their rank in the sorted
     * replicates and the two middle order statistics read off the counts. The same random draws, in the same order,
     * and the same number as {@link Centre#MEDIAN} of the sorted resample, to the bit (the median's time was most of
     * a summary's).
     */
    private static final class MedianByCounts {
        private final double[][] sorted;
        private final int[][] rank;
        private final int[] counts;

        MedianByCounts(double[][] clean) {
            sorted = new double[clean.length][];
            rank = new int[clean.length][];
            int most = 0;
            for (int i = 0; i < clean.length; i++) {
                int m = clean[i].length;
                most = Math.max(most, m);
                Integer[] order = new Integer[m];
                for (int j = 0; j < m; j++) {
                    order[j] = j;
                }
                double[] v = clean[i];
                Arrays.sort(order, (a, b) -> Double.compare(v[a], v[b]));
                sorted[i] = new double[m];
                rank[i] = new int[m];
                for (int k = 0; k < m; k++) {
                    sorted[i][k] = v[order[k]];
                    rank[i][order[k]] = k;
                }
            }
            counts = new int[most];
        }

        /** The median of one resample of size i's replicates (NaN for none), drawing as {@link RateFit#of} does. */
        double resample(int i, UniformRandomProvider rng) {
            int m = sorted[i].length;
            if (m == 0) {
                return Double.NaN;
            }
            Arrays.fill(counts, 0, m, 0);
            for (int j = 0; j < m; j++) {
                counts[rank[i][rng.nextInt(m)]]++;
            }
            // Stats.quantile(sorted resample, 0.5): positions lo and hi of the resample in sorted order.
            double h = (m - 1) * 0.5;
            int lo = (int) Math.floor(h);
            int hi = Math.min(lo + 1, m - 1);
            double atLo = Double.NaN;
            double atHi = Double.NaN;
            int seen = 0;
            for (int k = 0; k < m && Double.isNaN(atHi); k++) {
                seen += counts[k];
                if (Double.isNaN(atLo) && seen > lo) {
                    atLo = sorted[i][k];
                }
                if (seen > hi) {
                    atHi = sorted[i][k];
                }
            }
            return m == 1 ? atLo : atLo + (h - lo) * (atHi - atLo);
        }
    }

    private RateFit withReplicates(int r) {
        return new RateFit(slope, intercept, stdErr, low, high, bootLow, bootHigh, points, r);
    }

    /** The OLS slope alone: the bootstrap needs no interval (a t quantile per resample is costly). */
    private static double slopeOnly(double[] n, double[] y) {
        double sx = 0;
        double sy = 0;
        double sxx = 0;
        double sxy = 0;
        int k = 0;
        for (int i = 0; i < n.length; i++) {
            if (y[i] > 0 && Double.isFinite(y[i])) {
                double lx = Math.log(n[i]);
                double ly = Math.log(y[i]);
                sx += lx;
                sy += ly;
                sxx += lx * lx;
                sxy += lx * ly;
                k++;
            }
        }
        if (k < 2) {
            return Double.NaN;
        }
        double den = sxx - sx * sx / k;
        return den > 0 ? (sxy - sx * sy / k) / den : Double.NaN;
    }

    /**
     * The fitted centre at n.
     *
     * @param n a sample size
     * @return {@code C n^slope}
     */
    public double predict(double n) {
        return Math.exp(intercept + slope * Math.log(n));
    }

    /**
     * Whether a slope lies in the bootstrap interval (the deciding one, docs/theory.md §6).
     *
     * @param theory the slope
     * @return whether it lies in {@code [bootLow, bootHigh]}
     */
    public boolean bootstrapCovers(double theory) {
        return theory >= bootLow && theory <= bootHigh;
    }

    /**
     * Width of the bootstrap interval.
     *
     * @return {@code bootHigh − bootLow} (NaN when there is none)
     */
    public double bootstrapWidth() {
        return bootHigh - bootLow;
    }
}
