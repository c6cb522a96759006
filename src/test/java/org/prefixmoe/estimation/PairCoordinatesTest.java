package org.prefixmoe.estimation;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** {@code lm-pair}'s moment coordinates (issue 23): the map, its inverse, its Jacobian and what it holds fixed. */
class PairCoordinatesTest {
    // Three atoms of dimension 2 with biases: atoms 0 and 2 are the closest pair.
    private static final double[] X = {1.03, 0.62, Math.log(0.39), -0.70, 0.90, 0.0, 0.99, 0.58, Math.log(0.61)};
    private static final double[] LO = filled(-3);
    private static final double[] HI = filled(3);

    private static double[] filled(double v) {
        double[] a = new double[9];
        Arrays.fill(a, v);
        return a;
    }

    /** Fills a with BᵀB (B a random 9 × 9 Gaussian matrix, so positive definite) and g with a random vector. */
    private static void randomNormalEquations(java.util.Random rng, double[] a, double[] g) {
        double[] b = new double[81];
        for (int k = 0; k < 81; k++) {
            b[k] = rng.nextGaussian();
        }
        for (int r = 0; r < 9; r++) {
            g[r] = rng.nextGaussian();
            for (int c = 0; c < 9; c++) {
                for (int k = 0; k < 9; k++) {
                    a[r * 9 + c] += b[k * 9 + r] * b[k * 9 + c];
                }
            }
        }
    }

    @Test
    void momentCoordinatesByHandAndBack() {
        PairCoordinates pc = new PairCoordinates(3, 2);
        assertTrue(pc.prepare(X, LO, HI));
        double[] z = pc.point().clone();
        double pi = 0.39;   // e^{b_0} / (e^{b_0} + e^{b_2})
        assertEquals(pi * 1.03 + (1 - pi) * 0.99, z[0], 1e-14);
        assertEquals(pi * 0.62 + (1 - pi) * 0.58, z[1], 1e-14);
        assertEquals(0.0, z[2], 1e-14);   // log(0.39 + 0.61)
        assertEquals(Math.sqrt(pi * (1 - pi)) * 0.04, z[6], 1e-14);
        assertEquals(Math.sqrt(pi * (1 - pi)) * 0.04, z[7], 1e-14);
        assertEquals(Math.log(0.39 / 0.61), z[8], 1e-14);
        assertArrayEquals(new double[] {-0.70, 0.90, 0.0}, Arrays.copyOfRange(z, 3, 6), 0.0);
        double[] back = new double[9];
        pc.back(z, back);
        assertArrayEquals(X, back, 1e-14);
    }

    /** Moving u alone keeps the pair's total weight, centre and second moment; the other atom does not move. */
    @Test
    void theWeightFractionMovesAtFixedMoments() {
        PairCoordinates pc = new PairCoordinates(3, 2);
        assertTrue(pc.prepare(X, LO, HI));
        double[] z = pc.point().clone();
        z[8] -= 1.0;
        double[] x = new double[9];
        pc.back(z, x);
        double wi = Math.exp(x[2]);
        double wj = Math.exp(x[8]);
        assertEquals(1.0, wi + wj, 1e-14);
        for (int k = 0; k < 2; k++) {
            double c0 = 0.39 * X[k] + 0.61 * X[6 + k];
            double m0 = 0.39 * 0.61 * (X[k] - X[6 + k]) * (X[k] - X[6 + k]);
            assertEquals(c0, (wi * x[k] + wj * x[6 + k]) / (wi + wj), 1e-14);
            assertEquals(m0, wi * wj * (x[k] - x[6 + k]) * (x[k] - x[6 + k]), 1e-14);
        }
        assertArrayEquals(Arrays.copyOfRange(X, 3, 6), Arrays.copyOfRange(x, 3, 6), 0.0);
        assertTrue(wi < 0.39 - 0.1, "weight moved: " + wi);
    }

    /** MᵀAM and Mᵀg predict, for a small step in moment coordinates, what A and g predict for the step it maps to. */
    @Test
    void carriedNormalEquationsAgreeWithTheOriginalOnesToFirstOrder() {
        PairCoordinates pc = new PairCoordinates(3, 2);
        assertTrue(pc.prepare(X, LO, HI));
        java.util.Random rng = new java.util.Random(7);
        double[] a = new double[81];
        double[] g = new double[9];
        randomNormalEquations(rng, a, g);
        double[] aZ = new double[81];
        double[] gZ = new double[9];
        pc.carry(a, g, aZ, gZ, new double[81]);
        double[] z = pc.point().clone();
        double[] zStep = z.clone();
        for (int c = 0; c < 9; c++) {
            zStep[c] += 1e-5 * rng.nextGaussian();
        }
        double[] x1 = new double[9];
        pc.back(zStep, x1);
        double inZ = LeastSquaresEstimator.predictedReduction(aZ, gZ, z, zStep, 9);
        double inX = LeastSquaresEstimator.predictedReduction(a, g, X, x1, 9);
        assertEquals(inX, inZ, 1e-3 * Math.abs(inX));
    }

