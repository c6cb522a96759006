package org.prefixmoe.djl.train;

import java.util.List;

/**
 * Outcome of one training run.
 *
 * @param epochLoss mean training loss of each epoch
 * @param epochTrainAccuracy training accuracy of each epoch (on the mini-batches, during training)
 * @param evalAccuracy accuracy on the evaluation set at the end
 * @param trainSeconds wall time of training (excluding final evaluation)
 * @param evalSeconds wall time of the final evaluation
 */
public record TrainResult(List<Double> epochLoss, List<Double> epochTrainAccuracy, double evalAccuracy,
                          double trainSeconds, double evalSeconds) {

    /** Mean wall time of one epoch. */
    public double secondsPerEpoch() {
        return epochLoss.isEmpty() ? 0 : trainSeconds / epochLoss.size();
    }
}
