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
 * @param steps optimizer steps of every adaptation run
 * @param batchSize adaptation batch size
 * @param warmupSteps linear warm-up steps
 * @param weightDecay L2 weight decay
 * @param prefixDropout prefix dropout probability
 * @param validationPerClass validation images per class held out of the adaptation pool
 * @param testSize test images of classes 5-9 to score on (0: all 5000; fewer only for smoke tests)
 * @param grids initial learning-rate grid per method (rates on the 1-3-10 ladder, see {@link LrLadder})
 * @param maxExtensions how many times a grid may be extended when its winner sits at an edge
 * @param command the command line, recorded next to the results
 */
public record StudyConfig(Path dataDir, Path outDir, Path checkpointDir, ViTConfig vit, int pretrainEpochs,
                          int pretrainSize, int pretrainBatch, float pretrainLr, List<Integer> sizes, List<Long> seeds,
                          List<Long> selectionSeeds, List<Method> methods, int prefixLength, int deepHidden, int steps,
                          int batchSize, int warmupSteps, float weightDecay, float prefixDropout,
                          int validationPerClass, int testSize, Map<Method, List<Float>> grids, int maxExtensions,
                          String command) {

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
            if (grids.get(m) == null || grids.get(m).isEmpty()) {
                throw new IllegalArgumentException("no learning-rate grid for " + m.label());
            }
        }
    }

    /** Identifies the pretrained backbone: the checkpoint is reused only if all of this matches. */
    public String pretrainTag() {
        return vit.tag() + "-e" + pretrainEpochs + "-n" + pretrainSize + "-b" + pretrainBatch + "-lr" + pretrainLr;
    }

    /**
     * Every setting that affects a run apart from method, size, seed and rate: logged runs are reused only if
     * this matches (including a fingerprint of the backbone's values).
     *
     * @param backboneFingerprint hash of the pretrained backbone's tensors
     * @return the tag
     */
    public String settingsTag(String backboneFingerprint) {
        return pretrainTag() + "#" + backboneFingerprint + "|L" + prefixLength + "|h" + deepHidden + "|sgd-m0.9|steps"
                + steps + "|b" + batchSize + "|wu" + warmupSteps + "|wd" + weightDecay + "|pdrop" + prefixDropout
                + "|val" + validationPerClass + "x5@" + AdaptationSplits.VALIDATION_SEED
                + (testSize > 0 ? "|test" + testSize : "");
    }

    /**
     * The optimization of one run at a learning rate (the seed is set per run by {@link Adaptation}).
     *
     * @param lr peak learning rate
     * @return the settings
     */
    public Adaptation.Settings settings(float lr) {
        return new Adaptation.Settings(prefixLength, deepHidden,
                TrainConfig.sgd(steps, batchSize, lr, weightDecay, warmupSteps, prefixDropout, 0));
    }
}
