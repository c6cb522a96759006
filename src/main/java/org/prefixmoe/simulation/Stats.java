package org.prefixmoe.simulation;

import java.util.Arrays;
import org.hipparchus.distribution.continuous.TDistribution;

/** Descriptive statistics of one (study, n, loss) cell: mean, sd, median, quartiles. */
public record Stats(int count, double mean, double sd, double median, double q1, double q3) {

    /**
     * Statistics of the finite entries of {@code values}.
     *
     * @param values the replicate values. Not modified.
     * @return their statistics (count 0 and NaN statistics when none is finite)
     */
    public static Stats of(double[] values) {
        double[] v = Arrays.stream(values).filter(Double::isFinite).sorted().toArray();
        int k = v.length;
        if (k == 0) {
            return new Stats(0, Double.NaN, Double.NaN, Double.NaN, Double.NaN, Double.NaN);
        }
        double mean = Arrays.stream(v).average().orElse(Double.NaN);
        double ss = 0;
        for (double x : v) {
            ss += (x - mean) * (x - mean);
        }
        double sd = k > 1 ? Math.sqrt(ss / (k - 1)) : Double.NaN;
        return new Stats(k, mean, sd, quantile(v, 0.5), quantile(v, 0.25), quantile(v, 0.75));
    }

    /**
     * Standard error of the mean.
     *
     * @return {@code sd/√count} (NaN with fewer than 2 values)
     */
    public double stdErr() {
        return count > 1 ? sd / Math.sqrt(count) : Double.NaN;
    }

    /**
     * Half-width of the 95% t interval of the mean, {@code t_{0.975, k−1} · sd/√k} over the k
     * replicates (the error bars of the rate plots, docs/theory.md §6).
     *
     * @return the half-width (NaN with fewer than 2 values)
     */
    public double meanHalfWidth95() {
        return count > 1 ? tQuantile975(count - 1) * stdErr() : Double.NaN;
    }

    /** The 97.5% quantile of Student's t with {@code df} degrees of freedom. */
    static double tQuantile975(int df) {
        return new TDistribution(df).inverseCumulativeProbability(0.975);
    }

    /** Quantile of sorted data by linear interpolation (type 7, as R's default). */
    static double quantile(double[] sorted, double p) {
        if (sorted.length == 1) {
            return sorted[0];
        }
        double h = (sorted.length - 1) * p;
        int lo = (int) Math.floor(h);
        int hi = Math.min(lo + 1, sorted.length - 1);
        return sorted[lo] + (h - lo) * (sorted[hi] - sorted[lo]);
    }
}
