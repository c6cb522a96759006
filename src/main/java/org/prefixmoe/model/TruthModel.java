package org.prefixmoe.model;

/**
 * Everything a model file declares: the model, the true mixing measure, the noise level, the
 * input distribution and the box of the parameter space. Immutable.
 *
 * @param name a short name (the file's base name by default)
 * @param model the model
 * @param truth the true measure G*
 * @param sigma noise standard deviation
 * @param input input distribution μ
 * @param box the compact parameter space
 */
public record TruthModel(String name, PrefixModel model, MixingMeasure truth, double sigma,
                         InputDistribution input, Box box) {

    /** Number L* of true atoms. */
    public int trueAtoms() {
        return truth.size();
    }
}
