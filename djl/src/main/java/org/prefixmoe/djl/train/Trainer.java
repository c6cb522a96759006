package org.prefixmoe.djl.train;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.Tracker;

import org.prefixmoe.djl.data.ImageSet;
import org.prefixmoe.djl.model.Classifier;
import org.prefixmoe.djl.model.Params;
import org.prefixmoe.djl.model.VisionTransformer;

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
 * ({@link TrainConfig}); batches are consecutive slices of seeded permutations of the training set. The head
 * ({@code head.*}) and the adapted tensors have separate peak rates; the loss is watched for divergence
 * ({@link Divergence}), and a non-finite loss stops the run. {@link #trainBatched} trains several runs in one
 * forward/backward pass with the same results up to float rounding.
 */
public final class Trainer {

    /** The head's bias gets no weight decay, as in the paper's code ({@code last_layer.bias}). */
    static final String NO_DECAY = "head.b";
    /** Tensors whose names start with this belong to the head and get {@link TrainConfig#headLearningRate()}. */
    static final String HEAD = "head.";

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
     * @return losses, accuracies, timings, divergence
     */
    public static TrainResult train(Classifier model, List<Params> trainable, ImageSet train, ImageSet eval,
                                    TrainConfig cfg, Consumer<Progress> progress) {
        NDManager root = model.head().manager();
        Optimizer adam = cfg.optimizer() == TrainConfig.Optimizer.ADAM
                ? Optimizer.adam().optLearningRateTracker(Tracker.fixed(cfg.learningRate()))
                .optWeightDecays(cfg.weightDecay()).build()
                : null;
        // The engine's generator draws what is not drawn in Java (none of the adaptation's randomness: prefix dropout
        // masks come from Run.masks); seeding it per run keeps any remaining engine draw repeatable on one device.
        Engine.getInstance().setRandomSeed((int) (cfg.seed() ^ (cfg.seed() >>> 32)));
        long t0 = System.nanoTime();
        long cpu0 = CPU.getCurrentThreadCpuTime();
        double logLoss = 0;
        long logCorrect = 0;
        long logCount = 0;
        double lr = 0;
        try (NDManager state = root.newSubManager()) {
            Run run = new Run(model, trainable, train, cfg, state);
            for (int step = 0; step < cfg.steps(); step++) {
                int[] yb = new int[run.batchSize()];
                float[] xb = run.nextBatch(yb);
                lr = cfg.optimizer() == TrainConfig.Optimizer.SGD
                        ? Schedule.warmupCosine(step, cfg.warmupSteps(), cfg.steps())
                        : 1;
                try (NDManager stepManager = root.newSubManager()) {
                    NDArray x = stepManager.create(xb, new Shape(yb.length, train.imageSize()));
                    NDArray y = stepManager.create(yb);
                    NDArray logits;
                    NDArray loss;
                    try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                        logits = model.logits(stepManager, x, cfg.prefixDropout(), run.masks);
                        loss = crossEntropy(logits, y);
                        gc.backward(loss);
                    }
                    double l = loss.getFloat();
                    if (!run.record(l, correct(logits, y), yb.length)) {
                        break; // non-finite loss: the run diverged; no update with its gradients
                    }
                    run.update(lr, adam, stepManager);
                    logLoss += l * yb.length;
                    logCorrect += run.lastCorrect;
                    logCount += yb.length;
                }
                if (progress != null && cfg.logEvery() > 0 && ((step + 1) % cfg.logEvery() == 0
                        || step + 1 == cfg.steps())) {
                    double per = (System.nanoTime() - t0) / 1e9 / (step + 1);
                    progress.accept(new Progress(step + 1, cfg.steps(), logLoss / logCount,
                            (double) logCorrect / logCount, lr * cfg.learningRate(), per, per * (cfg.steps() - step - 1)));
                    logLoss = 0;
                    logCorrect = 0;
                    logCount = 0;
                }
            }
            double trainSeconds = (System.nanoTime() - t0) / 1e9;
            double trainCpuSeconds = (CPU.getCurrentThreadCpuTime() - cpu0) / 1e9;
            run.close();
            return run.result(eval, trainSeconds, trainCpuSeconds);
        }
    }

    /**
     * One member of a batched training run ({@link #trainBatched}): a classifier (its own head and prefix on the
     * shared frozen backbone), what it trains, its training images and its settings (seed, rates).
     *
     * @param model the classifier
     * @param trainable the parameter sets to train (never the backbone)
     * @param train its training images
     * @param eval its evaluation images, or null
     * @param cfg its settings (SGD)
     */
    public record Member(Classifier model, List<Params> trainable, ImageSet train, ImageSet eval, TrainConfig cfg) {}

    /**
     * Trains several independent runs in one forward and backward pass per step: the members' mini-batches are
     * stacked along the batch dimension ({@code M * B} examples), each example carrying its own member's prefix
     * keys and values (the attention takes per-example prefixes), the backbone runs once on the stacked batch, the
     * class-token features are split back per member and go through each member's head, and the loss is the sum
     * of the members' mean cross-entropies. Parameters are disjoint across members, so each member's gradient, and
     * hence its SGD update, is the one its own run would compute; only the summation order inside the batched
     * operations differs (float rounding). Batch order, prefix-dropout masks (drawn in Java), learning rates and
     * divergence are per member, exactly as in {@link #train}. A member whose loss turns non-finite is dropped
     * from later steps, as {@link #train} stops such a run.
     *
     * <p>Constraints: one frozen backbone object for all members (full fine-tuning cannot be batched this way);
     * either every member has a prefix or none has; equal steps, batch size and training-set size; SGD.
     *
     * @param members the runs
     * @return one result per member, in order; wall and CPU time are the batched run's divided among the members
     */
    public static List<TrainResult> trainBatched(List<Member> members) {
        if (members.isEmpty()) {
            return List.of();
        }
        Member first = members.get(0);
        VisionTransformer backbone = first.model().backbone();
        TrainConfig c0 = first.cfg();
        for (Member m : members) {
            TrainConfig c = m.cfg();
            if (m.model().backbone() != backbone || (m.model().prefix() == null) != (first.model().prefix() == null)
                    || c.steps() != c0.steps() || c.batchSize() != c0.batchSize() || c.warmupSteps() != c0.warmupSteps()
                    || c.optimizer() != TrainConfig.Optimizer.SGD || m.train().size() != first.train().size()) {
                throw new IllegalArgumentException("batched members must share the backbone, prefix use, steps, "
                        + "batch size, warm-up, training-set size and use SGD");
            }
            for (Params p : m.trainable()) {
                if (p == backbone.params()) {
                    throw new IllegalArgumentException("a batched member cannot train the shared backbone");
                }
            }
        }
        NDManager root = first.model().head().manager();
        int px = first.train().imageSize();
        long t0 = System.nanoTime();
        long cpu0 = CPU.getCurrentThreadCpuTime();
        List<TrainResult> results = new ArrayList<>();
        try (NDManager state = root.newSubManager()) {
            List<Run> runs = new ArrayList<>();
            for (Member m : members) {
                runs.add(new Run(m.model(), m.trainable(), m.train(), m.cfg(), state));
            }
            for (int step = 0; step < c0.steps(); step++) {
                List<Run> active = runs.stream().filter(r -> !r.stopped).toList();
                if (active.isEmpty()) {
                    break;
                }
                int bs = active.get(0).batchSize();
                int mcount = active.size();
                float[] xb = new float[mcount * bs * px];
                int[][] ys = new int[mcount][];
                for (int i = 0; i < mcount; i++) {
                    ys[i] = new int[bs];
                    System.arraycopy(active.get(i).nextBatch(ys[i]), 0, xb, i * bs * px, bs * px);
                }
                double mult = Schedule.warmupCosine(step, c0.warmupSteps(), c0.steps());
                try (NDManager sm = root.newSubManager()) {
                    NDArray x = sm.create(xb, new Shape((long) mcount * bs, px));
                    NDArray[] losses = new NDArray[mcount];
                    NDArray[] logits = new NDArray[mcount];
                    NDArray[] labels = new NDArray[mcount];
                    try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                        List<NDArray[]> kv = null;
                        if (first.model().prefix() != null) {
                            List<List<NDArray[]>> per = new ArrayList<>();
                            for (Run r : active) {
                                per.add(r.model.prefix().keysValues(sm, bs, r.cfg.prefixDropout(), r.masks));
                            }
                            kv = new ArrayList<>();
                            for (int l = 0; l < per.get(0).size(); l++) {
                                NDList ks = new NDList();
                                NDList vs = new NDList();
                                for (List<NDArray[]> p : per) {
                                    ks.add(perExample(p.get(l)[0], bs));
                                    vs.add(perExample(p.get(l)[1], bs));
                                }
                                kv.add(new NDArray[] {NDArrays.concat(ks, 0), NDArrays.concat(vs, 0)});
                            }
                        }
                        NDArray f = backbone.features(sm, x, kv);
                        NDArray total = null;
                        for (int i = 0; i < mcount; i++) {
                            NDArray fi = f.get(new NDIndex("{}:{}", (long) i * bs, (long) (i + 1) * bs));
                            logits[i] = active.get(i).model.headLogits(sm, fi);
                            labels[i] = sm.create(ys[i]);
                            losses[i] = crossEntropy(logits[i], labels[i]);
                            total = total == null ? losses[i] : total.add(losses[i]);
                        }
                        gc.backward(total);
                    }
                    for (int i = 0; i < mcount; i++) {
                        Run r = active.get(i);
                        if (r.record(losses[i].getFloat(), correct(logits[i], labels[i]), bs)) {
                            r.update(mult, null, sm);
                        } else {
                            r.stopped = true;
                        }
                    }
                }
            }
            double trainSeconds = (System.nanoTime() - t0) / 1e9 / members.size();
            double trainCpuSeconds = (CPU.getCurrentThreadCpuTime() - cpu0) / 1e9 / members.size();
            for (int i = 0; i < runs.size(); i++) {
                runs.get(i).close();
                results.add(runs.get(i).result(members.get(i).eval(), trainSeconds, trainCpuSeconds));
            }
        }
        return results;
    }

    /** {@code (L, d)} expanded to {@code (B, L, d)}; a {@code (B, L, d)} tensor unchanged. */
    private static NDArray perExample(NDArray x, long batch) {
        return x.getShape().dimension() == 3 ? x
                : x.expandDims(0).broadcast(batch, x.getShape().get(0), x.getShape().get(1));
    }

    private static long correct(NDArray logits, NDArray y) {
        return logits.argMax(1).toType(DataType.INT32, false).eq(y.toType(DataType.INT32, false)).sum().getLong();
    }

    /**
     * The state of one run: its batch order, dropout-mask source, momentum buffers, divergence watch and loss
     * records. Shared by {@link #train} and {@link #trainBatched}, so both take identical steps.
     */
    private static final class Run {
        final Classifier model;
        final TrainConfig cfg;
        final ImageSet train;
        final Random rng;
        final Random masks;
        final Map<String, NDArray> weights = new LinkedHashMap<>();
        final Map<String, NDArray> momentum = new LinkedHashMap<>();
        final List<Params> trainable;
        final NDManager state;
        final Divergence divergence;
        final List<Double> passLoss = new ArrayList<>();
        final List<Double> passAcc = new ArrayList<>();
        final double[] recentLoss;
        final int[] recentCount;
        int[] order;
        int pos;
        int steps;
        double passLossSum;
        long passCorrect;
        long lastCorrect;
        boolean stopped;

        Run(Classifier model, List<Params> trainable, ImageSet train, TrainConfig cfg, NDManager state) {
            this.model = model;
            this.cfg = cfg;
            this.train = train;
            this.trainable = trainable;
            this.state = state;
            for (Params p : trainable) {
                p.setTrainable(true);
                for (Map.Entry<String, NDArray> e : p.all().entrySet()) {
                    weights.put(e.getKey() + "@" + System.identityHashCode(p), e.getValue());
                }
            }
            this.rng = new Random(cfg.seed());
            // A separate Java stream for the prefix-dropout masks: independent of the device and of the batch.
            this.masks = new Random(31 * cfg.seed() + 17);
            int n = train.size();
            int stepsPerPass = (n + cfg.batchSize() - 1) / cfg.batchSize();
            this.recentLoss = new double[Math.max(1, Math.min(stepsPerPass, Math.max(1, cfg.steps())))];
            this.recentCount = new int[recentLoss.length];
            this.divergence = new Divergence(Divergence.window(cfg.steps(), stepsPerPass));
            this.order = ImageSet.permutation(n, rng);
        }

        int batchSize() {
            return Math.min(cfg.batchSize(), train.size() - pos);
        }

        /** The next mini-batch's pixels; its labels go to {@code yb} (of length {@link #batchSize()}). */
        float[] nextBatch(int[] yb) {
            int px = train.imageSize();
            int bs = yb.length;
            float[] xb = new float[bs * px];
            for (int k = 0; k < bs; k++) {
                int i = order[pos + k];
                System.arraycopy(train.pixels(), i * px, xb, k * px, px);
                yb[k] = train.labels()[i];
            }
            return xb;
        }

        /** Records a step's loss; false (and nothing recorded) if it is not finite. */
        boolean record(double l, long c, int bs) {
            if (!divergence.add(l)) {
                stopped = true;
                return false;
            }
            lastCorrect = c;
            passLossSum += l * bs;
            passCorrect += c;
            recentLoss[steps % recentLoss.length] = l * bs;
            recentCount[steps % recentLoss.length] = bs;
            steps++;
            pos += bs;
            int n = train.size();
            if (pos == n) {
                passLoss.add(passLossSum / n);
                passAcc.add((double) passCorrect / n);
                passLossSum = 0;
                passCorrect = 0;
                order = ImageSet.permutation(n, rng);
                pos = 0;
            }
            return true;
        }

        /** Applies this step's gradients ({@code mult}: the schedule's multiplier of the peak rates) and clears them. */
        void update(double mult, Optimizer adam, NDManager step) {
            for (Map.Entry<String, NDArray> e : weights.entrySet()) {
                NDArray w = e.getValue();
                try (NDArray g = w.getGradient()) {
                    if (adam != null) {
                        adam.update(e.getKey(), w, g);
                    } else {
                        double peak = e.getKey().startsWith(HEAD) ? cfg.headLearningRate() : cfg.learningRate();
                        sgdUpdate(e.getKey(), w, g, peak * mult, cfg, momentum, state, step);
                    }
                    // PyTorch accumulates gradients: clear them for the next step.
                    g.muli(0);
                }
            }
        }

        void close() {
            for (Params p : trainable) {
                p.setTrainable(false);
            }
        }

        TrainResult result(ImageSet eval, double trainSeconds, double trainCpuSeconds) {
            double recentSum = 0;
            long recentN = 0;
            for (int i = 0; i < Math.min(steps, recentLoss.length); i++) {
                recentSum += recentLoss[i];
                recentN += recentCount[i];
            }
            long t1 = System.nanoTime();
            double acc = eval == null ? Double.NaN : accuracy(model, eval, 500);
            double evalSeconds = (System.nanoTime() - t1) / 1e9;
            return new TrainResult(passLoss, passAcc, acc, steps, trainSeconds, evalSeconds,
                    recentN == 0 ? Double.NaN : recentSum / recentN, trainCpuSeconds, divergence.initialLoss(),
                    divergence.diverged(), divergence.reason());
        }
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
