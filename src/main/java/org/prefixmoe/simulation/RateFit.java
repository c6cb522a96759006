package org.prefixmoe.simulation;

import java.util.Arrays;
import org.apache.commons.rng.UniformRandomProvider;
import org.hipparchus.distribution.continuous.TDistribution;
import org.hipparchus.stat.regression.SimpleRegression;

/**
 * A convergence rate: the least-squares slope of {@code log(mean loss)} on {@code log n}, with a
 * t-based 95% confidence interval (treating the per-n means as the data, {@code k − 2} degrees of
 * freedom) and a percentile bootstrap interval that resamples the replicates within each n.
 *
 * @param slope fitted exponent (loss ≈ C n^slope)
 * @param intercept fitted log C
 * @param stdErr standard error of the slope
 * @param low lower end of the t-based 95% interval (NaN with fewer than 3 sizes)
 * @param high upper end of the t-based 95% interval
 * @param bootLow lower end of the 95% bootstrap interval (NaN without replicates)
 * @param bootHigh upper end of the 95% bootstrap interval
 * @param points number of sample sizes used (sizes with a non-positive or missing mean are left out)
 */
public record RateFit(double slope, double intercept, double stdErr, double low, double high, double bootLow,
                      double bootHigh, int points) {

    /** Bootstrap resamples used by {@link #of(double[], double[][], UniformRandomProvider)}. */
    public static final int BOOTSTRAP = 2000;

    /** OLS of log y on log n, without a bootstrap. */
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
            return new RateFit(Double.NaN, Double.NaN, Double.NaN, Double.NaN, Double.NaN, Double.NaN, Double.NaN, k);
        }
        double slope = reg.getSlope();
        double se = k > 2 ? reg.getSlopeStdErr() : Double.NaN;
        double half = k > 2 ? new TDistribution(k - 2).inverseCumulativeProbability(0.975) * se : Double.NaN;
        return new RateFit(slope, reg.getIntercept(), se, slope - half, slope + half, Double.NaN, Double.NaN, k);
    }

    /**
     * The slope of the log mean against log n, with both intervals.
     *
     * @param n sample sizes
     * @param values per size, the replicate values (NaN entries ignored)
     * @param rng the bootstrap's random stream (seeded by the caller, for reproducible tables)
     */
    public static RateFit of(double[] n, double[][] values, UniformRandomProvider rng) {
        double[][] clean = new double[n.length][];
        double[] means = new double[n.length];
        for (int i = 0; i < n.length; i++) {
            clean[i] = Arrays.stream(values[i]).filter(Double::isFinite).toArray();
            means[i] = clean[i].length == 0 ? Double.NaN : Arrays.stream(clean[i]).average().orElse(Double.NaN);
        }
        RateFit base = ols(n, means);
        if (Double.isNaN(base.slope)) {
            return base;
        }
        double[] slopes = new double[BOOTSTRAP];
        int good = 0;
        double[] resampled = new double[n.length];
        for (int b = 0; b < BOOTSTRAP; b++) {
            for (int i = 0; i < n.length; i++) {
                double[] v = clean[i];
                if (v.length == 0) {
                    resampled[i] = Double.NaN;
                    continue;
                }
                double s = 0;
                for (int j = 0; j < v.length; j++) {
                    s += v[rng.nextInt(v.length)];
                }
                resampled[i] = s / v.length;
            }
            double sl = slopeOnly(n, resampled);
            if (Double.isFinite(sl)) {
                slopes[good++] = sl;
            }
        }
        if (good < 10) {
            return base;
        }
        double[] sorted = Arrays.copyOf(slopes, good);
        Arrays.sort(sorted);
        return new RateFit(base.slope, base.intercept, base.stdErr, base.low, base.high,
                Stats.quantile(sorted, 0.025), Stats.quantile(sorted, 0.975), base.points);
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

    /** The fitted loss at n. */
    public double predict(double n) {
        return Math.exp(intercept + slope * Math.log(n));
    }

    /** Whether {@code theory} lies in the t interval or in the bootstrap interval. */
    public boolean covers(double theory) {
        return (theory >= low && theory <= high) || (theory >= bootLow && theory <= bootHigh);
    }
}
