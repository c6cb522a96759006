package org.prefixmoe.model.moe;

import java.util.List;
import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.factory.LinearSolverFactory_DDRM;
import org.ejml.interfaces.linsol.LinearSolverDense;

/**
 * The linear expert {@code h(x) = A x + b}: blocks {@code a} (q × d, row-major) and {@code b} (q).
 * Its M-step is weighted least squares, solved by Cholesky, or by the pseudo-inverse when the
 * weighted design is singular.
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
        int m = d + 1;
        DMatrixRMaj gram = new DMatrixRMaj(m, m);
        DMatrixRMaj rhs = new DMatrixRMaj(m, q);
        double total = 0;
        for (int i = 0; i < n; i++) {
            double wi = w[i * stride + column];
            if (wi == 0) {
                continue;
            }
            total += wi;
            for (int a = 0; a < m; a++) {
                double xa = a < d ? x[i * d + a] : 1;
                double wxa = wi * xa;
                for (int b = 0; b <= a; b++) {
                    gram.data[a * m + b] += wxa * (b < d ? x[i * d + b] : 1);
                }
                for (int o = 0; o < q; o++) {
                    rhs.data[a * q + o] += wxa * y[i * q + o];
                }
            }
        }
        if (!(total > 0)) {
            return start.clone();
        }
        for (int a = 0; a < m; a++) {
            for (int b = a + 1; b < m; b++) {
                gram.data[a * m + b] = gram.data[b * m + a];
            }
        }
        DMatrixRMaj coef = new DMatrixRMaj(m, q);
        LinearSolverDense<DMatrixRMaj> solver = LinearSolverFactory_DDRM.chol(m);
        if (!solver.setA(gram.copy()) || !solve(solver, rhs, coef)) {
            solver = LinearSolverFactory_DDRM.pseudoInverse(true);
            solver.setA(gram.copy());
            solver.solve(rhs, coef);
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

    private static boolean solve(LinearSolverDense<DMatrixRMaj> solver, DMatrixRMaj rhs, DMatrixRMaj out) {
        solver.solve(rhs, out);
        for (double v : out.data) {
            if (!Double.isFinite(v)) {
                return false;
            }
        }
        return true;
    }
}
