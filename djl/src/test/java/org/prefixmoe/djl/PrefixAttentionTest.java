package org.prefixmoe.djl;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.engine.Engine;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;

import org.junit.jupiter.api.Test;
import org.prefixmoe.djl.model.Params;
import org.prefixmoe.djl.model.VisionTransformer;

import java.util.Random;

/** Prefix attention equals attention computed by hand with the prefixes concatenated to the keys and values. */
class PrefixAttentionTest {

    private static final int B = 2;
    private static final int T = 3;
    private static final int D = 8;
    private static final int H = 2;
    private static final int L = 4;

    @Test
    void prefixAttentionMatchesHandComputation() {
        check(true, false);
    }

    @Test
    void perExamplePrefixAttentionMatchesHandComputation() {
        // (B, L, d) prefixes, as after prefix dropout: each example attends to its own prefix.
        check(true, true);
    }

    @Test
    void plainAttentionMatchesHandComputation() {
        check(false, false);
    }

    /**
     * The gradient with respect to the prefix keys (their only path runs through the scaled scores) equals central
     * finite differences, also when garbage collections run between the forward and the backward pass: a scaling
     * constant kept over Java memory that a collection frees would corrupt it (DJL's {@code mul(Number)} does that).
     */
    @Test
    void prefixKeyGradientMatchesFiniteDifferencesAcrossGarbageCollections() throws InterruptedException {
        Random rng = new Random(11);
        Weights w = Weights.draw(rng);
        float[] pk = Params.normal(rng, L * D, 1);
        float[] pv = Params.normal(rng, L * D, 1);
        float[] weights = Params.normal(rng, B * T * D, 1);
        for (int attempt = 0; attempt < 3; attempt++) {
            float[] grad;
            try (NDManager m = NDManager.newBaseManager()) {
                NDArray keys = m.create(pk, new Shape(L, D));
                keys.setRequiresGradient(true);
                try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                    NDArray out = w.attention(m, keys, m.create(pv, new Shape(L, D)));
                    NDArray loss = out.mul(m.create(weights, out.getShape())).sum();
                    for (int i = 0; i < 3; i++) {
                        System.gc();
                        Thread.sleep(20);
                    }
                    gc.backward(loss);
                }
                grad = keys.getGradient().toFloatArray();
            }
            for (int i = 0; i < L * D; i += 5) {
                double h = 1e-2;
                double up = weightedOutput(w, shifted(pk, i, h), pv, weights);
                double down = weightedOutput(w, shifted(pk, i, -h), pv, weights);
                assertEquals((up - down) / (2 * h), grad[i], 2e-3, "attempt " + attempt + ", key entry " + i);
            }
        }
    }

    private static float[] shifted(float[] a, int i, double h) {
        float[] b = a.clone();
        b[i] += (float) h;
        return b;
    }

    private static double weightedOutput(Weights w, float[] pk, float[] pv, float[] weights) {
        try (NDManager m = NDManager.newBaseManager()) {
            float[] out = w.attention(m, m.create(pk, new Shape(L, D)), m.create(pv, new Shape(L, D))).toFloatArray();
            double s = 0;
            for (int i = 0; i < out.length; i++) {
                s += (double) out[i] * weights[i];
            }
            return s;
        }
    }

    /** Input and attention weights, drawn in a fixed order. */
    private record Weights(float[] x, float[] wqkv, float[] bqkv, float[] wo, float[] bo) {
        static Weights draw(Random rng) {
            float[] x = Params.normal(rng, B * T * D, 1);
            float[] wqkv = Params.normal(rng, D * 3 * D, 0.5);
            float[] bqkv = Params.normal(rng, 3 * D, 0.1);
            float[] wo = Params.normal(rng, D * D, 0.5);
            return new Weights(x, wqkv, bqkv, wo, Params.normal(rng, D, 0.1));
        }

        /** The attention of {@link VisionTransformer#attention} on these weights, prefixes possibly null. */
        NDArray attention(NDManager m, NDArray keys, NDArray values) {
            return VisionTransformer.attention(m.create(x, new Shape(B, T, D)), m.create(wqkv, new Shape(D, 3 * D)),
                    m.create(bqkv, new Shape(3 * D)), m.create(wo, new Shape(D, D)), m.create(bo, new Shape(D)), H,
                    keys, values);
        }
    }

    private void check(boolean withPrefix, boolean perExample) {
        Random rng = new Random(7);
        Weights w = Weights.draw(rng);
        int copies = perExample ? B : 1;
        float[] pk = Params.normal(rng, copies * L * D, 1);
        float[] pv = Params.normal(rng, copies * L * D, 1);
        Shape ps = perExample ? new Shape(B, L, D) : new Shape(L, D);
        float[] got;
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray out = w.attention(m, withPrefix ? m.create(pk, ps) : null, withPrefix ? m.create(pv, ps) : null);
            assertEquals(new Shape(B, T, D), out.getShape());
            got = out.toFloatArray();
        }
        float[] x = w.x();
        float[] wqkv = w.wqkv();
        float[] bqkv = w.bqkv();
        float[] wo = w.wo();
        float[] bo = w.bo();
        int dh = D / H;
        int lp = withPrefix ? L : 0;
        for (int b = 0; b < B; b++) {
            // q, k, v of every token
            double[][] q = new double[T][D];
            double[][] k = new double[lp + T][D];
            double[][] v = new double[lp + T][D];
            int off = perExample ? b * L * D : 0;
            for (int l = 0; l < lp; l++) {
                for (int c = 0; c < D; c++) {
                    k[l][c] = pk[off + l * D + c];
                    v[l][c] = pv[off + l * D + c];
                }
            }
            for (int t = 0; t < T; t++) {
                for (int c = 0; c < 3 * D; c++) {
                    double s = bqkv[c];
                    for (int i = 0; i < D; i++) {
                        s += x[(b * T + t) * D + i] * wqkv[i * 3 * D + c];
                    }
                    if (c < D) {
                        q[t][c] = s;
                    } else if (c < 2 * D) {
                        k[lp + t][c - D] = s;
                    } else {
                        v[lp + t][c - 2 * D] = s;
                    }
                }
            }
            for (int t = 0; t < T; t++) {
                double[] concat = new double[D];
                for (int h = 0; h < H; h++) {
                    double[] score = new double[lp + T];
                    double max = Double.NEGATIVE_INFINITY;
                    for (int j = 0; j < lp + T; j++) {
                        double s = 0;
                        for (int c = h * dh; c < (h + 1) * dh; c++) {
                            s += q[t][c] * k[j][c];
                        }
                        score[j] = s / Math.sqrt(dh);
                        max = Math.max(max, score[j]);
                    }
                    double z = 0;
                    for (int j = 0; j < lp + T; j++) {
                        score[j] = Math.exp(score[j] - max);
                        z += score[j];
                    }
                    for (int c = h * dh; c < (h + 1) * dh; c++) {
                        double s = 0;
                        for (int j = 0; j < lp + T; j++) {
                            s += score[j] / z * v[j][c];
                        }
                        concat[c] = s;
                    }
                }
                for (int c = 0; c < D; c++) {
                    double s = bo[c];
                    for (int i = 0; i < D; i++) {
                        s += concat[i] * wo[i * D + c];
                    }
                    assertEquals(s, got[(b * T + t) * D + c], 1e-4, "b=" + b + " t=" + t + " c=" + c);
                }
            }
        }
    }
}
