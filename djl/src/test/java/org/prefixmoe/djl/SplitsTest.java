package org.prefixmoe.djl;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.prefixmoe.djl.data.ImageSet;
import org.prefixmoe.djl.experiment.AdaptationSplits;

import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;

/** Class-balanced, nested training subsets disjoint from the validation set (synthetic pool, no dataset). */
class SplitsTest {

    /** A pool whose single pixel stores the image's own index, so subsets can be traced back. */
    private static ImageSet pool(int n) {
        float[] px = new float[n];
        int[] lb = new int[n];
        for (int i = 0; i < n; i++) {
            px[i] = i;
            lb[i] = (i * 7) % 5;
        }
        return new ImageSet(px, lb, 1);
    }

    private static int[] perClass(ImageSet pool, int[] idx) {
        int[] c = new int[5];
        for (int i : idx) {
            c[pool.labels()[i]]++;
        }
        return c;
    }

    @Test
    void validationIsBalancedAndDisjointFromEveryTrainingSubset() {
        ImageSet pool = pool(600);
        int[] val = AdaptationSplits.validation(pool, 20);
        assertArrayEquals(new int[] {20, 20, 20, 20, 20}, perClass(pool, val));
        Set<Integer> v = new HashSet<>();
        for (int i : val) {
            assertTrue(v.add(i), "validation index drawn twice");
        }
        for (long seed = 1; seed <= 5; seed++) {
            int[] tr = AdaptationSplits.training(pool, 25, seed, val);
            assertArrayEquals(new int[] {25, 25, 25, 25, 25}, perClass(pool, tr));
            Set<Integer> seen = new HashSet<>();
            for (int i : tr) {
                assertFalse(v.contains(i), "seed " + seed + ": training image " + i + " is in the validation set");
                assertTrue(seen.add(i), "training index drawn twice");
            }
            ImageSet sub = pool.subset(tr);
            for (int k = 0; k < tr.length; k++) {
                assertEquals(tr[k], (int) sub.pixels()[k]);
            }
        }
        // Seeds differ; the draws are repeatable.
        assertFalse(Arrays.equals(AdaptationSplits.training(pool, 25, 1, val), AdaptationSplits.training(pool, 25, 2, val)));
        assertArrayEquals(AdaptationSplits.training(pool, 25, 3, val), AdaptationSplits.training(pool, 25, 3, val));
        assertArrayEquals(val, AdaptationSplits.validation(pool, 20));
    }

    @Test
    void subsetsOfOneSeedAreNestedAcrossSizes() {
        ImageSet pool = pool(600);
        int[] val = AdaptationSplits.validation(pool, 10);
        int[] small = AdaptationSplits.training(pool, 5, 7, val);
        int[] large = AdaptationSplits.training(pool, 40, 7, val);
        Set<Integer> big = new HashSet<>();
        for (int i : large) {
            big.add(i);
        }
        for (int i : small) {
            assertTrue(big.contains(i), "image " + i + " of the 5-per-class subset is missing from the 40-per-class one");
        }
    }

    @Test
    void tooFewImagesIsAnError() {
        ImageSet pool = pool(50); // 10 per class
        int[] val = AdaptationSplits.validation(pool, 5);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> AdaptationSplits.training(pool, 6, 1, val));
        assertTrue(e.getMessage().contains("only 5 images"), e.getMessage());
    }
}
