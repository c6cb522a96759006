package org.prefixmoe.model.moe;

import java.util.function.DoubleSupplier;

/**
 * Frozen components that carry their own conditional density {@code f_j(y|x)}: the pretrained
 * expert {@code f_0} of the contaminated model {@code (1 − λ(x)) f_0(y|x) + λ(x) N(y; h(x, η), ν)}.
 * With them the Gaussian-mixture observation becomes {@code Σ_k π_k(x) N(y; h_k(x), ν_k) +
 * Σ_j π_{K+j}(x) f_j(y|x)}, and EM's E-step takes {@code log f_j} per sample; nothing of a frozen
 * component is fitted. Implementations are immutable and thread-safe; per-sample methods allocate nothing.
 */
public interface FrozenDensity extends FrozenComponents {

    /**
     * The log density of a frozen component at one sample.
     *
     * @param j the component
     * @param x inputs, row-major; not modified
     * @param offset where the input starts
     * @param y responses, row-major; not modified
     * @param yOffset where the response starts
     * @return {@code log f_j(y|x)}
     */
    double logDensity(int j, double[] x, int offset, double[] y, int yOffset);

    /**
     * Draws a response from a frozen component.
     *
     * @param j the component
     * @param x inputs, row-major; not modified
     * @param offset where the input starts
     * @param uniform a source of independent uniform numbers in [0, 1)
     * @param out receives the response at {@code out[outOffset .. outOffset + q)}; modified
     * @param outOffset where to write
     */
    void draw(int j, double[] x, int offset, DoubleSupplier uniform, double[] out, int outOffset);
}
