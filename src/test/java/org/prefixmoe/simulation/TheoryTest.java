package org.prefixmoe.simulation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.prefixmoe.simulation.Theory.Basis;

class TheoryTest {
    private static void expect(double slope, Basis basis, Theory t) {
        assertEquals(basis, t.basis(), t.toString());
        if (basis == Basis.NONE) {
            assertTrue(Double.isNaN(t.slope()), t.toString());
            assertFalse(t.hasSlope());
        } else {
            assertEquals(slope, t.slope(), 1e-15, t.toString());
            assertTrue(t.hasSlope());
        }
    }

    @Test
    void overSpecifiedSharedMapsUnderLeastSquaresAreTheorems() {
        for (String p : new String[] {"shared-linear", "shared-nonlinear"}) {
            expect(-0.5, Basis.THEORY, Theory.of("least-squares", p, true, "d1", 2));
            expect(-0.5, Basis.THEORY, Theory.of("least-squares", p, true, "regression", 2));
            expect(-0.5, Basis.THEORY, Theory.of("least-squares", p, true, "single", 2));
            expect(-0.25, Basis.THEORY, Theory.of("least-squares", p, true, "multi_weighted", 2));
            expect(Double.NaN, Basis.NONE, Theory.of("least-squares", p, true, "multi", 2));
        }
    }

    @Test
    void d2DependsOnR() {
        // -min(1/2, r/4) for over-specified shared maps.
        expect(-0.25, Basis.THEORY, Theory.of("least-squares", "shared-linear", true, "d2", 1));
        expect(-0.5, Basis.THEORY, Theory.of("least-squares", "shared-linear", true, "d2", 2));
        expect(-0.5, Basis.THEORY, Theory.of("least-squares", "shared-linear", true, "d2", 3));
        expect(-0.375, Basis.THEORY, Theory.of("least-squares", "shared-nonlinear", true, "d2", 1.5));
        assertEquals("-3/8", Theory.of("least-squares", "shared-nonlinear", true, "d2", 1.5).text());
        // Exact-specified: every atom at n^{-1/2}, so -min(1/2, r/2).
        expect(-0.5, Basis.THEORY, Theory.of("least-squares", "non-shared", false, "d2", 1));
        expect(-0.25, Basis.THEORY, Theory.of("least-squares", "shared-linear", false, "d2", 0.5));
    }

    @Test
    void overSpecifiedNonSharedPredictsNoRateExceptForTheRegressionFunction() {
        for (String m : new String[] {"d1", "d2", "single", "multi_weighted", "multi"}) {
            expect(Double.NaN, Basis.NONE, Theory.of("least-squares", "non-shared", true, m, 2));
        }
        expect(-0.5, Basis.THEORY, Theory.of("least-squares", "non-shared", true, "regression", 2));
        expect(Double.NaN, Basis.NONE, Theory.of("em", "non-shared", true, "d1", 2));
    }

    @Test
    void exactSpecifiedIsOneHalfForAll() {
        for (String p : new String[] {"shared-linear", "shared-nonlinear", "non-shared"}) {
            for (String m : new String[] {"d1", "d2", "regression", "single"}) {
                expect(-0.5, Basis.THEORY, Theory.of("least-squares", p, false, m, 2));
            }
        }
        expect(-0.5, Basis.EXTRAPOLATED, Theory.of("least-squares", "shared-mlp", false, "d1", 2));
    }

    @Test
    void emSharedMlpAndPromptTuningAreExtrapolated() {
        expect(-0.5, Basis.EXTRAPOLATED, Theory.of("em", "shared-linear", true, "d1", 2));
        expect(-0.25, Basis.EXTRAPOLATED, Theory.of("em", "shared-nonlinear", true, "multi_weighted", 2));
        expect(-0.5, Basis.EXTRAPOLATED, Theory.of("least-squares", "shared-mlp", true, "d1", 2));
        expect(-0.5, Basis.EXTRAPOLATED, Theory.of("least-squares", "prompt-tuning", true, "single", 2));
        expect(-0.25, Basis.EXTRAPOLATED, Theory.of("least-squares", "prompt-tuning", true, "d2", 1));
        assertEquals("-1/2 (extrapolated)", Theory.of("em", "shared-linear", true, "d1", 2).describe());
        assertEquals("-1/2 (theory)", Theory.of("least-squares", "shared-linear", true, "d1", 2).describe());
    }
}
