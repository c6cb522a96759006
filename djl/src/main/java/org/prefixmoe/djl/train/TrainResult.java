package org.prefixmoe.djl.train;

import java.util.List;

/**
 * Outcome of one training run.
 *
 * @param passLoss mean training loss of each full pass over the training set (dropout active)
 * @param passTrainAccuracy training accuracy of each full pass (on the mini-batches, during training)
 * @param evalAccuracy accuracy on the evaluation set at the end
 * @param steps optimizer steps taken (fewer than planned if a non-finite loss stopped the run)
 * @param trainSeconds wall time of training (excluding final evaluation); for a member of a batched run, the batched
 *     run's time divided by its number of members
 * @param evalSeconds wall time of the final evaluation
 * @param finalLoss mean training loss over the last {@code min(steps, one pass)} steps
 * @param trainCpuSeconds CPU time of the training thread (with one PyTorch thread, what the training would take on
 *     an idle core; the wall time also counts time lost to other processes); shared out like {@code trainSeconds}
 * @param initialLoss training loss of the first step, before any update ({@link Divergence})
 * @param diverged whether the run diverged by {@link Divergence}'s rule
 * @param divergence why it diverged, or empty
 */
public record TrainResult(List<Double> passLoss, List<Double> passTrainAccuracy, double evalAccuracy, int steps,
                          double trainSeconds, double evalSeconds, double finalLoss, double trainCpuSeconds,
                          double initialLoss, boolean diverged, String divergence) {

    /** Mean wall time of one optimizer step. */
    public double secondsPerStep() {
        return steps == 0 ? 0 : trainSeconds / steps;
    }
}
