package org.prefixmoe.simulation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.apache.commons.rng.UniformRandomProvider;
import org.junit.jupiter.api.Test;
import org.prefixmoe.sampling.RandomStreams;

class RateEvidenceTest {
    private static final double[] N = {1e3, 1668, 2783, 4642, 7743, 12915, 21544, 35938, 59948, 1e5};

    /** Replicates at each n: mean(n) times a log-normal-ish factor of spread {@code spread}. */
    private static double[][] replicates(java.util.function.DoubleUnaryOperator mean, double spread, long seed) {
        UniformRandomProvider rng = RandomStreams.stream(seed, 1);
        double[][] v = new double[N.length][40];
        for (int i = 0; i < N.length; i++) {
            for (int j = 0; j < 40; j++) {
                double z = Math.sqrt(-2 * Math.log(1 - rng.nextDouble())) * Math.cos(2 * Math.PI * rng.nextDouble());
                v[i][j] = mean.applyAsDouble(N[i]) * Math.exp(spread * z - spread * spread / 2);
            }
        }
        return v;
    }

    private static RateEvidence of(double[][] v) {
        return RateEvidence.of(N, v, j -> RandomStreams.stream(77, j));
    }

    @Test
    void theLogFactorSlopeRecoversAnOTildeCurveExactly() {
        // Without noise: C (log n / n)^{1/2} has slope exactly -1/2 on log(n / log n).
        double[][] v = new double[N.length][];
        for (int i = 0; i < N.length; i++) {
            double m = 3 * Math.sqrt(Math.log(N[i]) / N[i]);
            v[i] = new double[] {m, m};
        }
        RateEvidence e = of(v);
        assertEquals(-0.5, e.logFactor().value(), 1e-12);
        // On log n the same curve looks flatter by about 1/(2 log n).
        RateFit plain = RateFit.ols(N, java.util.Arrays.stream(v).mapToDouble(x -> x[0]).toArray());
        assertTrue(plain.slope() > -0.46 && plain.slope() < -0.44, "plain slope " + plain.slope());
        // The two-term fit recovers b = -1/2, c = 1/2 exactly.
        assertEquals(-0.5, e.logLogB().value(), 1e-9);
        assertEquals(0.5, e.logLogC().value(), 1e-9);
    }

    @Test
    void twoTermMatchesAHandSolvedSystem() {
        double[] x = {0, 1, 2, 3};
        double[] z = {0, 1, 0, 1};
        double[] y = new double[4];
        for (int i = 0; i < 4; i++) {
            y[i] = 2 - 0.7 * x[i] + 0.3 * z[i];
        }
        double[] bc = RateEvidence.twoTerm(x, z, y);
        assertEquals(-0.7, bc[0], 1e-12);
        assertEquals(0.3, bc[1], 1e-12);
    }

    @Test
    void lackOfFitFlagsACurvedMeanAndNotAStraightOne() {
        RateEvidence straight = of(replicates(n -> Math.pow(n, -0.5), 0.3, 1));
        assertFalse(straight.lacksFit(), "p = " + straight.lackOfFitP());
        assertEquals(8, straight.degreesOfFreedom());
        // A kink at n = 10^4: flat before, -1 after.
        RateEvidence kinked = of(replicates(n -> n < 1e4 ? 1e-2 : 1e-2 * 1e4 / n, 0.3, 1));
        assertTrue(kinked.lacksFit(), "p = " + kinked.lackOfFitP());
        assertTrue(kinked.rmsResidual() > 3 * kinked.rmsReplicateError());
    }

    @Test
    void intervalsCoverTheTruthAndSeedsGiveFiveMore() {
        RateEvidence e = of(replicates(n -> Math.pow(n / Math.log(n), -0.5), 0.3, 2));
        assertTrue(e.logFactor().low() < -0.5 && e.logFactor().high() > -0.5, e.logFactor().toString());
        assertEquals(RateEvidence.SEEDS, e.seedIntervals().length);
        for (double[] s : e.seedIntervals()) {
            assertTrue(s[0] < s[1] && s[2] < s[3]);
        }
    }
}
