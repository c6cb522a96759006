package org.prefixmoe.model.moe;

import java.util.List;

/**
 * A one-neuron feed-forward expert {@code h(x) = κ_2 act(κ_1ᵀx + κ_0) ∈ R^q}, act one of the
 * {@link Activation}s (ReLU, GELU, sigmoid, tanh, ...): blocks {@code kappa1} (d), {@code kappa0}
 * (1) and {@code kappa2} (q). The parameters are identified only up to the activation's symmetries
 * (tanh: a common sign flip; ReLU: {@code (cκ_1, cκ_0, κ_2/c)} for c > 0), which losses on the
 * parameters must keep in mind.
 *
 * <p>M-step: guarded Levenberg–Marquardt on the weighted squared error
 * {@code Σ_i w_i ||y_i − h(x_i; η)||²}, started from the current η, at most {@link #LM_STEPS}
 * accepted or rejected steps; a step is accepted only when it lowers the error, so the error never
 * increases and EM stays monotone.
 */
public final class FfnExpert implements Expert {
    /** Levenberg–Marquardt iterations per M-step at most. */
    static final int LM_STEPS = 20;
    /** Relative decrease of the error below which Levenberg–Marquardt stops. */
    static final double LM_TOLERANCE = 1e-12;

    private final int d;
    private final int q;
    private final Activation activation;

    /**
     * @param inputDimension d
     * @param outputDimension q
     * @param activation the activation
     * @throws IllegalArgumentException naming the argument
     */
    public FfnExpert(int inputDimension, int outputDimension, Activation activation) {
        if (inputDimension < 1 || outputDimension < 1) {
            throw new IllegalArgumentException("ffn expert: d and q must be >= 1, got d = " + inputDimension
                    + ", q = " + outputDimension);
        }
        this.d = inputDimension;
        this.q = outputDimension;
        this.activation = java.util.Objects.requireNonNull(activation, "activation");
    }

    @Override
    public String name() {
        return "ffn";
    }

    /** {@return the activation} */
    public Activation activation() {
        return activation;
    }

    @Override
    public int inputDimension() {
        return d;
    }

    @Override
    public int outputDimension() {
        return q;
    }

    @Override
    public List<Block> blocks() {
        return List.of(new Block("kappa1", d), new Block("kappa0", 1), new Block("kappa2", q));
    }

    private double preActivation(double[] eta, double[] x, int offset) {
        double z = eta[d];
        for (int a = 0; a < d; a++) {
            z += eta[a] * x[offset + a];
        }
        return z;
    }

    @Override
    public void mean(double[] eta, double[] x, int offset, double[] out, int outOffset) {
        double h = activation.value(preActivation(eta, x, offset));
        for (int o = 0; o < q; o++) {
            out[outOffset + o] = eta[d + 1 + o] * h;
        }
    }

    @Override
    public void jacobian(double[] eta, double[] x, int offset, double[] jacobian) {
        int p = d + 1 + q;
        double z = preActivation(eta, x, offset);
        double h = activation.value(z);
        double dh = activation.derivative(z);
        java.util.Arrays.fill(jacobian, 0, q * p, 0.0);
        for (int o = 0; o < q; o++) {
            double k2 = eta[d + 1 + o] * dh;
            for (int a = 0; a < d; a++) {
                jacobian[o * p + a] = k2 * x[offset + a];
            }
            jacobian[o * p + d] = k2;
            jacobian[o * p + d + 1 + o] = h;
        }
    }

    /**
     * The weighted squared error {@code Σ_i w_i ||y_i − h(x_i; η)||²}.
     *
     * @param eta the expert vector; not modified
     * @param x inputs; not modified
     * @param y responses, n × q; not modified
     * @param n number of samples
     * @param w weights at {@code w[i * stride + column]}; not modified
     * @param stride row length of w
     * @param column column of w
     * @return the error
     */
    public double weightedError(double[] eta, double[] x, double[] y, int n, double[] w, int stride, int column) {
        return GuardedGaussNewton.error(this, eta, x, y, n, w, stride, column, new double[q]);
    }

    /** Guarded Levenberg–Marquardt from the current η ({@code GuardedGaussNewton}): the error never increases. */
    @Override
    public double[] weightedFit(double[] x, double[] y, int n, double[] w, int stride, int column, double[] start) {
        return GuardedGaussNewton.fit(this, x, y, n, w, stride, column, start, LM_STEPS, LM_TOLERANCE);
    }
}
