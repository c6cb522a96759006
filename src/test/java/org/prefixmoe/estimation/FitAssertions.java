package org.prefixmoe.estimation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;

/** Assertions shared by the tests of the optional least-squares methods and settings. */
final class FitAssertions {
    private FitAssertions() {
    }

    /**
     * The other fit converged to the reference's optimum (objective within 1e-9 relative, every
     * coordinate within 1e-4) by another path (not bit for bit the same estimate).
     *
     * @param ref the reference fit
     * @param other the fit of the method or setting under test
     * @param what what the other fit is, for the message
     */
    static void sameOptimumByAnotherPath(FitResult ref, FitResult other, String what) {
        assertTrue(other.converged(), other.stopReason().label());
        assertEquals(ref.objective(), other.objective(), 1e-9 * ref.objective());
        double[] a = ref.estimate().pack();
        double[] b = other.estimate().pack();
        for (int c = 0; c < a.length; c++) {
            assertEquals(a[c], b[c], 1e-4, "coordinate " + c);
        }
        assertFalse(Arrays.equals(a, b), what + " took the reference's path bit for bit");
    }
}