    /**
     * lm-pair-b's restricted step: with atom 2's first coordinate held, the step in moment coordinates leaves that
     * coordinate where it is to first order, and solves the damped normal equations on the null space (checked
     * against the projected gradient: the step is a descent direction).
     */
    @Test
    void theRestrictedStepKeepsHeldCoordinatesToFirstOrder() {
        double[] lo = LO.clone();
        lo[6] = X[6];
        PairCoordinates pc = new PairCoordinates(3, 2);
        assertTrue(pc.prepare(X, lo, HI, true));
        java.util.Random rng = new java.util.Random(11);
        double[] a = new double[81];
        double[] g = new double[9];
        randomNormalEquations(rng, a, g);
        double[] aZ = new double[81];
        double[] gZ = new double[9];
        pc.carry(a, g, aZ, gZ, new double[81]);
        boolean[] held = new boolean[9];
        held[6] = true;
        HeldMomentStep hs = HeldMomentStep.of(pc.jacobian(), held, aZ, gZ);
        double[] step = new double[9];
        assertTrue(hs.solve(1e-3, 1e-12, step));
        double moved = 0;
        double descent = 0;
        for (int c = 0; c < 9; c++) {
            moved += pc.jacobian()[6 * 9 + c] * step[c];
            descent += gZ[c] * step[c];
        }
        assertEquals(0.0, moved, 1e-12);
        assertTrue(descent < 0, "descent " + descent);
        assertEquals(null, HeldMomentStep.of(pc.jacobian(), new boolean[9], aZ, gZ));
    }

    @Test
    void notUsedOnABoundOrForOneAtom() {
        double[] lo = LO.clone();
        lo[6] = X[6];
        assertFalse(new PairCoordinates(3, 2).prepare(X, lo, HI));
        assertFalse(new PairCoordinates(1, 2).prepare(Arrays.copyOf(X, 3), Arrays.copyOf(LO, 3), Arrays.copyOf(HI, 3)));
    }

    @Test
    void isNamed() {
        Crawls.assertNamed(LeastSquaresEstimator.Method.LM_PAIR, "lm-pair", 12);
        Crawls.assertNamed(LeastSquaresEstimator.Method.TRF_PAIR, "trf-pair", 13);
        Crawls.assertNamed(LeastSquaresEstimator.Method.TRF_PAIR2, "trf-pair2", 14);
        Crawls.assertNamed(LeastSquaresEstimator.Method.LM_PAIR_B, "lm-pair-b", 15);
        Crawls.assertNamed(LeastSquaresEstimator.Method.TRF_PAIR_B, "trf-pair-b", 16);
        Crawls.assertNamed(LeastSquaresEstimator.Method.LM_PAIR_C, "lm-pair-c", 17);
        Crawls.assertNamed(LeastSquaresEstimator.Method.TRF_PAIR_C, "trf-pair-c", 18);
    }

    /**
     * What the method is for, on the over-specified shared-linear fits on which {@code lm} crawls for 100 iterations
     * or more (seeds 3301–3340, n = 800: five fits): {@code lm-pair} converges on every one with less than half of
     * {@code lm}'s passes in total. Where it ends is not asserted: on these five it reaches the better of the two
     * optima three times, finishes one crawl {@code lm} left 4.2e-4 above, and ends once in another basin, 1.2e-3
     * above (docs/solver-flat-sets.md measures both on larger samples).
     */
    @Test
    void convergesOnCrawlsWithFewerPasses() {
        java.util.List<Crawls.Crawl> crawls = Crawls.sharedLinear(3301, 3341);
        assertTrue(crawls.size() >= 4, "crawls: " + crawls.size());
        long passesLm = 0;
        long passesPair = 0;
        for (Crawls.Crawl c : crawls) {
            FitResult pair = Crawls.fit(LeastSquaresEstimator.Method.LM_PAIR, c.problem(), c.start());
            assertTrue(pair.converged(), "seed " + c.seed() + ": " + pair.stopReason().label());
            passesLm += c.lm().evaluations();
            passesPair += pair.evaluations();
        }
        assertTrue(2 * passesPair < passesLm, passesPair + " passes against " + passesLm);
    }
}
