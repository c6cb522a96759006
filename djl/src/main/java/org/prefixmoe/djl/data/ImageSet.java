package org.prefixmoe.djl.data;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * A set of labelled square grayscale images held in Java memory as normalized floats.
 * Kept on the Java side (not as one big tensor) so that batches can be cut and shuffled cheaply
 * and the same data serve every device.
 *
 * @param pixels row-major pixels, {@code size() * side * side} values, already normalized
 * @param labels class labels
 * @param side image side in pixels
 */
public record ImageSet(float[] pixels, int[] labels, int side) {

    /** Number of images. */
    public int size() {
        return labels.length;
    }

    /** Values per image. */
    public int imageSize() {
        return side * side;
    }

    /**
     * Keeps the images whose label is in {@code [lo, hi]}, relabelled to {@code label - lo}.
     *
     * @param lo first class kept
     * @param hi last class kept (inclusive)
     * @return the filtered set
     */
    public ImageSet classes(int lo, int hi) {
        List<Integer> keep = new ArrayList<>();
        for (int i = 0; i < labels.length; i++) {
            if (labels[i] >= lo && labels[i] <= hi) {
                keep.add(i);
            }
        }
        return select(keep.stream().mapToInt(Integer::intValue).toArray(), lo);
    }

    /**
     * A random subset of {@code n} images (all of them if {@code n >= size()}), drawn without replacement.
     *
     * @param n how many
     * @param seed seed of the draw
     * @return the subset
     */
    public ImageSet sample(int n, long seed) {
        if (n >= size()) {
            return this;
        }
        int[] idx = permutation(size(), new Random(seed));
        int[] pick = new int[n];
        System.arraycopy(idx, 0, pick, 0, n);
        java.util.Arrays.sort(pick);
        return select(pick, 0);
    }

    /**
     * Indices of a random subset of {@code n} images drawn without replacement from the images not marked in
     * {@code excluded} (all of those if fewer are left), sorted. The draw walks one seeded permutation of all
     * indices and skips the excluded ones, so with nothing excluded it picks exactly the images of
     * {@link #sample(int, long)} with the same seed, and excluding a few images replaces only those.
     *
     * @param n how many
     * @param seed seed of the draw
     * @param excluded images that must not be drawn ({@code excluded[i]} for image i), or null for none
     * @return sorted indices into this set
     */
    public int[] sampleIndices(int n, long seed, boolean[] excluded) {
        int[] perm = permutation(size(), new Random(seed));
        int[] pick = new int[Math.min(n, size())];
        int k = 0;
        for (int i = 0; i < perm.length && k < pick.length; i++) {
            if (excluded == null || !excluded[perm[i]]) {
                pick[k++] = perm[i];
            }
        }
        int[] out = java.util.Arrays.copyOf(pick, k);
        java.util.Arrays.sort(out);
        return out;
    }

    /**
     * The images at the given indices, in that order, labels unchanged.
     *
     * @param idx indices into this set
     * @return the subset
     */
    public ImageSet subset(int[] idx) {
        return select(idx, 0);
    }

    private ImageSet select(int[] idx, int labelShift) {
        int s = imageSize();
        float[] px = new float[idx.length * s];
        int[] lb = new int[idx.length];
        for (int k = 0; k < idx.length; k++) {
            System.arraycopy(pixels, idx[k] * s, px, k * s, s);
            lb[k] = labels[idx[k]] - labelShift;
        }
        return new ImageSet(px, lb, side);
    }

    /** Number of distinct labels, assuming labels are {@code 0..max}. */
    public int numClasses() {
        int max = -1;
        for (int l : labels) {
            max = Math.max(max, l);
        }
        return max + 1;
    }

    /**
     * A uniformly random permutation of {@code 0..n-1} (Fisher–Yates).
     *
     * @param n length
     * @param rng random source
     * @return the permutation
     */
    public static int[] permutation(int n, Random rng) {
        int[] p = new int[n];
        for (int i = 0; i < n; i++) {
            p[i] = i;
        }
        for (int i = n - 1; i > 0; i--) {
            int j = rng.nextInt(i + 1);
            int t = p[i];
            p[i] = p[j];
            p[j] = t;
        }
        return p;
    }
}
