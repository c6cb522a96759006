package org.prefixmoe.djl.experiment;

import org.prefixmoe.djl.data.ImageSet;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * How the adaptation pool (training images of the new classes) is divided, always class by class so that every
 * subset has exactly the same number of images of each class:
 * <ul>
 *   <li>one validation set, drawn once with a fixed seed ({@link #VALIDATION_SEED}), used only to choose learning
 *       rates;</li>
 *   <li>per seed, a training subset of {@code k} images per class, drawn from the images not in the validation
 *       set. For one seed the subsets are <b>nested</b> ({@code k = 10} is the first 10 images of each class of
 *       {@code k = 25}, and so on), so the curve over sizes follows one growing sample.</li>
 * </ul>
 * The test images are a separate set, used only for the reported accuracies.
 */
public final class AdaptationSplits {

    /** Seed of the validation draw (fixed, independent of the adaptation and selection seeds). */
    public static final long VALIDATION_SEED = 4242L;

    private AdaptationSplits() {}

    /**
     * The validation set: the first {@code perClass} images of each class in a permutation seeded by
     * {@link #VALIDATION_SEED}.
     *
     * @param pool adaptation pool, labels {@code 0..C-1}
     * @param perClass validation images per class (0: none)
     * @return indices into the pool, class by class
     * @throws IllegalArgumentException if a class has fewer images
     */
    public static int[] validation(ImageSet pool, int perClass) {
        return draw(pool, perClass, VALIDATION_SEED, null);
    }

    /**
     * The training subset of one seed: the first {@code perClass} images of each class, in a permutation seeded
     * by the seed, that are not excluded. Larger {@code perClass} extend smaller ones (nested subsets).
     *
     * @param pool adaptation pool
     * @param perClass images per class
     * @param seed the seed (test seed or selection seed)
     * @param validation indices to exclude (the validation set), or null
     * @return indices into the pool, class by class
     */
    public static int[] training(ImageSet pool, int perClass, long seed, int[] validation) {
        boolean[] excluded = new boolean[pool.size()];
        if (validation != null) {
            for (int i : validation) {
                excluded[i] = true;
            }
        }
        return draw(pool, perClass, 777L + seed, excluded);
    }

    private static int[] draw(ImageSet pool, int perClass, long seed, boolean[] excluded) {
        int classes = pool.numClasses();
        int[] out = new int[perClass * classes];
        int k = 0;
        for (int c = 0; c < classes; c++) {
            List<Integer> members = new ArrayList<>();
            for (int i = 0; i < pool.size(); i++) {
                if (pool.labels()[i] == c) {
                    members.add(i);
                }
            }
            // One stream per (seed, class): the order of class c does not depend on the other classes.
            int[] perm = ImageSet.permutation(members.size(), new Random(seed * 1_000_003L + c));
            int taken = 0;
            for (int j = 0; j < perm.length && taken < perClass; j++) {
                int i = members.get(perm[j]);
                if (excluded == null || !excluded[i]) {
                    out[k++] = i;
                    taken++;
                }
            }
            if (taken < perClass) {
                throw new IllegalArgumentException("class " + c + " has only " + taken + " images available, "
                        + perClass + " requested");
            }
        }
        return out;
    }
}
