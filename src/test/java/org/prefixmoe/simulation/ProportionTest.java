package org.prefixmoe.simulation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class ProportionTest {
    // Wilson: (p + z²/2n ± z sqrt(p(1-p)/n + z²/4n²)) / (1 + z²/n), z = 1.959964.
    @Test
    void wilsonIntervalOnHandComputedCases() {
        Proportion half = Proportion.wilson(5, 10);
        assertEquals(0.5, half.estimate(), 0);
        assertEquals(0.236593, half.low(), 1e-6);
        assertEquals(0.763407, half.high(), 1e-6);

        // k = 0: [0, z²/(n + z²)]; k = n: its mirror image.
        Proportion none = Proportion.wilson(0, 40);
        assertEquals(0, none.low(), 0);
        assertEquals(3.841459 / 43.841459, none.high(), 1e-6);
        Proportion all = Proportion.wilson(40, 40);
        assertEquals(1 - 3.841459 / 43.841459, all.low(), 1e-6);
        assertEquals(1, all.high(), 0);

        Proportion p = Proportion.wilson(12, 40);
        assertEquals(0.3, p.estimate(), 1e-15);
        assertEquals(0.180748, p.low(), 1e-6);
        assertEquals(0.454300, p.high(), 1e-6);
        assertTrue(p.low() < p.estimate() && p.estimate() < p.high());
    }

    @Test
    void noTrialsGiveNoEstimateAndBadCountsAreRefused() {
        assertTrue(Double.isNaN(Proportion.wilson(0, 0).estimate()));
        assertThrows(IllegalArgumentException.class, () -> Proportion.wilson(5, 4));
    }
}
