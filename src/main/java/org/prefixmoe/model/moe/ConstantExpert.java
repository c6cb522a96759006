package org.prefixmoe.model.moe;

import java.util.List;

/**
 * The constant expert {@code h(x) = b} (the prompt values of the prefix model): block {@code b} (q).
 * Its M-step is the weighted mean.
 */
public final class ConstantExpert implements Expert {
    private final int d;
    private final int q;

    /**
     * @param inputDimension d (the expert ignores the input)
     * @param outputDimension q
     * @throws IllegalArgumentException naming the argument
     */
    public ConstantExpert(int inputDimension, int outputDimension) {
        if (inputDimension < 1 || outputDimension < 1) {
            throw new IllegalArgumentException("constant expert: d and q must be >= 1, got d = " + inputDimension
                    + ", q = " + outputDimension);
        }
        this.d = inputDimension;
        this.q = outputDimension;
    }

    @Override
    public String name() {
        return "constant";
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
        return List.of(new Block("b", q));
    }

    @Override
    public void mean(double[] eta, double[] x, int offset, double[] out, int outOffset) {
        System.arraycopy(eta, 0, out, outOffset, q);
    }

    @Override
    public void jacobian(double[] eta, double[] x, int offset, double[] jacobian) {
        java.util.Arrays.fill(jacobian, 0, q * q, 0.0);
        for (int o = 0; o < q; o++) {
            jacobian[o * q + o] = 1;
        }
    }

    @Override
    public double[] weightedFit(double[] x, double[] y, int n, double[] w, int stride, int column, double[] start) {
        double total = 0;
        double[] eta = new double[q];
        for (int i = 0; i < n; i++) {
            double wi = w[i * stride + column];
            total += wi;
            for (int o = 0; o < q; o++) {
                eta[o] += wi * y[i * q + o];
            }
        }
        if (!(total > 0)) {
            return start.clone();
        }
        for (int o = 0; o < q; o++) {
            eta[o] /= total;
        }
        return eta;
    }
}
