package org.prefixmoe.model.moe;

import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.factory.LinearSolverFactory_DDRM;
import org.ejml.interfaces.linsol.LinearSolverDense;

/**
 * A guarded Levenberg–Marquardt (damped Gauss–Newton) M-step for any {@link Expert} from its
 * output and Jacobian: minimizes {@code Σ_i w_i ||y_i − h(x_i; η)||²} from a start, accepting a step
 * only when the weighted error falls, so the error never increases and EM stays monotone.
 */
final class GuardedGaussNewton {

    private GuardedGaussNewton() {
    }

    /**
     * The weighted squared error {@code Σ_i w_i ||y_i − h(x_i; η)||²}.
     *
     * @param e the expert
     * @param eta the expert vector; not modified
     * @param x inputs; not modified
     * @param y responses, n × q; not modified
     * @param n number of samples
     * @param w weights at {@code w[i * stride + column]}; not modified
     * @param stride row length of w
     * @param column column of w
     * @param h scratch of length q; modified
     * @return the error
     */
    static double error(Expert e, double[] eta, double[] x, double[] y, int n, double[] w, int stride, int column,
                        double[] h) {
        int d = e.inputDimension();
        int q = e.outputDimension();
        double s = 0;
        for (int i = 0; i < n; i++) {
            double wi = w[i * stride + column];
            if (wi == 0) {
                continue;
            }
            e.mean(eta, x, i * d, h, 0);
            for (int o = 0; o < q; o++) {
                double r = y[i * q + o] - h[o];
                s += wi * r * r;
            }
        }
        return s;
    }

    /**
     * Guarded Levenberg–Marquardt from {@code start}.
     *
     * @param e the expert
     * @param x inputs; not modified
     * @param y responses, n × q; not modified
     * @param n number of samples
     * @param w weights at {@code w[i * stride + column]}; not modified
     * @param stride row length of w
     * @param column column of w
     * @param start the start; not modified
     * @param steps iterations at most
     * @param tolerance stop when a step lowers the error by less than this times the error
     * @return a vector whose weighted error is at most the start's
     */
    static double[] fit(Expert e, double[] x, double[] y, int n, double[] w, int stride, int column, double[] start,
                        int steps, double tolerance) {
        int d = e.inputDimension();
        int q = e.outputDimension();
        int p = e.parameterCount();
        double[] h = new double[q];
        double[] cur = start.clone();
        double err = error(e, cur, x, y, n, w, stride, column, h);
        if (!(err > 0) || !Double.isFinite(err)) {
            return cur;
        }
        double[] jac = new double[q * p];
        DMatrixRMaj jtj = new DMatrixRMaj(p, p);
        DMatrixRMaj jtr = new DMatrixRMaj(p, 1);
        DMatrixRMaj step = new DMatrixRMaj(p, 1);
        DMatrixRMaj m = new DMatrixRMaj(p, p);
        LinearSolverDense<DMatrixRMaj> chol = LinearSolverFactory_DDRM.chol(p);
        double lambda = 1e-3;
        double[] trial = new double[p];
        for (int it = 0; it < steps; it++) {
            jtj.zero();
            jtr.zero();
            for (int i = 0; i < n; i++) {
                double wi = w[i * stride + column];
                if (wi == 0) {
                    continue;
                }
                e.jacobian(cur, x, i * d, jac);
                e.mean(cur, x, i * d, h, 0);
                for (int o = 0; o < q; o++) {
                    double r = wi * (y[i * q + o] - h[o]);
                    int row = o * p;
                    for (int a = 0; a < p; a++) {
                        double ja = jac[row + a];
                        if (ja == 0) {
                            continue;
                        }
                        jtr.data[a] += ja * r;
                        double wja = wi * ja;
                        for (int b = 0; b <= a; b++) {
                            jtj.data[a * p + b] += wja * jac[row + b];
                        }
                    }
                }
            }
            double maxDiag = 0;
            for (int a = 0; a < p; a++) {
                for (int b = 0; b < a; b++) {
                    jtj.data[b * p + a] = jtj.data[a * p + b];
                }
                maxDiag = Math.max(maxDiag, jtj.data[a * p + a]);
            }
            if (!(maxDiag > 0)) {
                break;
            }
            boolean accepted = false;
            while (lambda < 1e12) {
                m.setTo(jtj);
                for (int a = 0; a < p; a++) {
                    m.data[a * p + a] += lambda * (jtj.data[a * p + a] + 1e-9 * maxDiag);
                }
                if (chol.setA(m)) {
                    chol.solve(jtr, step);
                    for (int a = 0; a < p; a++) {
                        trial[a] = cur[a] + step.data[a];
                    }
                    double te = error(e, trial, x, y, n, w, stride, column, h);
                    if (te < err) {
                        double gain = err - te;
                        System.arraycopy(trial, 0, cur, 0, p);
                        err = te;
                        lambda = Math.max(lambda / 10, 1e-12);
                        if (gain <= tolerance * err) {
                            return cur;
                        }
                        accepted = true;
                        break;
                    }
                }
                lambda *= 10;
            }
            if (!accepted) {
                break;
            }
        }
        return cur;
    }
}
