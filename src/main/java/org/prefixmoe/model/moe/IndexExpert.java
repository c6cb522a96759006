package org.prefixmoe.model.moe;

import java.util.List;
import java.util.Objects;

/**
 * A single-index expert {@code h(x) = act(ηᵀx) ∈ R}, act one of the {@link Activation}s: the prompt
 * expert {@code tanh(ηᵀx)} of the softmax-contaminated MoE (an FFN neuron with no bias and output
 * weight 1). One block {@code eta} (d). For an odd activation (tanh) η and −η are told apart by the
 * data; for ReLU, only up to what the active region shows.
 *
 * <p>M-step: guarded Levenberg–Marquardt from the current η on {@code Σ_i w_i (y_i − h(x_i; η))²},
 * at most {@link #LM_STEPS} steps, each accepted only when the error falls, so EM stays monotone.
 */
public final class IndexExpert implements Expert {
    /** Levenberg–Marquardt iterations per M-step at most. */
    static final int LM_STEPS = 20;
    /** Relative decrease of the error below which Levenberg–Marquardt stops. */
    static final double LM_TOLERANCE = 1e-12;

    private final int d;
    private final Activation activation;

    /**
     * @param inputDimension d
     * @param activation the activation
     * @throws IllegalArgumentException naming the argument
     */
    public IndexExpert(int inputDimension, Activation activation) {
        if (inputDimension < 1) {
            throw new IllegalArgumentException("index expert: d must be >= 1, got " + inputDimension);
        }
        this.d = inputDimension;
        this.activation = Objects.requireNonNull(activation, "activation");
    }

    @Override
    public String name() {
        return "index";
    }

    /** {@return the activation} */
    public Activation activation() {
        return activation;
    }

    @Override
    public int inputDimension() {
        return d;
    }

    /** {@return 1} */
    @Override
    public int outputDimension() {
        return 1;
    }

    @Override
    public List<Block> blocks() {
        return List.of(new Block("eta", d));
    }

    private double index(double[] eta, double[] x, int offset) {
        double z = 0;
        for (int a = 0; a < d; a++) {
            z += eta[a] * x[offset + a];
        }
        return z;
    }

    @Override
    public void mean(double[] eta, double[] x, int offset, double[] out, int outOffset) {
        out[outOffset] = activation.value(index(eta, x, offset));
    }

    /** {@code ∂h/∂η = act'(ηᵀx) x}. */
    @Override
    public void jacobian(double[] eta, double[] x, int offset, double[] jacobian) {
        double g = activation.derivative(index(eta, x, offset));
        for (int a = 0; a < d; a++) {
            jacobian[a] = g * x[offset + a];
        }
    }

    /**
     * The weighted squared error {@code Σ_i w_i (y_i − act(ηᵀx_i))²}.
     *
     * @param eta the expert vector; not modified
     * @param x inputs; not modified
     * @param y responses; not modified
     * @param n number of samples
     * @param w weights at {@code w[i * stride + column]}; not modified
     * @param stride row length of w
     * @param column column of w
     * @return the error
     */
    public double weightedError(double[] eta, double[] x, double[] y, int n, double[] w, int stride, int column) {
        return GuardedGaussNewton.error(this, eta, x, y, n, w, stride, column, new double[1]);
    }

    @Override
    public double[] weightedFit(double[] x, double[] y, int n, double[] w, int stride, int column, double[] start) {
        return GuardedGaussNewton.fit(this, x, y, n, w, stride, column, start, LM_STEPS, LM_TOLERANCE);
    }
}
