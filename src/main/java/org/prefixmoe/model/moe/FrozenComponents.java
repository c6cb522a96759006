package org.prefixmoe.model.moe;

/**
 * Components of a mixture that are known and never fitted (the pretrained experts of the prefix
 * model): each has a log gating score and an output at every input. Implementations are immutable.
 */
public interface FrozenComponents {

    /** {@return the number J of frozen components} */
    int count();

    /**
     * The log gating score of a frozen component (it joins the softmax's normalizer).
     *
     * @param j the component
     * @param x inputs, row-major; not modified
     * @param offset where the input starts
     * @return its score
     */
    double score(int j, double[] x, int offset);

    /**
     * The output of a frozen component.
     *
     * @param j the component
     * @param x inputs, row-major; not modified
     * @param offset where the input starts
     * @param out receives the output at {@code out[outOffset .. outOffset + q)}; modified
     * @param outOffset where to write
     */
    void output(int j, double[] x, int offset, double[] out, int outOffset);
}
