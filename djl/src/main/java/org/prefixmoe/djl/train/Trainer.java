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
 * backward, and an update of exactly the tensors passed as trainable. Everything else is frozen: it neither
 * collects a gradient nor is updated, so it stays bit-identical. Runs a fixed number of optimizer steps
 * ({@link TrainConfig}); batches are consecutive slices of seeded permutations of the training set.
 */
public final class Trainer {

    /** The head's bias gets no weight decay, as in the paper's code ({@code last_layer.bias}). */
    static final String NO_DECAY = "head.b";

    private static final java.lang.management.ThreadMXBean CPU = java.lang.management.ManagementFactory.getThreadMXBean();

    private Trainer() {}

    /** A progress line, emitted every {@link TrainConfig#logEvery()} steps. */
    public record Progress(int step, int steps, double loss, double trainAccuracy, double learningRate,
                           double secondsPerStep, double secondsLeft) {}

    /**
     * Trains {@code trainable} to minimize cross-entropy of {@code model} on {@code train}.
     *
     * @param model the classifier
     * @param trainable the parameter sets to train (all others frozen)
     * @param train training images (labels {@code 0..C-1})
     * @param eval evaluation images, or null
     * @param cfg optimization settings
     * @param progress receives progress lines (may be null)
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
        Optimizer adam = cfg.optimizer() == TrainConfig.Optimizer.ADAM
                ? Optimizer.adam().optLearningRateTracker(Tracker.fixed(cfg.learningRate()))
                .optWeightDecays(cfg.weightDecay()).build()
                : null;
        // The engine's generator draws the dropout masks; seeding it per run makes runs repeatable on one device.
        Engine.getInstance().setRandomSeed((int) (cfg.seed() ^ (cfg.seed() >>> 32)));
        Random rng = new Random(cfg.seed());
        List<Double> passLoss = new ArrayList<>();
        List<Double> passAcc = new ArrayList<>();
        int n = train.size();
        int px = train.imageSize();
        int[] order = ImageSet.permutation(n, rng);
        int pos = 0;
        double passLossSum = 0;
        long passCorrect = 0;
        double logLoss = 0;
        long logCorrect = 0;
        long logCount = 0;
        int stepsPerPass = (n + cfg.batchSize() - 1) / cfg.batchSize();
        double[] recentLoss = new double[Math.max(1, Math.min(stepsPerPass, Math.max(1, cfg.steps())))];
        int[] recentCount = new int[recentLoss.length];
        long t0 = System.nanoTime();
        long cpu0 = CPU.getCurrentThreadCpuTime();
        try (NDManager state = root.newSubManager()) {
            Map<String, NDArray> momentum = new LinkedHashMap<>();
            for (int step = 0; step < cfg.steps(); step++) {
                int bs = Math.min(cfg.batchSize(), n - pos);
                float[] xb = new float[bs * px];
                int[] yb = new int[bs];
                for (int k = 0; k < bs; k++) {
                    int i = order[pos + k];
                    System.arraycopy(train.pixels(), i * px, xb, k * px, px);
                    yb[k] = train.labels()[i];
                }
                double lr = cfg.optimizer() == TrainConfig.Optimizer.SGD
                        ? cfg.learningRate() * Schedule.warmupCosine(step, cfg.warmupSteps(), cfg.steps())
                        : cfg.learningRate();
                try (NDManager stepManager = root.newSubManager()) {
                    NDArray x = stepManager.create(xb, new Shape(bs, px));
                    NDArray y = stepManager.create(yb);
                    NDArray logits;
                    NDArray loss;
                    try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                        logits = model.logits(stepManager, x, cfg.prefixDropout());
                        loss = crossEntropy(logits, y);
                        gc.backward(loss);
                    }
                    for (Map.Entry<String, NDArray> e : weights.entrySet()) {
                        NDArray w = e.getValue();
                        try (NDArray g = w.getGradient()) {
                            if (adam != null) {
                                adam.update(e.getKey(), w, g);
                            } else {
                                sgdUpdate(e.getKey(), w, g, lr, cfg, momentum, state, stepManager);
                            }
                            // PyTorch accumulates gradients: clear them for the next step.
                            g.muli(0);
                        }
                    }
                    double l = loss.getFloat();
                    long c = logits.argMax(1).toType(DataType.INT32, false).eq(y.toType(DataType.INT32, false))
                            .sum().getLong();
                    passLossSum += l * bs;
                    passCorrect += c;
                    logLoss += l * bs;
                    logCorrect += c;
                    logCount += bs;
                    recentLoss[step % recentLoss.length] = l * bs;
                    recentCount[step % recentLoss.length] = bs;
                }
                pos += bs;
                if (pos == n) {
                    passLoss.add(passLossSum / n);
                    passAcc.add((double) passCorrect / n);
                    passLossSum = 0;
                    passCorrect = 0;
                    order = ImageSet.permutation(n, rng);
                    pos = 0;
                }
                if (progress != null && cfg.logEvery() > 0 && ((step + 1) % cfg.logEvery() == 0
                        || step + 1 == cfg.steps())) {
                    double per = (System.nanoTime() - t0) / 1e9 / (step + 1);
                    progress.accept(new Progress(step + 1, cfg.steps(), logLoss / logCount,
                            (double) logCorrect / logCount, lr, per, per * (cfg.steps() - step - 1)));
                    logLoss = 0;
                    logCorrect = 0;
                    logCount = 0;
                }
            }
        }
        double trainSeconds = (System.nanoTime() - t0) / 1e9;
        double trainCpuSeconds = (CPU.getCurrentThreadCpuTime() - cpu0) / 1e9;
        for (Params p : trainable) {
            p.setTrainable(false);
        }
        double recentSum = 0;
        long recentN = 0;
        for (int i = 0; i < recentLoss.length; i++) {
            recentSum += recentLoss[i];
            recentN += recentCount[i];
        }
        long t1 = System.nanoTime();
        double acc = eval == null ? Double.NaN : accuracy(model, eval, 500);
        double evalSeconds = (System.nanoTime() - t1) / 1e9;
        return new TrainResult(passLoss, passAcc, acc, cfg.steps(), trainSeconds, evalSeconds,
                recentN == 0 ? Double.NaN : recentSum / recentN, trainCpuSeconds);
    }

    /**
     * One step of PyTorch's SGD with momentum (dampening 0, not Nesterov): {@code d = g + wd w} (no decay on the
     * head's bias), {@code buf = d} on the first step and {@code buf = mu buf + d} afterwards, {@code w -= lr buf}.
     */
    private static void sgdUpdate(String key, NDArray w, NDArray g, double lr, TrainConfig cfg,
                                  Map<String, NDArray> momentum, NDManager state, NDManager step) {
        NDArray d = g;
        if (cfg.weightDecay() > 0 && !key.startsWith(NO_DECAY + "@")) {
            NDArray decay = w.mul(cfg.weightDecay());
            decay.attach(step);
            d = g.add(decay);
            d.attach(step);
        }
        NDArray direction = d;
        if (cfg.momentum() > 0) {
            NDArray buf = momentum.get(key);
            if (buf == null) {
                buf = d.duplicate();
                buf.attach(state);
                momentum.put(key, buf);
            } else {
                buf.muli(cfg.momentum()).addi(d);
            }
            direction = buf;
        }
        NDArray delta = direction.mul((float) lr);
        delta.attach(step);
        w.subi(delta);
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
