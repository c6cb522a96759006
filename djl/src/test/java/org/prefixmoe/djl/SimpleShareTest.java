package org.prefixmoe.djl;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

import org.junit.jupiter.api.Test;
import org.prefixmoe.djl.data.ImageSet;
import org.prefixmoe.djl.model.Classifier;
import org.prefixmoe.djl.model.Params;
import org.prefixmoe.djl.model.VisionTransformer;
import org.prefixmoe.djl.prefix.NoSharePrefix;
import org.prefixmoe.djl.prefix.PrefixModule;
import org.prefixmoe.djl.prefix.ProjectedPrefix;
import org.prefixmoe.djl.train.Trainer;

import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * The paper's simple-share ({@code KV_ONLY=True}): keys and values are the frozen LayerNorm + pretrained key/value
 * projections of trainable tokens, and only the tokens learn.
 */
class SimpleShareTest {

    private static final int D = TestModels.TINY.dim();
    private static final int DEPTH = TestModels.TINY.depth();
    private static final int L = 3;

    /** A backbone whose LayerNorms and projections are not the identity/zero of a fresh one. */
    private static VisionTransformer backbone(NDManager m) {
        VisionTransformer vit = VisionTransformer.create(TestModels.TINY, m, 1);
        Random rng = new Random(5);
        for (int l = 0; l < DEPTH; l++) {
            String b = "block" + l + ".";
            float[] g = Params.normal(rng, D, 0.3);
            for (int i = 0; i < D; i++) {
                g[i] += 1;
            }
            vit.params().put(b + "ln1.g", new Shape(D), g);
            vit.params().put(b + "ln1.b", new Shape(D), Params.normal(rng, D, 0.3));
            vit.params().put(b + "qkv.b", new Shape(3 * D), Params.normal(rng, 3 * D, 0.3));
        }
        vit.params().setTrainable(false);
        return vit;
    }

    /** {@code W^T LN(p) + b} for columns {@code [from, from + d)} of the fused qkv projection, in double precision. */
    private static double[] project(float[] token, float[] g, float[] beta, float[] w, float[] bias, int from) {
        double mu = 0;
        for (float v : token) {
            mu += v;
        }
        mu /= D;
        double var = 0;
        for (float v : token) {
            var += (v - mu) * (v - mu);
        }
        var /= D; // biased variance, as LayerNorm
        double[] h = new double[D];
        for (int i = 0; i < D; i++) {
            h[i] = (token[i] - mu) / Math.sqrt(var + 1e-5) * g[i] + beta[i];
        }
        double[] out = new double[D];
        for (int c = 0; c < D; c++) {
            double s = bias[from + c];
            for (int i = 0; i < D; i++) {
                s += h[i] * w[i * 3 * D + from + c];
            }
            out[c] = s;
        }
        return out;
    }

    @Test
    void foldedKeysAndValuesAreTheFrozenProjectionsOfTheTokens() {
        try (NDManager m = NDManager.newBaseManager()) {
            VisionTransformer vit = backbone(m);
            ProjectedPrefix p = ProjectedPrefix.create(m, vit, L, 0.5, 3);
            NoSharePrefix folded = p.fold(m);
            Map<String, float[]> bb = vit.params().snapshot();
            Map<String, float[]> tokens = p.params().snapshot();
            Map<String, float[]> kv = folded.params().snapshot();
            for (int l = 0; l < DEPTH; l++) {
                String b = "block" + l + ".";
                float[] tok = tokens.get("prefix" + l + ".token");
                for (int s = 0; s < L; s++) {
                    float[] one = java.util.Arrays.copyOfRange(tok, s * D, (s + 1) * D);
                    double[] key = project(one, bb.get(b + "ln1.g"), bb.get(b + "ln1.b"), bb.get(b + "qkv.w"),
                            bb.get(b + "qkv.b"), D);
                    double[] value = project(one, bb.get(b + "ln1.g"), bb.get(b + "ln1.b"), bb.get(b + "qkv.w"),
                            bb.get(b + "qkv.b"), 2 * D);
                    for (int c = 0; c < D; c++) {
                        assertEquals(key[c], kv.get("prefix" + l + ".k")[s * D + c], 1e-4, "key l=" + l + " s=" + s);
                        assertEquals(value[c], kv.get("prefix" + l + ".v")[s * D + c], 1e-4, "value l=" + l + " s=" + s);
                    }
                }
            }
        }
    }

