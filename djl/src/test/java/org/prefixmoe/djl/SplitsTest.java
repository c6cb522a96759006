package org.prefixmoe.djl;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.prefixmoe.djl.data.ImageSet;
import org.prefixmoe.djl.experiment.AdaptationSplits;

import java.util.HashSet;
import java.util.List;
import java.util.Set;

/** The validation hold-out is disjoint from every seed's training subset (synthetic pool, no dataset). */
class SplitsTest {

    /** A pool whose single pixel stores the image's own index, so subsets can be traced back. */
    private static ImageSet pool(int n) {
        float[] px = new float[n];
        int[] lb = new int[n];
        for (int i = 0; i < n; i++) {
            px[i] = i;
            lb[i] = i % 5;
        }
        return new ImageSet(px, lb, 1);
    }

    @Test
    void validationIsDisjointFromEveryTrainingSubset() {
        ImageSet pool = pool(600);
        List<Long> seeds = List.of(1L, 2L, 3L, 4L, 5L);
        AdaptationSplits s = AdaptationSplits.draw(pool, 100, 200, seeds);
        Set<Integer> val = new HashSet<>();
        for (int i : s.validation()) {
            assertTrue(val.add(i), "validation index drawn twice");
        }
        assertEquals(100, val.size());
        for (long seed : seeds) {
            int[] tr = s.train().get(seed);
            assertEquals(200, tr.length);
            Set<Integer> seen = new HashSet<>();
            for (int i : tr) {
                assertFalse(val.contains(i), "seed " + seed + ": training image " + i + " is in the validation set");
                assertTrue(seen.add(i), "training index drawn twice");
            }
            // The materialized images are the ones indexed (pixel = original index).
            ImageSet sub = pool.subset(tr);
            for (int k = 0; k < tr.length; k++) {
                assertEquals(tr[k], (int) sub.pixels()[k]);
                assertEquals(tr[k] % 5, sub.labels()[k]);
            }
        }
        // Seeds get different subsets; the validation set does not depend on the seeds asked for.
        assertFalse(java.util.Arrays.equals(s.train().get(1L), s.train().get(2L)));
        assertArrayEquals(s.validation(), AdaptationSplits.draw(pool, 100, 200, List.of(7L)).validation());
    }

    @Test
    void withoutHoldOutTheSubsetIsTheOldSample() {
        ImageSet pool = pool(300);
        int[] idx = pool.sampleIndices(50, 778L, null);
        ImageSet old = pool.sample(50, 778L);
        for (int k = 0; k < idx.length; k++) {
            assertEquals(old.pixels()[k], pool.subset(idx).pixels()[k]);
        }
        // Excluding images replaces only those: the rest of the old subset is kept.
        boolean[] ex = new boolean[300];
        ex[idx[0]] = true;
        ex[idx[1]] = true;
        Set<Integer> after = new HashSet<>();
        for (int i : pool.sampleIndices(50, 778L, ex)) {
            after.add(i);
        }
        assertEquals(50, after.size());
        for (int k = 2; k < idx.length; k++) {
            assertTrue(after.contains(idx[k]));
        }
        assertFalse(after.contains(idx[0]) || after.contains(idx[1]));
    }
}
