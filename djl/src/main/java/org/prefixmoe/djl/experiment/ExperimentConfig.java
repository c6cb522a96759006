package org.prefixmoe.djl.experiment;

import org.prefixmoe.djl.model.ViTConfig;
import org.prefixmoe.djl.train.Method;

import java.nio.file.Path;
import java.util.List;

/**
 * Everything that defines one run of the companion experiment.
 *
 * @param dataDir Fashion-MNIST IDX directory
 * @param outDir where the table, chart and README go
 * @param checkpointDir where the pretrained backbone, adapted parameters and the per-run log go
 * @param vit backbone shape
 * @param pretrainEpochs pretraining epochs on classes 0-4
 * @param pretrainSize pretraining images (0: all ~30k of classes 0-4)
 * @param pretrainBatch pretraining batch size
 * @param pretrainLr pretraining learning rate
 * @param trainSize adaptation training images of classes 5-9 (the "1K" protocol: 1000)
 * @param seeds seeds of the adaptation runs (each seed: its own 1K subset, head and prefix init, batch order)
 * @param methods methods compared
 * @param prefixLength prefix length L
 * @param deepHidden hidden width of deep-share
 * @param epochs adaptation epochs
 * @param batchSize adaptation batch size
 * @param lr learning rate of linear probe and prefix methods
 * @param lrFull learning rate of full fine-tuning
 * @param command the command line, recorded next to the results
 */
public record ExperimentConfig(Path dataDir, Path outDir, Path checkpointDir, ViTConfig vit, int pretrainEpochs,
                               int pretrainSize, int pretrainBatch, float pretrainLr, int trainSize, List<Long> seeds,
                               List<Method> methods, int prefixLength, int deepHidden, int epochs, int batchSize,
                               float lr, float lrFull, String command) {

    /** Identifies the pretrained backbone: the checkpoint is reused only if all of this matches. */
    public String pretrainTag() {
        return vit.tag() + "-e" + pretrainEpochs + "-n" + pretrainSize + "-b" + pretrainBatch + "-lr" + pretrainLr;
    }

    /** Identifies the adaptation settings: a logged run is reused only if this matches. */
    public String adaptTag() {
        return pretrainTag() + "|n" + trainSize + "|L" + prefixLength + "|h" + deepHidden + "|e" + epochs + "|b"
                + batchSize + "|lr" + lr + "|lrf" + lrFull;
    }
}
