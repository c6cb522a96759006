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
 * @param lr learning rate of linear probe and prefix methods (used as is when {@code select} is false)
 * @param lrFull learning rate of full fine-tuning (used as is when {@code select} is false)
 * @param validationSize validation images held out of the adaptation pool (disjoint from every training subset)
 * @param select whether to choose each method's learning rate on the validation set (else {@code lr}/{@code lrFull})
 * @param lrGrid learning rates tried for linear probe and the prefix methods
 * @param lrGridFull learning rates tried for full fine-tuning
 * @param selectEpochs epochs of the selection runs
 * @param command the command line, recorded next to the results
 */
public record ExperimentConfig(Path dataDir, Path outDir, Path checkpointDir, ViTConfig vit, int pretrainEpochs,
                               int pretrainSize, int pretrainBatch, float pretrainLr, int trainSize, List<Long> seeds,
                               List<Method> methods, int prefixLength, int deepHidden, int epochs, int batchSize,
                               float lr, float lrFull, int validationSize, boolean select, List<Float> lrGrid,
                               List<Float> lrGridFull, int selectEpochs, String command) {

    /** Identifies the pretrained backbone: the checkpoint is reused only if all of this matches. */
    public String pretrainTag() {
        return vit.tag() + "-e" + pretrainEpochs + "-n" + pretrainSize + "-b" + pretrainBatch + "-lr" + pretrainLr;
    }

    /**
     * Identifies the adaptation settings of one method at one learning rate: a logged run is reused only if
     * this matches (it includes the validation hold-out, which changes the training subsets).
     *
     * @param learningRate the method's learning rate
     * @return the tag
     */
    public String adaptTag(float learningRate) {
        return pretrainTag() + "|n" + trainSize + "|L" + prefixLength + "|h" + deepHidden + "|e" + epochs + "|b"
                + batchSize + "|val" + validationSize + "@" + AdaptationSplits.VALIDATION_SEED + "|lr" + learningRate;
    }

    /**
     * Identifies one learning-rate selection run (trained on the first seed's subset, scored on validation).
     *
     * @param learningRate rate tried
     * @return the tag
     */
    public String selectTag(float learningRate) {
        return pretrainTag() + "|n" + trainSize + "|L" + prefixLength + "|h" + deepHidden + "|e" + selectEpochs + "|b"
                + batchSize + "|val" + validationSize + "@" + AdaptationSplits.VALIDATION_SEED + "|lr" + learningRate
                + "|select-seed" + seeds.get(0);
    }

    /**
     * Learning rates tried for a method.
     *
     * @param m method
     * @return the grid
     */
    public List<Float> grid(Method m) {
        return m == Method.FULL_FINETUNE ? lrGridFull : lrGrid;
    }
}
