package org.prefixmoe.djl.train;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.Tracker;

import org.prefixmoe.djl.data.ImageSet;
import org.prefixmoe.djl.model.Classifier;
import org.prefixmoe.djl.model.Params;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Consumer;

/**
 * A plain mini-batch training loop: forward under a {@link GradientCollector}, cross-entropy loss,
 * backward, and a DJL Adam update of exactly the tensors passed as trainable. Everything else is
 * frozen: it neither collects a gradient nor is given to the optimizer, so it stays bit-identical.
 */
public final class Trainer {

    private Trainer() {}

    /** A progress line emitted after each epoch. */
    public record Progress(int epoch, int epochs, double loss, double trainAccuracy, Double evalAccuracy,
                           double secondsPerEpoch, double secondsLeft) {}

    /**
     * Trains {@code trainable} to minimize cross-entropy of {@code model} on {@code train}.
     *
     * @param model the classifier
     * @param trainable the parameter sets to train (all others frozen)
     * @param train training images (labels {@code 0..C-1})
     * @param eval evaluation images, or null
     * @param cfg optimization settings
     * @param progress receives one line per epoch (may be null)
     * @return losses, accuracies, timings
     */
    public static TrainResult train(Classifier model, List<Params> trainable, ImageSet train, ImageSet eval,
                                    TrainConfig cfg, Consumer<Progress> progress) {
        NDManager root = model.head().manager();
        Map<String, NDArray> weights = new LinkedHashMap<>();
        for (Params p : trainable) {
            p.setTrainable(true);
            for (Map.Entry<String, NDArray> e : p.all().entrySet()) {
                weights.put(e.getKey() + "@" + System.identityHashCode(p), e.getValue());
            }
        }
        Optimizer opt = Optimizer.adam()
                .optLearningRateTracker(Tracker.fixed(cfg.learningRate()))
                .optWeightDecays(cfg.weightDecay())
                .build();
        Random rng = new Random(cfg.seed());
        List<Double> losses = new ArrayList<>();
        List<Double> accs = new ArrayList<>();
        int n = train.size();
        int px = train.imageSize();
        long t0 = System.nanoTime();
        for (int epoch = 1; epoch <= cfg.epochs(); epoch++) {
            int[] order = ImageSet.permutation(n, rng);
            double lossSum = 0;
            long correct = 0;
            for (int start = 0; start < n; start += cfg.batchSize()) {
                int bs = Math.min(cfg.batchSize(), n - start);
                float[] xb = new float[bs * px];
                int[] yb = new int[bs];
                for (int k = 0; k < bs; k++) {
                    int i = order[start + k];
                    System.arraycopy(train.pixels(), i * px, xb, k * px, px);
                    yb[k] = train.labels()[i];
                }
                try (NDManager step = root.newSubManager()) {
                    NDArray x = step.create(xb, new Shape(bs, px));
                    NDArray y = step.create(yb);
                    NDArray logits;
                    NDArray loss;
                    try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                        logits = model.logits(step, x);
                        loss = crossEntropy(logits, y);
                        gc.backward(loss);
                    }
                    for (Map.Entry<String, NDArray> e : weights.entrySet()) {
                        NDArray w = e.getValue();
                        try (NDArray g = w.getGradient()) {
                            opt.update(e.getKey(), w, g);
                            // PyTorch accumulates gradients: clear them for the next step.
                            g.muli(0);
                        }
                    }
                    lossSum += loss.getFloat() * bs;
                    correct += logits.argMax(1).toType(DataType.INT32, false).eq(y.toType(DataType.INT32, false))
                            .sum().getLong();
                }
            }
            double elapsed = (System.nanoTime() - t0) / 1e9;
            losses.add(lossSum / n);
            accs.add((double) correct / n);
            Double ev = null;
            if (eval != null && cfg.evalEvery() > 0 && epoch % cfg.evalEvery() == 0 && epoch < cfg.epochs()) {
                ev = accuracy(model, eval, 500);
            }
            if (progress != null) {
                double per = elapsed / epoch;
                progress.accept(new Progress(epoch, cfg.epochs(), lossSum / n, (double) correct / n, ev, per,
                        per * (cfg.epochs() - epoch)));
            }
        }
        double trainSeconds = (System.nanoTime() - t0) / 1e9;
        for (Params p : trainable) {
            p.setTrainable(false);
        }
        long t1 = System.nanoTime();
        double acc = eval == null ? Double.NaN : accuracy(model, eval, 500);
        double evalSeconds = (System.nanoTime() - t1) / 1e9;
        return new TrainResult(losses, accs, acc, trainSeconds, evalSeconds);
    }

    /**
     * Mean cross-entropy of logits against integer labels.
     *
     * @param logits {@code (B, C)}
     * @param labels {@code (B)} integers
     * @return scalar loss
     */
    public static NDArray crossEntropy(NDArray logits, NDArray labels) {
        long c = logits.getShape().get(1);
        NDArray onehot = labels.toType(DataType.INT64, false).oneHot((int) c, DataType.FLOAT32);
        return logits.logSoftmax(1).mul(onehot).sum(new int[] {1}).neg().mean();
    }

    /**
     * Classification accuracy, computed without gradients in batches.
     *
     * @param model the classifier
     * @param data images and labels
     * @param batch evaluation batch size
     * @return fraction correct
     */
    public static double accuracy(Classifier model, ImageSet data, int batch) {
        NDManager root = model.head().manager();
        int px = data.imageSize();
        long correct = 0;
        for (int start = 0; start < data.size(); start += batch) {
            int bs = Math.min(batch, data.size() - start);
            float[] xb = new float[bs * px];
            System.arraycopy(data.pixels(), start * px, xb, 0, bs * px);
            int[] yb = new int[bs];
            System.arraycopy(data.labels(), start, yb, 0, bs);
            try (NDManager step = root.newSubManager()) {
                NDArray logits = model.logits(step, step.create(xb, new Shape(bs, px)));
                correct += logits.argMax(1).toType(DataType.INT32, false).eq(step.create(yb)).sum().getLong();
            }
        }
        return (double) correct / data.size();
    }

    /**
     * Mean cross-entropy over a data set, without gradients.
     *
     * @param model the classifier
     * @param data images and labels
     * @param batch batch size
     * @return mean loss
     */
    public static double meanLoss(Classifier model, ImageSet data, int batch) {
        NDManager root = model.head().manager();
        int px = data.imageSize();
        double sum = 0;
        for (int start = 0; start < data.size(); start += batch) {
            int bs = Math.min(batch, data.size() - start);
            float[] xb = new float[bs * px];
            System.arraycopy(data.pixels(), start * px, xb, 0, bs * px);
            int[] yb = new int[bs];
            System.arraycopy(data.labels(), start, yb, 0, bs);
            try (NDManager step = root.newSubManager()) {
                NDArray logits = model.logits(step, step.create(xb, new Shape(bs, px)));
                sum += crossEntropy(logits, step.create(yb)).getFloat() * bs;
            }
        }
        return sum / data.size();
    }
}
