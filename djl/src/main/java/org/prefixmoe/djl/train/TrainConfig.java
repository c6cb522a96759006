package org.prefixmoe.djl.train;

/**
 * Optimization settings of one training run: a fixed number of optimizer steps on mini-batches drawn by
 * passing through seeded permutations of the training set.
 *
 * <p>{@link Optimizer#SGD} follows the paper's recipe (VPT's solver): SGD with momentum, L2 weight decay added to
 * the gradient (none on the head's bias), and a learning rate that rises linearly over {@code warmupSteps} and
 * then follows a half cosine to zero ({@link Schedule#warmupCosine}). {@link Optimizer#ADAM} with a constant
 * rate is kept for pretraining the backbone.
 *
 * @param optimizer SGD with momentum (adaptation) or Adam (pretraining)
 * @param steps optimizer steps
 * @param batchSize mini-batch size (a pass ends with a smaller batch when the set size is not a multiple)
 * @param learningRate peak learning rate of the adapted parameters (prefix, reparameterization network, or the
 *     backbone when fine-tuning); also the head's unless {@code headLearningRate} says otherwise
 * @param headLearningRate peak learning rate of the classification head (tensors named {@code head.*})
 * @param momentum SGD momentum (ignored by Adam)
 * @param weightDecay L2 weight decay (0 for none)
 * @param warmupSteps steps of linear warm-up before the cosine decay (SGD); 0 for none
 * @param prefixDropout dropout probability applied to the prefix during training (0 for none)
 * @param seed seed of the batch order and of the dropout masks
 * @param logEvery report progress every this many steps (0: never)
 */
public record TrainConfig(Optimizer optimizer, int steps, int batchSize, float learningRate, float headLearningRate,
                          float momentum, float weightDecay, int warmupSteps, float prefixDropout, long seed,
                          int logEvery) {

    /** The update rule. */
    public enum Optimizer {
        /** SGD with momentum and a warm-up + cosine schedule (the paper's recipe). */
        SGD,
        /** Adam with a constant learning rate (pretraining). */
        ADAM
    }

    /** Validates the settings. */
    public TrainConfig {
        if (steps < 0 || batchSize < 1 || warmupSteps < 0 || prefixDropout < 0 || prefixDropout >= 1) {
            throw new IllegalArgumentException("invalid training settings: steps " + steps + ", batch " + batchSize
                    + ", warm-up " + warmupSteps + ", prefix dropout " + prefixDropout);
        }
    }

    /**
     * Settings with one learning rate for every trained tensor (head included).
     *
     * @param optimizer update rule
     * @param steps optimizer steps
     * @param batchSize batch size
     * @param learningRate peak learning rate of every trained tensor
     * @param momentum SGD momentum
     * @param weightDecay L2 weight decay
     * @param warmupSteps warm-up steps
     * @param prefixDropout prefix dropout
     * @param seed seed
     * @param logEvery progress interval (0: none)
     */
    public TrainConfig(Optimizer optimizer, int steps, int batchSize, float learningRate, float momentum,
                       float weightDecay, int warmupSteps, float prefixDropout, long seed, int logEvery) {
        this(optimizer, steps, batchSize, learningRate, learningRate, momentum, weightDecay, warmupSteps,
                prefixDropout, seed, logEvery);
    }

    /**
     * The paper's recipe: SGD, momentum 0.9, warm-up then cosine.
     *
     * @param steps optimizer steps
     * @param batchSize batch size
     * @param learningRate peak rate
     * @param weightDecay L2 weight decay
     * @param warmupSteps warm-up steps
     * @param prefixDropout prefix dropout
     * @param seed seed
     * @return the settings
     */
    public static TrainConfig sgd(int steps, int batchSize, float learningRate, float weightDecay, int warmupSteps,
                                  float prefixDropout, long seed) {
        return new TrainConfig(Optimizer.SGD, steps, batchSize, learningRate, 0.9f, weightDecay, warmupSteps,
                prefixDropout, seed, 0);
    }

    /**
     * The paper's recipe with separate peak rates for the head and for the adapted parameters.
     *
     * @param steps optimizer steps
     * @param batchSize batch size
     * @param learningRate peak rate of the adapted parameters (prefix, reparameterization, or backbone)
     * @param headLearningRate peak rate of the head
     * @param weightDecay L2 weight decay
     * @param warmupSteps warm-up steps
     * @param prefixDropout prefix dropout
     * @param seed seed
     * @return the settings
     */
    public static TrainConfig sgd(int steps, int batchSize, float learningRate, float headLearningRate,
                                  float weightDecay, int warmupSteps, float prefixDropout, long seed) {
        return new TrainConfig(Optimizer.SGD, steps, batchSize, learningRate, headLearningRate, 0.9f, weightDecay,
                warmupSteps, prefixDropout, seed, 0);
    }

    /**
     * The same settings with another seed.
     *
     * @param newSeed seed
     * @return a copy
     */
    public TrainConfig withSeed(long newSeed) {
        return new TrainConfig(optimizer, steps, batchSize, learningRate, headLearningRate, momentum, weightDecay,
                warmupSteps, prefixDropout, newSeed, logEvery);
    }

    /**
     * The same settings with one peak learning rate for every trained tensor (head included).
     *
     * @param lr learning rate
     * @return a copy
     */
    public TrainConfig withLearningRate(float lr) {
        return new TrainConfig(optimizer, steps, batchSize, lr, lr, momentum, weightDecay, warmupSteps, prefixDropout,
                seed, logEvery);
    }

    /**
     * The same settings with another number of steps.
     *
     * @param n optimizer steps
     * @return a copy
     */
    public TrainConfig withSteps(int n) {
        return new TrainConfig(optimizer, n, batchSize, learningRate, headLearningRate, momentum, weightDecay,
                warmupSteps, prefixDropout, seed, logEvery);
    }

    /**
     * The same settings with another progress interval.
     *
     * @param every steps between progress lines (0: none)
     * @return a copy
     */
    public TrainConfig withLogEvery(int every) {
        return new TrainConfig(optimizer, steps, batchSize, learningRate, headLearningRate, momentum, weightDecay,
                warmupSteps, prefixDropout, seed, every);
    }
}
