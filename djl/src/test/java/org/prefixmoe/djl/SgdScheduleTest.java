package org.prefixmoe.djl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

import org.junit.jupiter.api.Test;
import org.prefixmoe.djl.data.ImageSet;
import org.prefixmoe.djl.model.Classifier;
import org.prefixmoe.djl.model.Params;
import org.prefixmoe.djl.model.VisionTransformer;
import org.prefixmoe.djl.train.Schedule;
import org.prefixmoe.djl.train.TrainConfig;
import org.prefixmoe.djl.train.Trainer;

import java.util.List;

/** The paper's optimizer recipe: warm-up + cosine schedule, and SGD with momentum and weight decay checked by hand. */
class SgdScheduleTest {

    @Test
    void warmupThenCosineToZero() {
        int w = 4;
        int t = 20;
        assertEquals(0.25, Schedule.warmupCosine(0, w, t), 1e-12);
        assertEquals(1.0, Schedule.warmupCosine(3, w, t), 1e-12);
        assertEquals(1.0, Schedule.warmupCosine(4, w, t), 1e-12); // peak at the first cosine step
        assertEquals(0.5, Schedule.warmupCosine(12, w, t), 1e-12); // half-way through the cosine part
        for (int s = w; s + 1 < t; s++) {
            assertTrue(Schedule.warmupCosine(s + 1, w, t) < Schedule.warmupCosine(s, w, t));
        }
        assertTrue(Schedule.warmupCosine(t - 1, w, t) > 0 && Schedule.warmupCosine(t - 1, w, t) < 0.01);
        assertEquals(1.0, Schedule.warmupCosine(0, 0, t), 1e-12); // no warm-up
    }

    /**
     * Linear probe (frozen backbone, dropout irrelevant) on one full batch, three SGD steps: the head must follow
     * {@code d = g + wd w} (no decay on the bias), {@code buf = mu buf + d}, {@code w -= lr_t buf}, with the
     * cross-entropy gradient {@code f^T (softmax - onehot) / B} computed here in double precision.
     */
    @Test
    void sgdWithMomentumAndWeightDecayMatchesHandComputation() {
        int classes = 3;
        int n = 12;
        int d = TestModels.TINY.dim();
        float lr = 0.5f;
        float wd = 0.05f;
        float mu = 0.9f;
        int steps = 3;
        int warm = 2;
        try (NDManager m = NDManager.newBaseManager()) {
            VisionTransformer vit = VisionTransformer.create(TestModels.TINY, m, 1);
            Params head = Classifier.newHead(m, d, classes, 2);
            Classifier model = new Classifier(vit, null, head);
            ImageSet data = TestModels.synthetic(n, classes, 5);
            float[] f;
            try (NDManager s = m.newSubManager()) {
                f = vit.features(s, s.create(data.pixels(), new Shape(n, 64)), null).toFloatArray();
            }
            double[] w = toDouble(head.get("head.w").toFloatArray());
            double[] b = toDouble(head.get("head.b").toFloatArray());
            double[] bw = new double[w.length];
            double[] bb = new double[b.length];
            for (int t = 0; t < steps; t++) {
                double[] gw = new double[w.length];
                double[] gb = new double[b.length];
                for (int i = 0; i < n; i++) {
                    double[] z = new double[classes];
                    double max = Double.NEGATIVE_INFINITY;
                    for (int c = 0; c < classes; c++) {
                        z[c] = b[c];
                        for (int k = 0; k < d; k++) {
                            z[c] += f[i * d + k] * w[k * classes + c];
                        }
                        max = Math.max(max, z[c]);
                    }
                    double sum = 0;
                    for (int c = 0; c < classes; c++) {
                        z[c] = Math.exp(z[c] - max);
                        sum += z[c];
                    }
                    for (int c = 0; c < classes; c++) {
                        double r = (z[c] / sum - (data.labels()[i] == c ? 1 : 0)) / n;
                        gb[c] += r;
                        for (int k = 0; k < d; k++) {
                            gw[k * classes + c] += f[i * d + k] * r;
                        }
                    }
                }
                double rate = lr * Schedule.warmupCosine(t, warm, steps);
                for (int j = 0; j < w.length; j++) {
                    double dj = gw[j] + wd * w[j];
                    bw[j] = t == 0 ? dj : mu * bw[j] + dj;
                    w[j] -= rate * bw[j];
                }
                for (int j = 0; j < b.length; j++) {
                    bb[j] = t == 0 ? gb[j] : mu * bb[j] + gb[j]; // no weight decay on the head's bias
                    b[j] -= rate * bb[j];
                }
            }
            Trainer.train(model, List.of(head), data, null,
                    new TrainConfig(TrainConfig.Optimizer.SGD, steps, n, lr, mu, wd, warm, 0f, 1, 0), null);
            float[] gotW = head.get("head.w").toFloatArray();
            float[] gotB = head.get("head.b").toFloatArray();
            for (int j = 0; j < w.length; j++) {
                assertEquals(w[j], gotW[j], 2e-5, "w[" + j + "]");
            }
            for (int j = 0; j < b.length; j++) {
                assertEquals(b[j], gotB[j], 2e-5, "b[" + j + "]");
            }
        }
    }

    private static double[] toDouble(float[] x) {
        double[] y = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            y[i] = x[i];
        }
        return y;
    }
}
