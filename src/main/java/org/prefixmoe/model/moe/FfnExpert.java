package org.prefixmoe.model.moe;

import java.util.List;
import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.factory.LinearSolverFactory_DDRM;
import org.ejml.interfaces.linsol.LinearSolverDense;

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
        double s = 0;
        for (int i = 0; i < n; i++) {
            double wi = w[i * stride + column];
            if (wi == 0) {
                continue;
            }
            double h = activation.value(preActivation(eta, x, i * d));
            for (int o = 0; o < q; o++) {
                double r = y[i * q + o] - eta[d + 1 + o] * h;
                s += wi * r * r;
            }
        }
        return s;
    }

    @Override
    public double[] weightedFit(double[] x, double[] y, int n, double[] w, int stride, int column, double[] start) {
        int p = d + 1 + q;
        double[] cur = start.clone();
        double err = weightedError(cur, x, y, n, w, stride, column);
        if (!(err > 0) || !Double.isFinite(err)) {
            return cur;
        }
        double[] jac = new double[q * p];
        double[] h = new double[q];
        DMatrixRMaj jtj = new DMatrixRMaj(p, p);
        DMatrixRMaj jtr = new DMatrixRMaj(p, 1);
        DMatrixRMaj step = new DMatrixRMaj(p, 1);
        LinearSolverDense<DMatrixRMaj> chol = LinearSolverFactory_DDRM.chol(p);
        double lambda = 1e-3;
        double[] trial = new double[p];
        for (int it = 0; it < LM_STEPS; it++) {
            jtj.zero();
            jtr.zero();
            for (int i = 0; i < n; i++) {
                double wi = w[i * stride + column];
                if (wi == 0) {
                    continue;
                }
                jacobian(cur, x, i * d, jac);
                mean(cur, x, i * d, h, 0);
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
                DMatrixRMaj m = jtj.copy();
                for (int a = 0; a < p; a++) {
                    // Marquardt's scaling, with a floor so a dead unit's coordinates stay damped
                    m.data[a * p + a] += lambda * (jtj.data[a * p + a] + 1e-9 * maxDiag);
                }
                if (chol.setA(m)) {
                    chol.solve(jtr, step);
                    for (int a = 0; a < p; a++) {
                        trial[a] = cur[a] + step.data[a];
                    }
                    double e = weightedError(trial, x, y, n, w, stride, column);
                    if (e < err) {
                        double gain = err - e;
                        System.arraycopy(trial, 0, cur, 0, p);
                        err = e;
                        lambda = Math.max(lambda / 10, 1e-12);
                        accepted = !(gain <= LM_TOLERANCE * err);
                        if (!accepted) {
                            return cur;
                        }
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
