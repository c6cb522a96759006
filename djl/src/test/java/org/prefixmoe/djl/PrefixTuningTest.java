package org.prefixmoe.djl;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
import org.prefixmoe.djl.prefix.SharedPrefix;
import org.prefixmoe.djl.train.Method;
import org.prefixmoe.djl.train.TrainConfig;
import org.prefixmoe.djl.train.TrainResult;
import org.prefixmoe.djl.train.Trainer;
import org.prefixmoe.djl.experiment.Adaptation;

import java.util.Arrays;
import java.util.List;
import java.util.Map;

/** Freezing, folding and a short training run on a tiny model and synthetic data. */
class PrefixTuningTest {

    private static final Method[] PREFIX_METHODS = {Method.NO_SHARE, Method.SIMPLE_SHARE, Method.DEEP_SHARE,
        Method.TANH_SHARE};

    static PrefixModule prefix(NDManager m, Method method, VisionTransformer vit) {
        int depth = TestModels.TINY.depth();
        int d = TestModels.TINY.dim();
        double bound = NoSharePrefix.initBound(TestModels.TINY.patch(), d);
        return switch (method) {
            case NO_SHARE -> NoSharePrefix.create(m, depth, 3, d, bound, 11);
            case SIMPLE_SHARE -> ProjectedPrefix.create(m, vit, 3, bound, 11);
            case DEEP_SHARE -> SharedPrefix.create(m, SharedPrefix.Kind.DEEP, depth, 3, d, 8, bound, 11);
            case TANH_SHARE -> SharedPrefix.create(m, SharedPrefix.Kind.TANH, depth, 3, d, 8, bound, 11);
            default -> throw new IllegalArgumentException();
        };
    }

    /** SGD with the paper's recipe (momentum 0.9, warm-up, cosine, weight decay, prefix dropout). */
    static TrainConfig sgd(int steps, float lr, long seed) {
        return TrainConfig.sgd(steps, 16, lr, 1e-4f, 2, 0.1f, seed);
    }

    @Test
    void prefixTuningChangesOnlyPrefixAndHead() {
        for (Method method : PREFIX_METHODS) {
            try (NDManager m = NDManager.newBaseManager()) {
                VisionTransformer vit = VisionTransformer.create(TestModels.TINY, m, 1);
                PrefixModule p = prefix(m, method, vit);
                Params head = Classifier.newHead(m, TestModels.TINY.dim(), 3, 2);
                Classifier model = new Classifier(vit, p, head);
                Map<String, float[]> backbone0 = vit.params().snapshot();
                Map<String, float[]> prefix0 = p.params().snapshot();
                Map<String, float[]> head0 = head.snapshot();
                ImageSet data = TestModels.synthetic(64, 3, 5);
                Trainer.train(model, List.of(p.params(), head), data, null, sgd(8, 0.1f, 3), null);
                Map<String, float[]> backbone1 = vit.params().snapshot();
                for (String k : backbone0.keySet()) {
                    assertArrayEquals(backbone0.get(k), backbone1.get(k), 0f, method + ": backbone " + k + " changed");
                }
                for (String k : prefix0.keySet()) {
                    assertFalse(Arrays.equals(prefix0.get(k), p.params().snapshot().get(k)),
                            method + ": prefix " + k + " did not change");
                }
                for (String k : head0.keySet()) {
                    assertFalse(Arrays.equals(head0.get(k), head.snapshot().get(k)), method + ": head " + k + " unchanged");
                }
                for (var a : vit.params().all().values()) {
                    assertFalse(a.hasGradient(), "backbone tensor collects a gradient");
                }
            }
        }
    }

