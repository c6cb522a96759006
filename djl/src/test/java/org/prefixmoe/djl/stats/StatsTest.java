package org.prefixmoe.djl.stats;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** Hand-checked values of the study's statistics. */
class StatsTest {

    @Test
    void meanSdAndTInterval() {
        double[] x = {1, 2, 3, 4, 5};
        assertEquals(3, Stats.mean(x), 1e-12);
        assertEquals(Math.sqrt(2.5), Stats.sd(x), 1e-12);
        // t_{0.975, 4} = 2.7764451
        assertEquals(2.7764451 * Math.sqrt(2.5) / Math.sqrt(5), Stats.tHalfWidth(x, 0.95), 1e-6);
        assertTrue(Double.isNaN(Stats.tHalfWidth(new double[] {1}, 0.95)));
    }

    @Test
    void pairedTTest() {
        // mean 3, sd sqrt(2.5), t = 3 / (sqrt(2.5)/sqrt(5)) = 4.2426; two-sided p with 4 df = 0.013235
        assertEquals(0.013235, Stats.tTestP(new double[] {1, 2, 3, 4, 5}), 1e-5);
        assertEquals(1.0, Stats.tTestP(new double[] {0, 0, 0}), 0);
        assertEquals(Stats.tTestP(new double[] {1, 2, 3, 4, 5}), Stats.tTestP(new double[] {-1, -2, -3, -4, -5}), 1e-15);
    }

    @Test
    void holmStepDown() {
        // sorted: 0.005*4 = 0.02, 0.01*3 = 0.03, 0.03*2 = 0.06, 0.04*1 = 0.04 -> max so far 0.06
        assertArrayEquals(new double[] {0.03, 0.06, 0.06, 0.02}, Stats.holm(new double[] {0.01, 0.04, 0.03, 0.005}),
                1e-12);
        assertArrayEquals(new double[] {1, 1}, Stats.holm(new double[] {0.6, 0.7}), 1e-12);
        double[] withNaN = Stats.holm(new double[] {0.01, Double.NaN, 0.02});
        assertEquals(0.02, withNaN[0], 1e-12); // family of two
        assertTrue(Double.isNaN(withNaN[1]));
        assertEquals(0.02, withNaN[2], 1e-12);
    }

    @Test
    void sizeToReachInterpolatesOnLogSize() {
        double[] sizes = {10, 100, 1000};
        double[] curve = {0.5, 0.7, 0.8};
        assertEquals(Math.sqrt(10 * 100), Stats.sizeToReach(sizes, curve, 0.6), 1e-9); // halfway in log size
        assertEquals(100, Stats.sizeToReach(sizes, curve, 0.7), 1e-9);
        assertEquals(Math.pow(10, 2.5), Stats.sizeToReach(sizes, curve, 0.75), 1e-9);
        assertEquals(Double.NEGATIVE_INFINITY, Stats.sizeToReach(sizes, curve, 0.45));
        assertEquals(Double.POSITIVE_INFINITY, Stats.sizeToReach(sizes, curve, 0.85));
        // Non-monotone curve: the first crossing counts.
        assertEquals(100, Stats.sizeToReach(sizes, new double[] {0.5, 0.7, 0.65}, 0.7), 1e-9);
    }

    @Test
    void quantiles() {
        double[] x = {4, 1, 3, 2};
        assertEquals(1, Stats.quantile(x, 0), 0);
        assertEquals(2.5, Stats.quantile(x, 0.5), 1e-12);
        assertEquals(4, Stats.quantile(x, 1), 0);
        double[] inf = {1, 2, Double.POSITIVE_INFINITY, Double.POSITIVE_INFINITY};
        assertEquals(Double.POSITIVE_INFINITY, Stats.quantile(inf, 0.975));
    }

    @Test
    void wilcoxonSignedRankExact() {
        // All five positive: W+ = 15 is the maximum, P = 1/32 on each side: p = 2/32.
        assertEquals(0.0625, Stats.wilcoxonP(new double[] {1, 2, 3, 4, 5}), 1e-12);
        assertEquals(0.0625, Stats.wilcoxonP(new double[] {-1, -2, -3, -4, -5}), 1e-12);
        // n = 10, negative ranks 3 and 5: T- = 8; tables give P(T <= 8) = 25/1024, so p = 50/1024 (SciPy agrees).
        assertEquals(50.0 / 1024, Stats.wilcoxonP(new double[] {1, 2, -3, 4, -5, 6, 7, 8, 9, 10}), 1e-12);
        // Ties get mid-ranks: |d| = 1, 1, 2, 3 -> ranks 1.5, 1.5, 3, 4; W+ = 8.5. Of the 16 sign patterns, those with
        // W+ >= 8.5 are {all} (10) and the two with one of the 1.5s negative (8.5): 3/16 on that side, p = 6/16.
        assertEquals(0.375, Stats.wilcoxonP(new double[] {-1, 1, 2, 3}), 1e-12);
        // Zeros are dropped.
        assertEquals(0.0625, Stats.wilcoxonP(new double[] {0, 1, 2, 0, 3, 4, 5}), 1e-12);
        assertEquals(1.0, Stats.wilcoxonP(new double[] {0, 0}), 0);
        // The n = 20 table: the critical value of T at two-sided 5% is 52 (P(T <= 52) <= 0.025 < P(T <= 53)).
        assertTrue(Stats.wilcoxonP(ranksWithNegatives(20, 20, 19, 13)) <= 0.05); // T- = 52
        assertTrue(Stats.wilcoxonP(ranksWithNegatives(20, 20, 19, 14)) > 0.05); // T- = 53
        assertEquals(0.04844093322753906, Stats.wilcoxonP(ranksWithNegatives(20, 20, 19, 13)), 1e-12);
    }

    private static double[] ranksWithNegatives(int n, int... negatives) {
        double[] d = new double[n];
        for (int i = 0; i < n; i++) {
            d[i] = i + 1;
            for (int r : negatives) {
                if (r == i + 1) {
                    d[i] = -d[i];
                }
            }
        }
        return d;
    }

    @Test
    void signTestExact() {
        // 9 of 10 positive: 2 (1 + 10) / 1024.
        double[] d = {1, 2, 3, 4, 5, 6, 7, 8, 9, -1};
        assertEquals(22.0 / 1024, Stats.signTestP(d), 1e-12);
        // 20 of 20: 2 / 2^20.
        double[] all = new double[20];
        java.util.Arrays.fill(all, 0.5);
        assertEquals(2.0 / (1 << 20), Stats.signTestP(all), 1e-15);
        // 15 of 20: 2 (1 + 20 + 190 + 1140 + 4845 + 15504) / 2^20.
        double[] fifteen = new double[20];
        for (int i = 0; i < 20; i++) {
            fifteen[i] = i < 15 ? 1 : -1;
        }
        assertEquals(2.0 * 21700 / (1 << 20), Stats.signTestP(fifteen), 1e-12);
        // Zeros dropped; balanced signs give 1.
        assertEquals(1.0, Stats.signTestP(new double[] {0, 1, -1, 0}), 0);
        assertEquals(1.0, Stats.signTestP(new double[] {0, 0}), 0);
    }
}
