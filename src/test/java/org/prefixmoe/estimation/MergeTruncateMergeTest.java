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

    /**
     * Stage 1 (Guha, Ho and Nguyen 2021, Algorithm 1): a split atom's weight is added to the earlier atom
     * of the order, which keeps its own location; a negligible atom is dropped and its weight given
     * to the nearest atom kept.
     */
    @Test
    void mergesSplitAtomsAndDropsNegligibleOnes() {
        // n = 10^4: merging distance 0.174, truncation weight 0.030
        MixingMeasure g = MixingMeasure.builder()
                .atom(new double[] {1.0, 0.6}, Math.log(0.6))
                .atom(new double[] {1.1, 0.6}, Math.log(0.4))          // 0.1 from the first: merged into it
                .atom(new double[] {-0.7, 0.9}, 0.0)
                .atom(new double[] {2.5, -2.0}, Math.log(0.01))        // far, weight 0.01: truncated
                .build();
        MixingMeasure r = MergeTruncateMerge.DEFAULT.apply(g, 10_000);
        assertEquals(2, r.size());
        // the weight 0.01 goes to the atom nearest to it, (1.0, 0.6)
        double w0 = r.weight(0);
        double w1 = r.weight(1);
        int merged = Math.abs(w0 - 1.01) < 1e-12 ? 0 : 1;
        assertEquals(1.01, r.weight(merged), 1e-12);
        assertEquals(1.0, r.weight(1 - merged), 1e-12);
        assertArrayEquals(new double[] {1.0, 0.6}, r.atom(merged), 0.0);
        assertArrayEquals(new double[] {-0.7, 0.9}, r.atom(1 - merged), 0.0);
        assertEquals(w0 + w1, 2.01, 1e-12);
    }

    /** Stage 1 compares an atom with the atoms still kept, heaviest first: a chain is not merged end to end. */
    @Test
    void firstStageComparesWithAtomsStillKept() {
        MixingMeasure g = MixingMeasure.builder()
                .atom(new double[] {0, 0}, 0.0)
                .atom(new double[] {0.15, 0}, Math.log(0.5))    // 0.15 from the heaviest: merged into it
                .atom(new double[] {0.3, 0}, Math.log(0.4))     // 0.15 from the merged one, 0.3 from the heaviest
                .build();
        MixingMeasure r = new MergeTruncateMerge(1, 0).apply(g, 10_000);  // no truncation, no final merge
        assertEquals(2, r.size());
        assertArrayEquals(new double[] {0, 0}, r.atom(0), 0.0);
        assertEquals(1.5, r.weight(0), 1e-12);
        assertArrayEquals(new double[] {0.3, 0}, r.atom(1), 0.0);
        assertEquals(0.4, r.weight(1), 1e-12);
    }

    /** Stage 2: a light atom at a moderate distance, whose weighted cost w d² is small, joins the heavier one. */
    @Test
    void thirdStageMergesCheapTransport() {
        MixingMeasure g = MixingMeasure.builder()
                .atom(new double[] {0, 0}, 0.0)
                .atom(new double[] {0.3, 0}, Math.log(0.1))   // 0.3 > 0.174, weight 0.1 > 0.03, 0.1·0.09 < 0.0303
                .build();
        MixingMeasure one = MergeTruncateMerge.DEFAULT.apply(g, 10_000);
        assertEquals(1, one.size());
        assertArrayEquals(new double[] {0, 0}, one.atom(0), 0.0);   // the kept atom does not move
        assertEquals(1.1, one.weight(0), 1e-12);
        MixingMeasure far = MixingMeasure.builder()
                .atom(new double[] {0, 0}, 0.0)
                .atom(new double[] {1.0, 0}, Math.log(0.1))   // 0.1·1 > 0.0303: kept
                .build();
        assertEquals(2, MergeTruncateMerge.DEFAULT.apply(far, 10_000).size());
    }

    /**
     * The final merge tests the weights left by stage 1, before the truncated atoms' weights are
     * handed out (the paper's steps 5 and 6 in that order).
     */
    @Test
    void finalMergeUsesWeightsBeforeTruncatedMassIsAdded() {
        MixingMeasure g = MixingMeasure.builder()
                .atom(new double[] {0, 0}, 0.0)
                .atom(new double[] {0.5, 0}, Math.log(0.115))    // 0.115·0.25 = 0.02875 <= 0.0303: merged
                .atom(new double[] {0.5, 0.25}, Math.log(0.02))  // truncated; nearest atom is the one above
                .build();
        MixingMeasure r = MergeTruncateMerge.DEFAULT.apply(g, 10_000);
        assertEquals(1, r.size());
        assertArrayEquals(new double[] {0, 0}, r.atom(0), 0.0);
        assertEquals(1.135, r.weight(0), 1e-12);
    }

    /** The final merge compares w d² with the truncation threshold (c ω_n)^2, not with the merging distance squared. */
    @Test
    void finalMergeUsesTheTruncationThreshold() {
        MergeTruncateMerge m = new MergeTruncateMerge(1, 4);   // threshold 4 · 0.0303 = 0.121
        MixingMeasure g = MixingMeasure.builder()
                .atom(new double[] {0, 0}, 0.0)
                .atom(new double[] {0.5, 0}, Math.log(0.2))      // weight 0.2 > 0.121, 0.2·0.25 = 0.05 <= 0.121
                .build();
        assertEquals(1, m.apply(g, 10_000).size());
        MixingMeasure far = MixingMeasure.builder()
                .atom(new double[] {0, 0}, 0.0)
                .atom(new double[] {1.0, 0}, Math.log(0.2))      // 0.2 > 0.121: kept
                .build();
        assertEquals(2, m.apply(far, 10_000).size());
    }

    /** When every atom is below the truncation weight the heaviest is kept (the paper's set A would be empty). */
    @Test
    void keepsTheHeaviestWhenAllAreLight() {
        MixingMeasure g = MixingMeasure.builder()
                .atom(new double[] {0, 0}, Math.log(0.01))
                .atom(new double[] {3, 0}, Math.log(0.02))
                .build();
        MixingMeasure r = MergeTruncateMerge.DEFAULT.apply(g, 10_000);
        assertEquals(1, r.size());
        assertArrayEquals(new double[] {3, 0}, r.atom(0), 0.0);
        assertEquals(0.03, r.weight(0), 1e-12);
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
