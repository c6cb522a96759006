package org.prefixmoe.simulation;

import org.hipparchus.stat.interval.BinomialProportion;
import org.hipparchus.stat.interval.ConfidenceInterval;

/**
 * A binomial proportion {@code k/n} with its 95% Wilson score interval (Hipparchus
 * {@link BinomialProportion#getWilsonScoreInterval}). Wilson rather than Clopper–Pearson: it is
 * close to nominal coverage for the 10–40 replicates of a study and well defined at {@code k = 0}
 * and {@code k = n}, where the outcome fractions of over-specified fits often sit.
 *
 * @param successes k
 * @param trials n (0: no estimate, every field NaN)
 * @param estimate k/n
 * @param low lower end of the 95% interval
 * @param high upper end of the 95% interval
 */
public record Proportion(int successes, int trials, double estimate, double low, double high) {

    /**
     * The proportion {@code k/n} with its 95% Wilson interval.
     *
     * @param k successes, in {@code [0, n]}
     * @param n trials (0 gives a proportion without estimate)
     * @return the proportion and its interval
     */
    public static Proportion wilson(int k, int n) {
        if (k < 0 || k > n) {
            throw new IllegalArgumentException("successes: must be in [0, " + n + "], got " + k);
        }
        if (n == 0) {
            return new Proportion(0, 0, Double.NaN, Double.NaN, Double.NaN);
        }
        double p = (double) k / n;
        ConfidenceInterval ci = BinomialProportion.getWilsonScoreInterval(n, p, 0.95);
        // The interval ends exactly at 0 for k = 0 and at 1 for k = n; keep rounding from moving them.
        double low = k == 0 ? 0 : Math.max(0, ci.getLowerBound());
        double high = k == n ? 1 : Math.min(1, ci.getUpperBound());
        return new Proportion(k, n, p, low, high);
    }
}
