package org.prefixmoe.djl.experiment;

import org.prefixmoe.djl.model.ViTConfig;
import org.prefixmoe.djl.train.Method;
import org.prefixmoe.djl.train.TrainConfig;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Everything that defines the sample-efficiency study.
 *
 * @param dataDir Fashion-MNIST IDX directory
 * @param outDir where runs.csv, the tables, the figures and the pretrained backbone go
 * @param checkpointDir where the append-only logs of every configuration and the adapted parameters go
 * @param vit backbone shape
 * @param pretrainEpochs pretraining epochs on classes 0-4
 * @param pretrainSize pretraining images (0: all ~30k of classes 0-4)
 * @param pretrainBatch pretraining batch size
 * @param pretrainLr pretraining Adam learning rate
 * @param sizes training images per class of the adaptation runs, increasing
 * @param seeds test seeds (each: its own nested training subsets, head and prefix initialization, batch order)
 * @param selectionSeeds seeds of the learning-rate selection runs, disjoint from {@code seeds}
 * @param methods methods compared
 * @param prefixLength prefix length L
 * @param deepHidden hidden width of deep-share
 * @param minSteps fewest optimizer steps of an adaptation run ({@link #steps(int)})
 * @param epochs passes over the training set of an adaptation run, unless that is fewer than {@code minSteps} steps
 * @param batchSize adaptation batch size
 * @param warmupFraction fraction of a run's steps spent in linear warm-up
 * @param weightDecay L2 weight decay
 * @param prefixDropout prefix dropout probability
 * @param validationPerClass validation images per class held out of the adaptation pool
 * @param testSize test images of classes 5-9 to score on (0: all 5000; fewer only for smoke tests)
 * @param grids initial grid of the adapted parameters' learning rate per method (prefix, reparameterization, or
 *     backbone; rates on the 1-3-10 ladder, see {@link LrLadder}); ignored for the linear probe
 * @param headGrids initial grid of the head's learning rate per method
 * @param maxExtensions how many times each axis of a grid may be extended when its winner sits at an edge
 * @param device the device the runs are computed on ({@code cpu}, {@code gpu}, ...): part of the configuration hash,
 *     so runs made on one device are never reused for another
 * @param batchJobs how many runs of one method and size are trained together in one forward/backward pass
 *     ({@link Adaptation#runBatched}; 1: one at a time). Equal results up to float rounding, so not part of the hash
 * @param command the command line, recorded next to the results
 */
public record StudyConfig(Path dataDir, Path outDir, Path checkpointDir, ViTConfig vit, int pretrainEpochs,
                          int pretrainSize, int pretrainBatch, float pretrainLr, List<Integer> sizes, List<Long> seeds,
                          List<Long> selectionSeeds, List<Method> methods, int prefixLength, int deepHidden, int minSteps,
                          int epochs, int batchSize, float warmupFraction, float weightDecay, float prefixDropout,
                          int validationPerClass, int testSize, Map<Method, List<Float>> grids,
                          Map<Method, List<Float>> headGrids, int maxExtensions, String device, int batchJobs,
                          String command) {

    /** Classes of the adaptation task (Fashion-MNIST 5-9). */
    public static final int CLASSES = 5;

    /** Checks the constraints that would silently spoil the study. */
    public StudyConfig {
        for (long s : selectionSeeds) {
            if (seeds.contains(s)) {
                throw new IllegalArgumentException("selection seed " + s + " is also a test seed");
            }
        }
        for (int i = 1; i < sizes.size(); i++) {
            if (sizes.get(i) <= sizes.get(i - 1)) {
                throw new IllegalArgumentException("--sizes must be increasing: " + sizes);
            }
        }
        if (validationPerClass < 1) {
            throw new IllegalArgumentException("--val-per-class must be at least 1 (learning rates are chosen on it)");
        }
        for (Method m : methods) {
            if (m != Method.LINEAR_PROBE && (grids.get(m) == null || grids.get(m).isEmpty())) {
                throw new IllegalArgumentException("no learning-rate grid for " + m.label());
            }
            if (headGrids.get(m) == null || headGrids.get(m).isEmpty()) {
                throw new IllegalArgumentException("no head learning-rate grid for " + m.label());
            }
        }
        if (minSteps < 1 || epochs < 0 || batchJobs < 1 || warmupFraction < 0 || warmupFraction >= 1) {
            throw new IllegalArgumentException("invalid training length: --min-steps " + minSteps + ", --epochs "
                    + epochs + ", --batch-jobs " + batchJobs + ", --warmup-fraction " + warmupFraction);
        }
    }

    /** Identifies the pretrained backbone: the checkpoint is reused only if all of this matches. */
    public String pretrainTag() {
        return vit.tag() + "-e" + pretrainEpochs + "-n" + pretrainSize + "-b" + pretrainBatch + "-lr" + pretrainLr;
    }

    /**
     * Revision of what training computes, raised when a fix changes the runs' results so that runs of the earlier
     * code are never reused: 2 since the attention's scale stopped being freed between forward and backward
     * (the runs of revision 1, configuration f4675016, lost the score gradients of a layer on some steps).
     */
    public static final int TRAINING_REVISION = 2;

    /**
     * Every setting that affects a run apart from method, size, seed and rate: logged runs are reused only if
     * this matches (including a fingerprint of the backbone's values and {@link #TRAINING_REVISION}).
     *
     * @param backboneFingerprint hash of the pretrained backbone's tensors
     * @return the tag
     */
    public String settingsTag(String backboneFingerprint) {
        return pretrainTag() + "#" + backboneFingerprint + "|L" + prefixLength + "|h" + deepHidden
                + "|sgd-m0.9-lr2|ep" + epochs + "min" + minSteps + "|b" + batchSize + "|wu" + warmupFraction + "|wd"
                + weightDecay + "|pdrop" + prefixDropout + "-java|div" + org.prefixmoe.djl.train.Divergence.FACTOR
                + "|val" + validationPerClass + "x5@" + AdaptationSplits.VALIDATION_SEED
                + (testSize > 0 ? "|test" + testSize : "") + "|rev" + TRAINING_REVISION + "|dev=" + deviceType(device);
    }

    /**
     * The device's type for the configuration hash: {@code cpu} or {@code gpu} (all GPUs of one kind of build are
     * taken as equivalent; a run on any GPU is never reused for the CPU or the other way round).
     *
     * @param device a device name such as {@code cpu()}, {@code gpu(0)}, {@code cpu}, {@code gpu:1}
     * @return {@code cpu} or {@code gpu}
     */
    public static String deviceType(String device) {
        String d = device.trim().toLowerCase(java.util.Locale.ROOT);
        if (d.startsWith("cpu")) {
            return "cpu";
        }
        if (d.startsWith("gpu") || d.startsWith("cuda")) {
            return "gpu";
        }
        throw new IllegalArgumentException("unknown device '" + device + "'");
    }

    /**
     * Optimizer steps of a run with {@code perClass} images per class: {@code epochs} passes over the
     * {@code 5 perClass} images, rounded up to whole batches, but at least {@code minSteps}. The same rule for every
     * method.
     *
     * @param perClass images per class
     * @return steps
     */
    public int steps(int perClass) {
        long perPass = (CLASSES * (long) perClass + batchSize - 1) / batchSize;
        return (int) Math.max(minSteps, epochs * perPass);
    }

    /**
     * The optimization of one run (the seed is set per run by {@link Adaptation}).
     *
     * @param lr peak learning rate of the adapted parameters
     * @param headLr peak learning rate of the head
     * @param perClass images per class (sets the number of steps, {@link #steps(int)})
     * @return the settings
     */
    public Adaptation.Settings settings(float lr, float headLr, int perClass) {
        int n = steps(perClass);
        return new Adaptation.Settings(prefixLength, deepHidden, TrainConfig.sgd(n, batchSize, lr, headLr, weightDecay,
                Math.round(warmupFraction * n), prefixDropout, 0));
    }
}
