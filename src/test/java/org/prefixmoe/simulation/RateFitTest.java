package org.prefixmoe.simulation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.apache.commons.rng.UniformRandomProvider;
import org.apache.commons.rng.sampling.distribution.ZigguratSampler;
import org.junit.jupiter.api.Test;
import org.prefixmoe.sampling.RandomStreams;

class RateFitTest {
    private static final double[] N = {1000, 1668, 2783, 4642, 7743, 12915, 21544, 35938, 59948, 100000};

    @Test
    void exactPowerLawGivesItsSlope() {
        double[] y = new double[N.length];
        for (int i = 0; i < N.length; i++) {
            y[i] = 3.0 * Math.pow(N[i], -0.5);
        }
        RateFit f = RateFit.ols(N, y);
        assertEquals(-0.5, f.slope(), 1e-12);
        assertEquals(Math.log(3.0), f.intercept(), 1e-10);
        assertEquals(3.0 * Math.pow(5000, -0.5), f.predict(5000), 1e-12);
        assertEquals(10, f.points());
    }

    @Test
    void noisyReplicatesRecoverAKnownSlopeInsideBothIntervals() {
        UniformRandomProvider rng = RandomStreams.stream(3, 1);
        ZigguratSampler.NormalizedGaussian z = ZigguratSampler.NormalizedGaussian.of(rng);
        double[][] v = new double[N.length][40];
        for (int i = 0; i < N.length; i++) {
            for (int k = 0; k < 40; k++) {
                v[i][k] = 2.0 * Math.pow(N[i], -0.25) * Math.exp(0.3 * z.sample());
            }
        }
        RateFit f = RateFit.of(N, v, RandomStreams.stream(4, 2));
        assertEquals(-0.25, f.slope(), 0.05);
        assertTrue(f.low() < -0.25 && -0.25 < f.high(), f.toString());
        assertTrue(f.bootLow() < -0.25 && -0.25 < f.bootHigh(), f.toString());
        assertTrue(f.bootstrapCovers(-0.25));
        assertEquals(40, f.replicates());
        assertTrue(!f.bootstrapCovers(-0.5), "a slope of -1/2 is rejected: " + f);
        // Reproducible: same stream, same interval.
        RateFit g = RateFit.of(N, v, RandomStreams.stream(4, 2));
        assertEquals(f, g);
    }

    @Test
    void medianSlopeWithItsBootstrapInterval() {
        UniformRandomProvider rng = RandomStreams.stream(5, 1);
        ZigguratSampler.NormalizedGaussian z = ZigguratSampler.NormalizedGaussian.of(rng);
        double[][] v = new double[N.length][21];
        for (int i = 0; i < N.length; i++) {
            for (int k = 0; k < 21; k++) {
                v[i][k] = Math.pow(N[i], -0.5) * Math.exp(0.2 * z.sample());
            }
        }
        RateFit m = RateFit.of(N, v, RandomStreams.stream(6, 2), RateFit.Centre.MEDIAN);
        double[] medians = new double[N.length];
        for (int i = 0; i < N.length; i++) {
            double[] s = v[i].clone();
            java.util.Arrays.sort(s);
            medians[i] = s[10];
        }
        assertEquals(RateFit.ols(N, medians).slope(), m.slope(), 1e-12);
        assertTrue(m.bootLow() < -0.5 && -0.5 < m.bootHigh(), m.toString());
        assertEquals(21, m.replicates());
    }

    @Test
    void nonPositiveMeansAreLeftOut() {
        RateFit f = RateFit.ols(new double[] {10, 100, 1000}, new double[] {1, 0, 0.01});
        assertEquals(2, f.points());
        assertEquals(-1, f.slope(), 1e-12);
        assertTrue(Double.isNaN(f.low()));
    }
    /**
     * The median's bootstrap reads the resample's middle order statistics off counts instead of sorting it: the
     * interval is the sorted resample's to the bit, here against that computation written out (ties, odd and even
     * replicate counts, a size with one replicate, NaN entries left out).
     */
    @Test
    void medianBootstrapIsTheSortedResamplesToTheBit() {
        double[] n = {100, 300, 1000, 3000, 10000, 30000};
        double[][] v = new double[n.length][];
        UniformRandomProvider data = RandomStreams.stream(71, 1);
        for (int i = 0; i < n.length; i++) {
            int m = i == 0 ? 1 : 6 + i;
            v[i] = new double[m + 1];
            for (int j = 0; j < m; j++) {
                // rounded to two digits: many ties
                v[i][j] = Math.round(100 * Math.pow(n[i], -0.5) * (1 + data.nextDouble())) / 100.0 + 1e-3;
            }
            v[i][m] = Double.NaN;
        }
        RateFit fit = RateFit.of(n, v, RandomStreams.stream(72, 1), RateFit.Centre.MEDIAN);
        UniformRandomProvider rng = RandomStreams.stream(72, 1);
        double[][] clean = new double[n.length][];
        for (int i = 0; i < n.length; i++) {
            clean[i] = java.util.Arrays.stream(v[i]).filter(Double::isFinite).toArray();
        }
        double[] slopes = new double[RateFit.BOOTSTRAP];
        int good = 0;
        for (int b = 0; b < RateFit.BOOTSTRAP; b++) {
            double sx = 0;
            double sy = 0;
            double sxx = 0;
            double sxy = 0;
            for (int i = 0; i < n.length; i++) {
                double[] draw = new double[clean[i].length];
                for (int j = 0; j < draw.length; j++) {
                    draw[j] = clean[i][rng.nextInt(draw.length)];
                }
                java.util.Arrays.sort(draw);
                double lx = Math.log(n[i]);
                double ly = Math.log(Stats.quantile(draw, 0.5));
                sx += lx;
                sy += ly;
                sxx += lx * lx;
                sxy += lx * ly;
            }
            int k = n.length;
            slopes[good++] = (sxy - sx * sy / k) / (sxx - sx * sx / k);
        }
        java.util.Arrays.sort(slopes);
        assertEquals(Stats.quantile(slopes, 0.025), fit.bootLow(), 0.0);
        assertEquals(Stats.quantile(slopes, 0.975), fit.bootHigh(), 0.0);
        assertTrue(fit.bootLow() < fit.slope() && fit.slope() < fit.bootHigh(), fit.toString());
    }
}