    @Test
    void foldingSharedPrefixGivesSameLogits() {
        for (Method method : new Method[] {Method.SIMPLE_SHARE, Method.DEEP_SHARE, Method.TANH_SHARE}) {
            try (NDManager m = NDManager.newBaseManager()) {
                VisionTransformer vit = VisionTransformer.create(TestModels.TINY, m, 1);
                PrefixModule p = prefix(m, method, vit);
                Params head = Classifier.newHead(m, TestModels.TINY.dim(), 3, 2);
                Classifier model = new Classifier(vit, p, head);
                ImageSet data = TestModels.synthetic(32, 3, 5);
                // Train a little so the folded values are not just the initialization.
                Trainer.train(model, List.of(p.params(), head), data, null, sgd(4, 0.1f, 3), null);
                NoSharePrefix folded = p.fold(m);
                assertEquals("no-share", folded.kind());
                // Folding stores exactly one key and one value per slot and layer, whatever the parameterization.
                int d = TestModels.TINY.dim();
                assertEquals(TestModels.TINY.depth() * 2L * 3 * d, folded.params().count(), method.label());
                Classifier foldedModel = new Classifier(vit, folded, head);
                try (NDManager s = m.newSubManager()) {
                    var x = s.create(data.pixels(), new Shape(data.size(), 64));
                    float[] a = model.logits(s, x).toFloatArray();
                    float[] b = foldedModel.logits(s, x).toFloatArray();
                    assertArrayEquals(a, b, 1e-5f, method + ": folded logits differ");
                }
                assertEquals(Trainer.accuracy(model, data, 8), Trainer.accuracy(foldedModel, data, 8));
            }
        }
    }

    @Test
    void shortTrainingRunLowersTheLoss() {
        try (NDManager m = NDManager.newBaseManager()) {
            VisionTransformer vit = VisionTransformer.create(TestModels.TINY, m, 1);
            Params head = Classifier.newHead(m, TestModels.TINY.dim(), 4, 2);
            Classifier model = new Classifier(vit, null, head);
            ImageSet data = TestModels.synthetic(128, 4, 9);
            double before = Trainer.meanLoss(model, data, 64);
            TrainResult r = Trainer.train(model, List.of(vit.params(), head), data, data, sgd(40, 0.03f, 1), null);
            double after = Trainer.meanLoss(model, data, 64);
            assertTrue(after < 0.7 * before, "loss " + before + " -> " + after);
            assertEquals(40, r.steps());
            assertEquals(5, r.passLoss().size()); // 40 steps of 16 on 128 images: five passes
            assertTrue(r.passLoss().get(r.passLoss().size() - 1) < r.passLoss().get(0));
            assertTrue(r.evalAccuracy() > 0.5, "accuracy " + r.evalAccuracy());
        }
    }

    @Test
    void adaptationCountsTrainableParameters() {
        try (NDManager m = NDManager.newBaseManager()) {
            VisionTransformer vit = VisionTransformer.create(TestModels.TINY, m, 1);
            ImageSet data = TestModels.synthetic(32, 3, 5);
            int d = TestModels.TINY.dim();
            int depth = TestModels.TINY.depth();
            int len = 3;
            int hid = 8;
            long head = d * 3L + 3;
            Adaptation.Settings s = new Adaptation.Settings(len, hid, sgd(2, 0.01f, 1));
            assertEquals(head, Adaptation.run(Method.LINEAR_PROBE, vit, data, data, 3, 0, s, null).trainableParameters());
            assertEquals(head + depth * 2L * len * d,
                    Adaptation.run(Method.NO_SHARE, vit, data, data, 3, 0, s, null).trainableParameters());
            // The paper's simple-share trains the tokens only (the LayerNorm and projections are the backbone's).
            assertEquals(head + depth * (long) len * d,
                    Adaptation.run(Method.SIMPLE_SHARE, vit, data, data, 3, 0, s, null).trainableParameters());
            assertEquals(head + depth * (len * d + d * 2L * d + 2L * d),
                    Adaptation.run(Method.TANH_SHARE, vit, data, data, 3, 0, s, null).trainableParameters());
            assertEquals(head + depth * (len * d + d * hid + hid + hid * 2L * d + 2L * d),
                    Adaptation.run(Method.DEEP_SHARE, vit, data, data, 3, 0, s, null).trainableParameters());
            Map<String, float[]> before = vit.params().snapshot();
            assertEquals(head + vit.params().count(),
                    Adaptation.run(Method.FULL_FINETUNE, vit, data, data, 3, 0, s, null).trainableParameters());
            // Full fine-tuning works on a copy: the shared pretrained backbone is untouched.
            for (String k : before.keySet()) {
                assertArrayEquals(before.get(k), vit.params().snapshot().get(k), 0f);
            }
        }
    }
}
