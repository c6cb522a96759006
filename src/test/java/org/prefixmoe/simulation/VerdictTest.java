package org.prefixmoe.simulation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class VerdictTest {
    private static final Theory HALF = new Theory(-0.5, "-1/2", Theory.Basis.THEORY);

    /** A fit with slope, t interval, bootstrap interval, sizes and replicates. */
    private static RateFit fit(double slope, double tLow, double tHigh, double bLow, double bHigh, int sizes,
                               int replicates) {
        return new RateFit(slope, 0, Double.NaN, tLow, tHigh, bLow, bHigh, sizes, replicates);
    }

    private static Verdict.Kind kind(RateFit f) {
        return Verdict.of(HALF, f).kind();
    }

    @Test
    void theBootstrapIntervalDecides() {
        assertEquals(Verdict.Kind.AGREES, kind(fit(-0.52, -0.56, -0.47, -0.57, -0.46, 10, 40)));
        // Theory above the whole interval: the loss falls faster than predicted.
        assertEquals(Verdict.Kind.STEEPER, kind(fit(-0.60, -0.65, -0.55, -0.66, -0.54, 10, 40)));
        assertEquals(Verdict.Kind.FLATTER, kind(fit(-0.39, -0.46, -0.33, -0.45, -0.34, 10, 40)));
        assertEquals("flatter than theory", Verdict.of(HALF, fit(-0.39, -0.46, -0.33, -0.45, -0.34, 10, 40)).text());
    }

    @Test
    void theTIntervalNeverDecides() {
        // t interval covers -1/2, bootstrap does not: flatter, not "agrees" (the old OR rule said agrees).
        assertEquals(Verdict.Kind.FLATTER, kind(fit(-0.42, -0.55, -0.29, -0.48, -0.36, 10, 40)));
        // Bootstrap covers, t does not: agrees.
        assertEquals(Verdict.Kind.AGREES, kind(fit(-0.45, -0.49, -0.41, -0.52, -0.38, 10, 40)));
    }

    @Test
    void tooFewFitsToTell() {
        Verdict fewReplicates = Verdict.of(HALF, fit(-0.5, -0.6, -0.4, -0.6, -0.4, 10, 9));
        assertEquals(Verdict.Kind.TOO_FEW, fewReplicates.kind());
        assertTrue(fewReplicates.text().startsWith("too few fits to tell"), fewReplicates.text());
        assertEquals(Verdict.Kind.AGREES, kind(fit(-0.5, -0.6, -0.4, -0.6, -0.4, 10, 10)));
        assertEquals(Verdict.Kind.TOO_FEW, kind(fit(-0.5, -0.6, -0.4, -0.6, -0.4, 3, 40)));
        assertEquals(Verdict.Kind.AGREES, kind(fit(-0.5, -0.6, -0.4, -0.6, -0.4, 4, 40)));
        // Wider than 0.5 (even though it contains the theory and 0): no verdict.
        assertEquals(Verdict.Kind.TOO_FEW, kind(fit(-0.3, -0.6, 0.05, -0.62, 0.02, 10, 40)));
        assertEquals(Verdict.Kind.AGREES, kind(fit(-0.3, -0.6, -0.1, -0.55, -0.05, 10, 40)));
        assertEquals(Verdict.Kind.TOO_FEW, kind(fit(-0.5, -0.6, -0.4, Double.NaN, Double.NaN, 10, 40)));
    }

    @Test
    void noRatePredictedWhateverTheFit() {
        Theory none = Theory.of("least-squares", "non-shared", true, "d1", 2);
        assertEquals(Verdict.Kind.NO_RATE, Verdict.of(none, fit(-0.5, -0.6, -0.4, -0.6, -0.4, 10, 40)).kind());
    }
}
