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
}
