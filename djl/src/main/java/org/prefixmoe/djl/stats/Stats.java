package org.prefixmoe.djl.stats;

import org.hipparchus.distribution.continuous.TDistribution;

import java.util.Arrays;

/**
 * The few statistics the study reports: sample means and standard deviations, Student-t confidence intervals,
 * paired t-tests, exact Wilcoxon signed-rank and sign tests, the Holm step-down correction, and linear
 * interpolation on a log scale.
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
     * Two-sided p-value of the exact Wilcoxon signed-rank test of a zero median (the paired test when {@code d} are
     * paired differences). Zero differences are dropped (Wilcoxon's convention); tied absolute values get mid-ranks,
     * and the p-value is exact conditionally on those ranks: under the null each sign is + or − with probability
     * 1/2 independently, and the distribution of the sum of positive ranks is enumerated exactly (by convolution on
     * doubled ranks, so mid-ranks stay integers). {@code p = min(1, 2 min(P(W+ <= w), P(W+ >= w)))}. 1 when no
     * difference is non-zero.
     *
     * @param d differences
     * @return the p-value
     */
    public static double wilcoxonP(double[] d) {
        double[] nz = Arrays.stream(d).filter(v -> v != 0 && !Double.isNaN(v)).toArray();
        int n = nz.length;
        if (n == 0) {
            return 1;
        }
        Integer[] idx = new Integer[n];
        for (int i = 0; i < n; i++) {
            idx[i] = i;
        }
        Arrays.sort(idx, (a, b) -> Double.compare(Math.abs(nz[a]), Math.abs(nz[b])));
        int[] r2 = new int[n];
        for (int i = 0; i < n; ) {
            int j = i;
            while (j + 1 < n && Math.abs(nz[idx[j + 1]]) == Math.abs(nz[idx[i]])) {
                j++;
            }
            // Positions i..j (0-based) tie: mid-rank (i + 1 + j + 1) / 2, doubled.
            for (int q = i; q <= j; q++) {
                r2[idx[q]] = i + j + 2;
            }
            i = j + 1;
        }
        int total = 0;
        int obs = 0;
        for (int i = 0; i < n; i++) {
            total += r2[i];
            obs += nz[i] > 0 ? r2[i] : 0;
        }
        double[] pmf = new double[total + 1];
        pmf[0] = 1;
        int reach = 0;
        for (int r : r2) {
            for (int s = reach; s >= 0; s--) {
                if (pmf[s] != 0) {
                    pmf[s + r] += 0.5 * pmf[s];
                    pmf[s] *= 0.5;
                }
            }
            reach += r;
        }
        double le = 0;
        double ge = 0;
        for (int s = 0; s <= total; s++) {
            if (s <= obs) {
                le += pmf[s];
            }
            if (s >= obs) {
                ge += pmf[s];
            }
        }
        return Math.min(1, 2 * Math.min(le, ge));
    }

    /**
     * Two-sided p-value of the exact sign test of a zero median: zero differences are dropped, and with {@code n}
     * non-zero differences of which {@code k} are the rarer sign, {@code p = min(1, 2 P(X <= k))} for
     * {@code X ~ Binomial(n, 1/2)}. 1 when no difference is non-zero.
     *
     * @param d differences
     * @return the p-value
     */
    public static double signTestP(double[] d) {
        int pos = 0;
        int neg = 0;
        for (double v : d) {
            pos += v > 0 ? 1 : 0;
            neg += v < 0 ? 1 : 0;
        }
        int n = pos + neg;
        if (n == 0) {
            return 1;
        }
        int k = Math.min(pos, neg);
        // P(X <= k) by summing binomial probabilities in logs (exact enough for n in the thousands).
        double sum = 0;
        for (int i = 0; i <= k; i++) {
            sum += Math.exp(logChoose(n, i) - n * Math.log(2));
        }
        return Math.min(1, 2 * sum);
    }

    private static double logChoose(int n, int k) {
        double s = 0;
        for (int i = 1; i <= k; i++) {
            s += Math.log(n - k + i) - Math.log(i);
        }
        return s;
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
