package org.prefixmoe.model.moe;

import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.factory.LinearSolverFactory_DDRM;
import org.ejml.interfaces.linsol.LinearSolverDense;

/**
 * Weighted least squares on features of the input, the closed-form M-step of experts that are
 * linear in their parameters: {@code argmin_C Σ_i w_i ||y_i − Cᵀ φ(x_i)||²}, by Cholesky on the
 * normal equations, or by the pseudo-inverse when the weighted design is singular.
 */
final class WeightedLeastSquares {
    /** The feature map φ: writes m features of the input at {@code x[offset ..]} into {@code out}. */
    @FunctionalInterface
    interface Features {
        void at(double[] x, int offset, double[] out);
    }

    private WeightedLeastSquares() {
    }

    /**
     * Solves the weighted normal equations.
     *
     * @param x the n inputs, row-major with d columns; not modified
     * @param d the input dimension
     * @param y the n responses, n × q; not modified
     * @param q the output dimension
     * @param n number of samples
     * @param w weights at {@code w[i * stride + column]}; not modified
     * @param stride row length of {@code w}
     * @param column column of {@code w}
     * @param m number of features
     * @param features φ
     * @return the coefficients C, m × q row-major, or null when the weights sum to 0
     */
    static DMatrixRMaj solve(double[] x, int d, double[] y, int q, int n, double[] w, int stride, int column, int m,
                             Features features) {
        DMatrixRMaj gram = new DMatrixRMaj(m, m);
        DMatrixRMaj rhs = new DMatrixRMaj(m, q);
        double[] f = new double[m];
        double total = 0;
        for (int i = 0; i < n; i++) {
            double wi = w[i * stride + column];
            if (wi == 0) {
                continue;
            }
            total += wi;
            features.at(x, i * d, f);
            for (int a = 0; a < m; a++) {
                double wfa = wi * f[a];
                for (int b = 0; b <= a; b++) {
                    gram.data[a * m + b] += wfa * f[b];
                }
                for (int o = 0; o < q; o++) {
                    rhs.data[a * q + o] += wfa * y[i * q + o];
                }
            }
        }
        if (!(total > 0)) {
            return null;
        }
        for (int a = 0; a < m; a++) {
            for (int b = a + 1; b < m; b++) {
                gram.data[a * m + b] = gram.data[b * m + a];
            }
        }
        DMatrixRMaj coef = new DMatrixRMaj(m, q);
        LinearSolverDense<DMatrixRMaj> solver = LinearSolverFactory_DDRM.chol(m);
        if (!solver.setA(gram.copy()) || !finite(solver, rhs, coef)) {
            solver = LinearSolverFactory_DDRM.pseudoInverse(true);
            solver.setA(gram.copy());
            solver.solve(rhs, coef);
        }
        return coef;
    }

    private static boolean finite(LinearSolverDense<DMatrixRMaj> solver, DMatrixRMaj rhs, DMatrixRMaj out) {
        solver.solve(rhs, out);
        for (double v : out.data) {
            if (!Double.isFinite(v)) {
                return false;
            }
        }
        return true;
    }
}
