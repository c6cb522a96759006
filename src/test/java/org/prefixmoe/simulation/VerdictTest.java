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
    void equivalenceWithinTheMarginDecides() {
        // Inside -1/2 ± 0.1: agrees (also when the interval excludes -1/2 itself).
        assertEquals(Verdict.Kind.AGREES, kind(fit(-0.52, -0.56, -0.47, -0.57, -0.46, 10, 40)));
        assertEquals(Verdict.Kind.AGREES, kind(fit(-0.45, -0.47, -0.43, -0.48, -0.42, 10, 40)));
        // Containing -1/2 but reaching past the margin: cannot tell (the old rule said agrees).
        Verdict wide = Verdict.of(HALF, fit(-0.559, -0.72, -0.39, -0.724, -0.388, 4, 40));
        assertEquals(Verdict.Kind.CANNOT_TELL, wide.kind());
        assertTrue(wide.text().startsWith("cannot tell ([-0.724, -0.388] not inside -1/2 ± 0.1"), wide.text());
        // Beyond the margin on one side: steeper / flatter.
        assertEquals(Verdict.Kind.STEEPER, kind(fit(-0.70, -0.75, -0.65, -0.76, -0.64, 10, 40)));
        assertEquals(Verdict.Kind.FLATTER, kind(fit(-0.30, -0.36, -0.25, -0.35, -0.26, 10, 40)));
        assertEquals("flatter than theory", Verdict.of(HALF, fit(-0.30, -0.36, -0.25, -0.35, -0.26, 10, 40)).text());
        // Excluding -1/2 but not beyond the margin: cannot tell.
        assertEquals(Verdict.Kind.CANNOT_TELL, kind(fit(-0.39, -0.46, -0.33, -0.45, -0.34, 10, 40)));
        // A wider margin changes it.
        assertEquals(Verdict.Kind.AGREES, Verdict.of(HALF, fit(-0.39, -0.46, -0.33, -0.45, -0.34, 10, 40),
                Double.NaN, Double.NaN, 0.2).kind());
    }

    @Test
    void theLogFactorFormCanAgreeWhereThePlainSlopeCannot() {
        RateFit plain = fit(-0.43, -0.47, -0.39, -0.46, -0.38, 10, 40);
        assertEquals(Verdict.Kind.AGREES_LOG, Verdict.of(HALF, plain, -0.52, -0.43, 0.1).kind());
        assertEquals("agrees up to a log factor", Verdict.of(HALF, plain, -0.52, -0.43, 0.1).text());
        // Flatter only when both forms lie beyond the margin.
        RateFit flat = fit(-0.30, -0.36, -0.25, -0.35, -0.26, 10, 40);
        assertEquals(Verdict.Kind.FLATTER, Verdict.of(HALF, flat, -0.38, -0.30, 0.1).kind());
        assertEquals(Verdict.Kind.CANNOT_TELL, Verdict.of(HALF, flat, -0.42, -0.31, 0.1).kind());
    }

    @Test
    void aVerdictThatBootstrapSeedsChangeIsAKnifeEdge() {
        RateFit plain = fit(-0.5, -0.6, -0.4, -0.595, -0.405, 10, 40);
        double[][] seeds = {{-0.59, -0.41, -0.7, -0.3}, {-0.61, -0.41, -0.7, -0.3}, {-0.59, -0.41, -0.7, -0.3},
            {-0.59, -0.41, -0.7, -0.3}, {-0.61, -0.40, -0.7, -0.3}};
        RateEvidence ev = new RateEvidence(new RateEvidence.Slope(-0.5, -0.7, -0.3), null, null, 1, 8, 0.5, 0.1,
                0.1, seeds);
        Verdict v = Verdict.of(HALF, plain, ev, 0.1);
        assertEquals(Verdict.Kind.AGREES, v.kind());
        assertTrue(v.knifeEdge());
        assertEquals("knife edge: agrees 4/6, cannot tell 2/6 bootstrap seeds", v.text());
        double[][] same = {{-0.59, -0.41, -0.7, -0.3}, {-0.59, -0.41, -0.7, -0.3}, {-0.59, -0.41, -0.7, -0.3},
            {-0.59, -0.41, -0.7, -0.3}, {-0.59, -0.41, -0.7, -0.3}};
        Verdict steady = Verdict.of(HALF, plain, new RateEvidence(new RateEvidence.Slope(-0.5, -0.7, -0.3), null,
                null, 1, 8, 0.5, 0.1, 0.1, same), 0.1);
        assertEquals("agrees", steady.text());
    }

    @Test
    void tooFewFitsToTell() {
        Verdict fewReplicates = Verdict.of(HALF, fit(-0.5, -0.6, -0.4, -0.6, -0.4, 10, 9));
        assertEquals(Verdict.Kind.TOO_FEW, fewReplicates.kind());
        assertTrue(fewReplicates.text().startsWith("too few fits to tell"), fewReplicates.text());
        assertEquals(Verdict.Kind.AGREES, kind(fit(-0.5, -0.6, -0.4, -0.6, -0.4, 10, 10)));
        assertEquals(Verdict.Kind.TOO_FEW, kind(fit(-0.5, -0.6, -0.4, -0.6, -0.4, 3, 40)));
        assertEquals(Verdict.Kind.AGREES, kind(fit(-0.5, -0.6, -0.4, -0.6, -0.4, 4, 40)));
        // Wide intervals are no longer "too few": they cannot establish equivalence.
        assertEquals(Verdict.Kind.CANNOT_TELL, kind(fit(-0.3, -0.6, 0.05, -0.62, 0.02, 10, 40)));
        assertEquals(Verdict.Kind.TOO_FEW, kind(fit(-0.5, -0.6, -0.4, Double.NaN, Double.NaN, 10, 40)));
    }

    @Test
    void noRatePredictedWhateverTheFit() {
        Theory none = Theory.of("least-squares", "non-shared", true, "d1", 2);
        assertEquals(Verdict.Kind.NO_RATE, Verdict.of(none, fit(-0.5, -0.6, -0.4, -0.6, -0.4, 10, 40)).kind());
    }
}
