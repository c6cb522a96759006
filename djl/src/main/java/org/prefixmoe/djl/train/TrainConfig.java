package org.prefixmoe.djl.train;

/**
 * Optimization settings of one training run (Adam, constant learning rate after a linear warm-up).
 *
 * @param epochs passes over the training set
 * @param batchSize mini-batch size
 * @param learningRate Adam step size
 * @param weightDecay L2 weight decay (0 for none)
 * @param seed seed of the batch order
 * @param evalEvery evaluate on the evaluation set every this many epochs (0: only at the end)
 */
public record TrainConfig(int epochs, int batchSize, float learningRate, float weightDecay, long seed, int evalEvery) {}
