package org.prefixmoe.model;

/**
 * What a fitted measure says at new inputs ({@link PrefixModel#predict}): the regression function
 * and the gate weight of every expert, the N pretrained ones first, then the L prompts. Also what a
 * mixture-of-experts family member predicts: its free components, then its frozen ones; and the
 * shared + routed model ({@link org.prefixmoe.model.moe.SharedRoutedMixture#predict}): the shared
 * block's weights, then the routed block's, each block's summing to 1.
 *
 * @param size the number n of inputs
 * @param outputDimension q
 * @param experts the number N + L of experts
 * @param regression {@code f_G(x_i)}, n × q row-major
 * @param gates gate weights, n × (N + L) row-major; each row sums to 1 (for the shared + routed model, each
 *     block's part of it)
 */
public record Prediction(int size, int outputDimension, int experts, double[] regression, double[] gates) {
    /**
     * Checks the shapes.
     *
     * @param size n
     * @param outputDimension q
     * @param experts N + L
     * @param regression n × q
     * @param gates n × (N + L)
     * @throws IllegalArgumentException when a length does not match
     */
    public Prediction {
        if (regression.length != (long) size * outputDimension || gates.length != (long) size * experts) {
            throw new IllegalArgumentException("prediction: arrays of " + regression.length + " and " + gates.length
                    + " entries for " + size + " inputs, q = " + outputDimension + ", " + experts + " experts");
        }
    }
}
