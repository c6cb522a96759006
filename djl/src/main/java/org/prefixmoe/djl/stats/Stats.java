package org.prefixmoe.djl.stats;

import org.hipparchus.distribution.continuous.TDistribution;

import java.util.Arrays;

/**
 * The few statistics the study reports: sample means and standard deviations, Student-t confidence intervals,
 * paired t-tests, the Holm step-down correction, and linear interpolation on a log scale.
 */
public final class Stats {

    private Stats() {}

    /**
     * Arithmetic mean.
     *
     * @param x values (non-empty)
     * @return the mean
     */
    public static double mean(double[] x) {
        double s = 0;
        for (double v : x) {
            s += v;
        }
        return s / x.length;
    }

    /**
     * Sample standard deviation (divisor n - 1); NaN for fewer than two values.
     *
     * @param x values
     * @return the sd
     */
    public static double sd(double[] x) {
        if (x.length < 2) {
            return Double.NaN;
        }
        double m = mean(x);
        double ss = 0;
        for (double v : x) {
            ss += (v - m) * (v - m);
        }
        return Math.sqrt(ss / (x.length - 1));
    }

    /**
     * Half-width of the two-sided Student-t confidence interval for the mean, {@code t_{(1+level)/2, n-1} sd / sqrt(n)};
     * NaN for fewer than two values.
     *
     * @param x values
     * @param level confidence level, e.g. 0.95
     * @return the half-width
     */
    public static double tHalfWidth(double[] x, double level) {
        if (x.length < 2) {
            return Double.NaN;
        }
        double t = new TDistribution(x.length - 1).inverseCumulativeProbability(0.5 + level / 2);
        return t * sd(x) / Math.sqrt(x.length);
    }

    /**
     * Two-sided p-value of the one-sample t-test of mean zero (the paired t-test when {@code d} are paired
     * differences); NaN for fewer than two values, 1 when all differences are zero, 0 when they are equal and
     * non-zero.
     *
     * @param d differences
     * @return the p-value
     */
    public static double tTestP(double[] d) {
        if (d.length < 2) {
            return Double.NaN;
        }
        double m = mean(d);
        double s = sd(d);
        if (s == 0) {
            return m == 0 ? 1 : 0;
        }
        double t = m / (s / Math.sqrt(d.length));
        return 2 * new TDistribution(d.length - 1).cumulativeProbability(-Math.abs(t));
    }

    /**
     * Holm's step-down adjusted p-values (family-wise error control): sort ascending,
     * {@code p_(i) -> max_{j <= i} min(1, (m - j + 1) p_(j))}. NaN entries are left out of the family and stay NaN.
     *
     * @param p raw p-values
     * @return adjusted p-values, in the input order
     */
    public static double[] holm(double[] p) {
        Integer[] order = new Integer[p.length];
        int m = 0;
        for (int i = 0; i < p.length; i++) {
            order[i] = i;
            if (!Double.isNaN(p[i])) {
                m++;
            }
        }
        Arrays.sort(order, (a, b) -> Double.compare(Double.isNaN(p[a]) ? 2 : p[a], Double.isNaN(p[b]) ? 2 : p[b]));
        double[] adj = new double[p.length];
        Arrays.fill(adj, Double.NaN);
        double running = 0;
        for (int r = 0; r < m; r++) {
            int i = order[r];
            running = Math.max(running, Math.min(1, (m - r) * p[i]));
            adj[i] = running;
        }
        return adj;
    }

    /**
     * The size at which a curve reaches a level, by linear interpolation of the level against {@code log(size)}
     * between consecutive measured sizes (the first crossing, scanning sizes upwards). Returns
     * {@link Double#NEGATIVE_INFINITY} if the curve already reaches the level at the smallest size and
     * {@link Double#POSITIVE_INFINITY} if it never does within the measured sizes.
     *
     * @param sizes measured sizes, increasing
     * @param curve the curve's value at each size
     * @param level the level to reach
     * @return the interpolated size, or an infinity as above
     */
    public static double sizeToReach(double[] sizes, double[] curve, double level) {
        if (curve[0] >= level) {
            return Double.NEGATIVE_INFINITY;
        }
        for (int i = 0; i + 1 < sizes.length; i++) {
            if (curve[i + 1] >= level) {
                double f = (level - curve[i]) / (curve[i + 1] - curve[i]);
                return Math.exp(Math.log(sizes[i]) + f * (Math.log(sizes[i + 1]) - Math.log(sizes[i])));
            }
        }
        return Double.POSITIVE_INFINITY;
    }

    /**
     * The {@code q}-quantile of values by linear interpolation between order statistics (R's type 7).
     *
     * @param x values (non-empty; not modified)
     * @param q in {@code [0, 1]}
     * @return the quantile
     */
    public static double quantile(double[] x, double q) {
        double[] s = x.clone();
        Arrays.sort(s);
        double h = (s.length - 1) * q;
        int lo = (int) Math.floor(h);
        int hi = Math.min(s.length - 1, lo + 1);
        if (s[hi] == s[lo]) {
            return s[lo];
        }
        if (Double.isInfinite(s[lo]) || Double.isInfinite(s[hi])) {
            // No interpolation towards an infinity (a size outside the measured range): take the nearer one.
            return h - lo < 0.5 ? s[lo] : s[hi];
        }
        return s[lo] + (h - lo) * (s[hi] - s[lo]);
    }
}
