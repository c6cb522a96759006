package org.prefixmoe.estimation;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;
import org.prefixmoe.model.MixingMeasure;

class MergeTruncateMergeTest {

    @Test
    void thresholdsShrinkWithN() {
        MergeTruncateMerge m = MergeTruncateMerge.DEFAULT;
        assertEquals(Math.pow(Math.log(10_000) / 10_000, 0.25), m.distance(10_000), 1e-15);
        assertEquals(Math.pow(Math.log(10_000) / 10_000, 0.5), m.weight(10_000), 1e-15);
        assertEquals(2 * m.distance(1000), new MergeTruncateMerge(2, 1).distance(1000), 1e-15);
        assertThrows(IllegalArgumentException.class, () -> new MergeTruncateMerge(0, 1));
        assertThrows(IllegalArgumentException.class, () -> new MergeTruncateMerge(1, -1));
    }

    /** A split atom is merged (weights added, location the weighted mean); a negligible atom is dropped. */
    @Test
    void mergesSplitAtomsAndDropsNegligibleOnes() {
        // n = 10^4: merging distance 0.174, truncation weight 0.030
        MixingMeasure g = MixingMeasure.builder()
                .atom(new double[] {1.0, 0.6}, Math.log(0.6))
                .atom(new double[] {1.1, 0.6}, Math.log(0.4))          // 0.1 from the first: merged
                .atom(new double[] {-0.7, 0.9}, 0.0)
                .atom(new double[] {2.5, -2.0}, Math.log(0.01))        // far, weight 0.01: truncated
                .build();
        MixingMeasure r = MergeTruncateMerge.DEFAULT.apply(g, 10_000);
        assertEquals(2, r.size());
        // the weight 0.01 goes to the atom nearest to it, (1.04, 0.6)
        double w0 = r.weight(0);
        double w1 = r.weight(1);
        int merged = Math.abs(w0 - 1.01) < 1e-12 ? 0 : 1;
        assertEquals(1.01, r.weight(merged), 1e-12);
        assertEquals(1.0, r.weight(1 - merged), 1e-12);
        assertArrayEquals(new double[] {1.04, 0.6}, r.atom(merged), 1e-12);
        assertEquals(w0 + w1, 2.01, 1e-12);
    }

    /** Stage 3: a light atom at a moderate distance, whose weighted cost w d² is small, joins the heavier one. */
    @Test
    void thirdStageMergesCheapTransport() {
        MixingMeasure g = MixingMeasure.builder()
                .atom(new double[] {0, 0}, 0.0)
                .atom(new double[] {0.3, 0}, Math.log(0.1))   // 0.3 > 0.174, weight 0.1 > 0.03, 0.1·0.09 < 0.0303
                .build();
        assertEquals(1, MergeTruncateMerge.DEFAULT.apply(g, 10_000).size());
        MixingMeasure far = MixingMeasure.builder()
                .atom(new double[] {0, 0}, 0.0)
                .atom(new double[] {1.0, 0}, Math.log(0.1))   // 0.1·1 > 0.0303: kept
                .build();
        assertEquals(2, MergeTruncateMerge.DEFAULT.apply(far, 10_000).size());
    }

    @Test
    void withoutBiasesOnlyMerges() {
        MixingMeasure g = MixingMeasure.builder().atom(new double[] {0, 0}).atom(new double[] {0.05, 0})
                .atom(new double[] {2, 2}).build();
        MixingMeasure r = MergeTruncateMerge.DEFAULT.apply(g, 10_000);
        assertEquals(2, r.size());
        assertEquals(false, r.hasBias());
    }
}
