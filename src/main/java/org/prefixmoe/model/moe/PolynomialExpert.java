package org.prefixmoe.model.moe;

import java.util.ArrayList;
import java.util.List;
import org.ejml.data.DMatrixRMaj;

/**
 * A polynomial expert of degree P, {@code h(x) = Σ_{p=1..P} A_p x^{∘p} + b}, where {@code x^{∘p}}
 * raises each coordinate to the power p (for d = 1 every polynomial of degree P in x; for d > 1 an
 * additive polynomial, without cross terms). Blocks {@code a1} … {@code aP} (each q × d, row-major)
 * and {@code b} (q); degree 1 is the linear expert with {@code a} named {@code a1}. Its M-step is
 * weighted least squares, solved by Cholesky, or by the pseudo-inverse when the weighted design is
 * singular.
 */
public final class PolynomialExpert implements Expert {
    private final int d;
    private final int q;
    private final int degree;

    /**
     * @param inputDimension d
     * @param outputDimension q
     * @param degree P, in 1..20
     * @throws IllegalArgumentException naming the argument
     */
    public PolynomialExpert(int inputDimension, int outputDimension, int degree) {
        if (inputDimension < 1 || outputDimension < 1) {
            throw new IllegalArgumentException("polynomial expert: d and q must be >= 1, got d = " + inputDimension
                    + ", q = " + outputDimension);
        }
        if (degree < 1 || degree > 20) {
            throw new IllegalArgumentException("degree: must be in 1..20, got " + degree);
        }
        this.d = inputDimension;
        this.q = outputDimension;
        this.degree = degree;
    }

    @Override
    public String name() {
        return "polynomial";
    }

    /** {@return the degree P} */
    public int degree() {
        return degree;
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
        List<Block> b = new ArrayList<>();
        for (int p = 1; p <= degree; p++) {
            b.add(new Block("a" + p, q * d));
        }
        b.add(new Block("b", q));
        return List.copyOf(b);
    }

    /** The features {@code (x, x^2, …, x^P, 1)} (coordinate-wise powers) into {@code f}, length P·d + 1. */
    private void features(double[] x, int offset, double[] f) {
        for (int a = 0; a < d; a++) {
            double v = x[offset + a];
            double pw = v;
            for (int p = 0; p < degree; p++) {
                f[p * d + a] = pw;
                pw *= v;
            }
        }
        f[degree * d] = 1;
    }

    @Override
    public void mean(double[] eta, double[] x, int offset, double[] out, int outOffset) {
        int qd = q * d;
        for (int o = 0; o < q; o++) {
            double s = eta[degree * qd + o];
            for (int a = 0; a < d; a++) {
                double v = x[offset + a];
                double pw = v;
                for (int p = 0; p < degree; p++) {
                    s += eta[p * qd + o * d + a] * pw;
                    pw *= v;
                }
            }
            out[outOffset + o] = s;
        }
    }

    @Override
    public void jacobian(double[] eta, double[] x, int offset, double[] jacobian) {
        int qd = q * d;
        int np = degree * qd + q;
        java.util.Arrays.fill(jacobian, 0, q * np, 0.0);
        for (int o = 0; o < q; o++) {
            for (int a = 0; a < d; a++) {
                double v = x[offset + a];
                double pw = v;
                for (int p = 0; p < degree; p++) {
                    jacobian[o * np + p * qd + o * d + a] = pw;
                    pw *= v;
                }
            }
            jacobian[o * np + degree * qd + o] = 1;
        }
    }

    @Override
    public double[] weightedFit(double[] x, double[] y, int n, double[] w, int stride, int column, double[] start) {
        DMatrixRMaj coef = WeightedLeastSquares.solve(x, d, y, q, n, w, stride, column, degree * d + 1, this::features);
        if (coef == null) {
            return start.clone();
        }
        int qd = q * d;
        double[] eta = new double[degree * qd + q];
        for (int o = 0; o < q; o++) {
            for (int p = 0; p < degree; p++) {
                for (int a = 0; a < d; a++) {
                    eta[p * qd + o * d + a] = coef.get(p * d + a, o);
                }
            }
            eta[degree * qd + o] = coef.get(degree * d, o);
        }
        return eta;
    }
}
