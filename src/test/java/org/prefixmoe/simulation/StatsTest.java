package org.prefixmoe.simulation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class StatsTest {
    @Test
    void errorBarsUseTheTQuantileOfTheReplicateCount() {
        // 4 values: mean 2.5, sd sqrt(5/3); t_{0.975, 3} = 3.182446.
        Stats s = Stats.of(new double[] {1, 2, 3, 4});
        assertEquals(2.5, s.mean(), 1e-15);
        assertEquals(3.182446305 * Math.sqrt(5.0 / 3) / 2, s.meanHalfWidth95(), 1e-8);
        // 40 values: t_{0.975, 39} = 2.022691, wider than the normal 1.96.
        double[] v = new double[40];
        for (int i = 0; i < v.length; i++) {
            v[i] = i % 2;
        }
        Stats forty = Stats.of(v);
        assertEquals(2.022690901 * forty.sd() / Math.sqrt(40), forty.meanHalfWidth95(), 1e-8);
        assertTrue(Double.isNaN(Stats.of(new double[] {1}).meanHalfWidth95()));
    }
}
