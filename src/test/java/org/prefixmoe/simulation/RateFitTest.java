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
}
