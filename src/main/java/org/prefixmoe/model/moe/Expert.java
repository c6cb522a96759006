package org.prefixmoe.model.moe;

import java.util.List;

/**
 * The expert {@code h(x; η) ∈ R^q} of one component, with its parameters cut into named blocks.
 * Implementations are immutable and thread-safe; per-sample methods allocate nothing.
 */
public interface Expert {

    /** {@return the name used in scenario files, e.g. {@code linear}} */
    String name();

    /** {@return the input dimension d} */
    int inputDimension();

    /** {@return the output dimension q} */
    int outputDimension();

    /** {@return the named parameter blocks of one component, in storage order} */
    List<Block> blocks();

    /** {@return the length of one component's expert vector} */
    default int parameterCount() {
        return Block.total(blocks());
    }

    /**
     * The expert's output at one input.
     *
     * @param eta the component's expert vector; not modified
     * @param x inputs, row-major; not modified
     * @param offset where the input starts
     * @param out receives h(x; η) at {@code out[outOffset .. outOffset + q)}; modified
     * @param outOffset where to write
     */
    void mean(double[] eta, double[] x, int offset, double[] out, int outOffset);

    /**
     * The Jacobian {@code ∂h/∂η} at one input.
     *
     * @param eta the expert vector; not modified
     * @param x inputs, row-major; not modified
     * @param offset where the input starts
     * @param jacobian receives the q × p matrix, row-major; modified
     */
    void jacobian(double[] eta, double[] x, int offset, double[] jacobian);

    /**
     * The weighted least-squares M-step: {@code argmin_η Σ_i w_i ||y_i − h(x_i; η)||²} (closed form
     * for the linear and constant experts).
     *
     * @param x the n inputs, row-major; not modified
     * @param y the n responses, n × q row-major; not modified
     * @param n number of samples
     * @param w weights, read at {@code w[i * stride + column]}; not modified
     * @param stride the row length of {@code w}
     * @param column the column of {@code w} to use
     * @param start the current vector, returned (as a copy) when the weights carry no information
     * @return the new expert vector
     */
    double[] weightedFit(double[] x, double[] y, int n, double[] w, int stride, int column, double[] start);
}
