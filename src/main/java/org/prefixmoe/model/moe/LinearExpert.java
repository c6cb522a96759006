package org.prefixmoe.model.moe;

import java.util.List;
import org.ejml.data.DMatrixRMaj;

/**
 * The linear expert {@code h(x) = A x + b}: blocks {@code a} (q × d, row-major) and {@code b} (q).
 * Its M-step is weighted least squares ({@code WeightedLeastSquares}).
 */
public final class LinearExpert implements Expert {
    private final int d;
    private final int q;

    /**
     * @param inputDimension d
     * @param outputDimension q
     * @throws IllegalArgumentException naming the argument
     */
    public LinearExpert(int inputDimension, int outputDimension) {
        if (inputDimension < 1 || outputDimension < 1) {
            throw new IllegalArgumentException("linear expert: d and q must be >= 1, got d = " + inputDimension
                    + ", q = " + outputDimension);
        }
        this.d = inputDimension;
        this.q = outputDimension;
    }

    @Override
    public String name() {
        return "linear";
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
        return List.of(new Block("a", q * d), new Block("b", q));
    }

    @Override
    public void mean(double[] eta, double[] x, int offset, double[] out, int outOffset) {
        for (int o = 0; o < q; o++) {
            double s = eta[q * d + o];
            for (int a = 0; a < d; a++) {
                s += eta[o * d + a] * x[offset + a];
            }
            out[outOffset + o] = s;
        }
    }

    @Override
    public void jacobian(double[] eta, double[] x, int offset, double[] jacobian) {
        int p = q * d + q;
        java.util.Arrays.fill(jacobian, 0, q * p, 0.0);
        for (int o = 0; o < q; o++) {
            for (int a = 0; a < d; a++) {
                jacobian[o * p + o * d + a] = x[offset + a];
            }
            jacobian[o * p + q * d + o] = 1;
        }
    }

    @Override
    public double[] weightedFit(double[] x, double[] y, int n, double[] w, int stride, int column, double[] start) {
        DMatrixRMaj coef = WeightedLeastSquares.solve(x, d, y, q, n, w, stride, column, d + 1, (xs, offset, f) -> {
            System.arraycopy(xs, offset, f, 0, d);
            f[d] = 1;
        });
        if (coef == null) {
            return start.clone();
        }
        double[] eta = new double[q * d + q];
        for (int o = 0; o < q; o++) {
            for (int a = 0; a < d; a++) {
                eta[o * d + a] = coef.get(a, o);
            }
            eta[q * d + o] = coef.get(d, o);
        }
        return eta;
    }
}
