package org.prefixmoe.djl.experiment;

import org.prefixmoe.djl.data.ImageSet;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * How the adaptation pool (training images of the new classes) is divided: one fixed validation set, drawn
 * once with a fixed seed, and per seed a training subset drawn from the images that are not in it. The
 * validation set is used only to choose learning rates; the test images are used only for the reported
 * accuracies.
 *
 * @param validation indices of the validation images in the pool
 * @param train per seed, the indices of its training subset in the pool (disjoint from {@code validation})
 */
public record AdaptationSplits(int[] validation, Map<Long, int[]> train) {

    /** Seed of the validation draw (fixed, independent of the adaptation seeds). */
    public static final long VALIDATION_SEED = 4242L;

    /**
     * Draws the validation set, then each seed's training subset from the rest. A seed's subset is drawn
     * with seed {@code 777 + seed} by the same permutation as before validation existed, skipping
     * validation images, so it differs from the old subset only where the old one hit a validation image.
     *
     * @param pool adaptation pool
     * @param validationSize validation images (0: none)
     * @param trainSize training images per seed
     * @param seeds adaptation seeds
     * @return the splits
     */
    public static AdaptationSplits draw(ImageSet pool, int validationSize, int trainSize, List<Long> seeds) {
        int[] val = validationSize <= 0 ? new int[0] : pool.sampleIndices(validationSize, VALIDATION_SEED, null);
        boolean[] excluded = new boolean[pool.size()];
        for (int i : val) {
            excluded[i] = true;
        }
        Map<Long, int[]> train = new LinkedHashMap<>();
        for (long seed : seeds) {
            train.put(seed, pool.sampleIndices(trainSize, 777L + seed, excluded));
        }
        return new AdaptationSplits(val, train);
    }
}
