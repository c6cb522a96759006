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

    private static PrefixModule prefix(NDManager m, Method method) {
        int depth = TestModels.TINY.depth();
        int d = TestModels.TINY.dim();
        return switch (method) {
            case NO_SHARE -> NoSharePrefix.create(m, depth, 3, d, 11);
            case SIMPLE_SHARE -> SharedPrefix.create(m, SharedPrefix.Kind.SIMPLE, depth, 3, d, 8, 11);
            case DEEP_SHARE -> SharedPrefix.create(m, SharedPrefix.Kind.DEEP, depth, 3, d, 8, 11);
            default -> throw new IllegalArgumentException();
        };
    }

    @Test
    void prefixTuningChangesOnlyPrefixAndHead() {
        for (Method method : new Method[] {Method.NO_SHARE, Method.SIMPLE_SHARE, Method.DEEP_SHARE}) {
            try (NDManager m = NDManager.newBaseManager()) {
                VisionTransformer vit = VisionTransformer.create(TestModels.TINY, m, 1);
                PrefixModule p = prefix(m, method);
                Params head = Classifier.newHead(m, TestModels.TINY.dim(), 3, 2);
                Classifier model = new Classifier(vit, p, head);
                Map<String, float[]> backbone0 = vit.params().snapshot();
                Map<String, float[]> prefix0 = p.params().snapshot();
                Map<String, float[]> head0 = head.snapshot();
                ImageSet data = TestModels.synthetic(64, 3, 5);
                Trainer.train(model, List.of(p.params(), head), data, null, new TrainConfig(2, 16, 1e-2f, 0f, 3, 0), null);
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
        for (Method method : new Method[] {Method.SIMPLE_SHARE, Method.DEEP_SHARE}) {
            try (NDManager m = NDManager.newBaseManager()) {
                VisionTransformer vit = VisionTransformer.create(TestModels.TINY, m, 1);
                PrefixModule p = prefix(m, method);
                Params head = Classifier.newHead(m, TestModels.TINY.dim(), 3, 2);
                Classifier model = new Classifier(vit, p, head);
                ImageSet data = TestModels.synthetic(32, 3, 5);
                // Train a little so the folded values are not just the initialization.
                Trainer.train(model, List.of(p.params(), head), data, null, new TrainConfig(1, 16, 1e-2f, 0f, 3, 0), null);
                NoSharePrefix folded = p.fold(m);
                assertEquals("no-share", folded.kind());
                assertTrue(folded.params().count() < p.params().count() || method == Method.SIMPLE_SHARE
                        || folded.params().count() > 0);
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
            TrainResult r = Trainer.train(model, List.of(vit.params(), head), data, data,
                    new TrainConfig(5, 16, 3e-3f, 0f, 1, 0), null);
            double after = Trainer.meanLoss(model, data, 64);
            assertTrue(after < 0.7 * before, "loss " + before + " -> " + after);
            assertTrue(r.epochLoss().get(r.epochLoss().size() - 1) < r.epochLoss().get(0));
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
            Adaptation.Settings s = new Adaptation.Settings(len, hid, new TrainConfig(1, 16, 1e-2f, 0f, 1, 0),
                    new TrainConfig(1, 16, 1e-3f, 0f, 1, 0));
            assertEquals(head, Adaptation.run(Method.LINEAR_PROBE, vit, data, data, 3, 0, s, null).trainableParameters());
            assertEquals(head + depth * 2L * len * d,
                    Adaptation.run(Method.NO_SHARE, vit, data, data, 3, 0, s, null).trainableParameters());
            assertEquals(head + depth * (len * d + d * 2L * d + 2L * d),
                    Adaptation.run(Method.SIMPLE_SHARE, vit, data, data, 3, 0, s, null).trainableParameters());
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
