package org.prefixmoe.simulation;

import java.util.Arrays;

/** Descriptive statistics of one (study, n, loss) cell: mean, sd, median, quartiles. */
public record Stats(int count, double mean, double sd, double median, double q1, double q3) {

    /** Statistics of the finite entries of {@code values}. */
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

    /** Standard error of the mean. */
    public double stdErr() {
        return count > 1 ? sd / Math.sqrt(count) : Double.NaN;
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