    @Test
    void onlyTheTokensAreTrainedAndReceiveGradients() {
        try (NDManager m = NDManager.newBaseManager()) {
            VisionTransformer vit = backbone(m);
            ProjectedPrefix p = ProjectedPrefix.create(m, vit, L, 0.5, 3);
            // The trainable set is the tokens: one d-vector per slot and layer, nothing of the backbone.
            assertEquals(DEPTH * (long) L * D, p.params().count());
            for (String name : p.params().all().keySet()) {
                assertTrue(name.endsWith(".token"), name);
            }
            Params head = Classifier.newHead(m, D, 3, 2);
            Classifier model = new Classifier(vit, p, head);
            Map<String, float[]> bb0 = vit.params().snapshot();
            Map<String, float[]> tok0 = p.params().snapshot();
            ImageSet data = TestModels.synthetic(48, 3, 5);

            // One backward pass by hand: gradients reach the tokens, not the LayerNorm or W_K, W_V.
            p.params().setTrainable(true);
            try (NDManager step = m.newSubManager();
                 var gc = ai.djl.engine.Engine.getInstance().newGradientCollector()) {
                NDArray x = step.create(data.pixels(), new Shape(data.size(), 64));
                NDArray loss = Trainer.crossEntropy(model.logits(step, x, 0.1f), step.create(data.labels()));
                gc.backward(loss);
            }
            for (var e : p.params().all().entrySet()) {
                float[] g = e.getValue().getGradient().toFloatArray();
                double norm = 0;
                for (float v : g) {
                    norm += v * v;
                }
                assertTrue(norm > 0, "no gradient reached " + e.getKey());
                e.getValue().getGradient().muli(0);
            }
            for (var e : vit.params().all().entrySet()) {
                assertFalse(e.getValue().hasGradient(), "backbone tensor " + e.getKey() + " collects a gradient");
            }
            p.params().setTrainable(false);

            Trainer.train(model, List.of(p.params(), head), data, null, PrefixTuningTest.sgd(6, 0.1f, 1), null);
            Map<String, float[]> bb1 = vit.params().snapshot();
            for (String k : bb0.keySet()) {
                assertArrayEquals(bb0.get(k), bb1.get(k), 0f, "backbone " + k + " changed");
            }
            for (String k : tok0.keySet()) {
                assertFalse(java.util.Arrays.equals(tok0.get(k), p.params().snapshot().get(k)), k + " did not change");
            }
        }
    }

    @Test
    void prefixDropoutMasksEachExampleSeparately() {
        try (NDManager m = NDManager.newBaseManager()) {
            VisionTransformer vit = backbone(m);
            PrefixModule nos = NoSharePrefix.create(m, DEPTH, L, D, 0.5, 4);
            ai.djl.engine.Engine.getInstance().setRandomSeed(11);
            try (NDManager step = m.newSubManager()) {
                float rate = 0.25f;
                int batch = 64;
                List<NDArray[]> plain = nos.keysValues(step);
                List<NDArray[]> dropped = nos.keysValues(step, batch, rate);
                assertEquals(new Shape(L, D), plain.get(0)[0].getShape());
                assertEquals(new Shape(batch, L, D), dropped.get(0)[0].getShape());
                float[] a = plain.get(0)[0].toFloatArray();
                float[] b = dropped.get(0)[0].toFloatArray();
                int zeros = 0;
                for (int i = 0; i < b.length; i++) {
                    float orig = a[i % a.length];
                    if (b[i] == 0f) {
                        zeros++;
                    } else {
                        // Inverted dropout: kept entries are scaled by 1 / (1 - rate).
                        assertEquals(orig / (1 - rate), b[i], 1e-5);
                    }
                }
                double frac = zeros / (double) b.length;
                assertTrue(Math.abs(frac - rate) < 0.03, "dropped fraction " + frac);
                // Different examples get different masks.
                assertNotEquals(java.util.Arrays.toString(java.util.Arrays.copyOfRange(b, 0, L * D)),
                        java.util.Arrays.toString(java.util.Arrays.copyOfRange(b, L * D, 2 * L * D)));

                // Simple-share drops the token before the frozen map: (B, L, d) keys, each example its own.
                ProjectedPrefix sp = ProjectedPrefix.create(m, vit, L, 0.5, 3);
                List<NDArray[]> sdrop = sp.keysValues(step, batch, rate);
                assertEquals(new Shape(batch, L, D), sdrop.get(0)[1].getShape());
                // Without dropout, the per-step keys equal the folded ones.
                assertArrayEquals(sp.fold(m).keysValues(step).get(1)[0].toFloatArray(),
                        sp.keysValues(step, batch, 0f).get(1)[0].toFloatArray(), 1e-6f);
            }
        }
    }
}
