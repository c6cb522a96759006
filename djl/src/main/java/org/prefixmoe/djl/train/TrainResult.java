package org.prefixmoe.djl.train;

import java.util.List;

/**
 * Outcome of one training run.
 *
 * @param passLoss mean training loss of each full pass over the training set (dropout active)
 * @param passTrainAccuracy training accuracy of each full pass (on the mini-batches, during training)
 * @param evalAccuracy accuracy on the evaluation set at the end
 * @param steps optimizer steps taken
 * @param trainSeconds wall time of training (excluding final evaluation)
 * @param evalSeconds wall time of the final evaluation
 * @param finalLoss mean training loss over the last {@code min(steps, one pass)} steps
 * @param trainCpuSeconds CPU time of the training thread (with one PyTorch thread, what the training would take on
 *     an idle core; the wall time also counts time lost to other processes)
 */
public record TrainResult(List<Double> passLoss, List<Double> passTrainAccuracy, double evalAccuracy, int steps,
                          double trainSeconds, double evalSeconds, double finalLoss, double trainCpuSeconds) {

    /** Mean wall time of one optimizer step. */
    public double secondsPerStep() {
        return steps == 0 ? 0 : trainSeconds / steps;
    }
}
