package org.prefixmoe.djl;

import org.prefixmoe.djl.data.ImageSet;
import org.prefixmoe.djl.model.ViTConfig;

import java.util.Random;

/** Small models and synthetic data shared by the tests. */
final class TestModels {

    private TestModels() {}

    /** A tiny ViT on 8x8 images with 4x4 patches. */
    static final ViTConfig TINY = new ViTConfig(8, 4, 16, 2, 2, 2);

    /**
     * Synthetic 8x8 images of {@code classes} classes: class c lights up a class-specific quadrant
     * band, plus Gaussian noise, so a tiny transformer can learn it in a few steps.
     */
    static ImageSet synthetic(int n, int classes, long seed) {
        Random rng = new Random(seed);
        float[] px = new float[n * 64];
        int[] y = new int[n];
        for (int i = 0; i < n; i++) {
            int c = rng.nextInt(classes);
            y[i] = c;
            for (int p = 0; p < 64; p++) {
                int row = p / 8;
                float signal = (row * classes / 8 == c) ? 1.5f : -0.5f;
                px[i * 64 + p] = signal + (float) rng.nextGaussian() * 0.5f;
            }
        }
        return new ImageSet(px, y, 8);
    }
}
