package org.prefixmoe.model.moe;

import java.util.List;
import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.factory.DecompositionFactory_DDRM;
import org.ejml.interfaces.decomposition.CholeskyDecomposition_F64;

/**
 * The Gaussian gate {@code π_k N(x; c_k, Γ_k) / Σ_j π_j N(x; c_j, Γ_j)} of the Gaussian-gated
 * mixture of experts. It models the input, so the mixture's likelihood is the joint one of
 * (X, Y) and {@link Weights#logWeights} returns {@code log π_k + log N(x; c_k, Γ_k)}. Blocks
 * {@code pi} (1), {@code c} (d) and {@code Gamma} (d × d, row-major, symmetric positive definite).
 * The M-step is closed form. Frozen components are not supported.
 */
public final class GaussianGate implements Gate {
    /** Relative floor on covariance eigenvalues in the M-step, so a component cannot collapse onto a point. */
    static final double COVARIANCE_FLOOR = 1e-10;

    private final int d;
    private final int k;

    /**
     * @param inputDimension d
     * @param components K
     * @throws IllegalArgumentException naming the argument
     */
    public GaussianGate(int inputDimension, int components) {
        if (inputDimension < 1) {
            throw new IllegalArgumentException("d: must be >= 1, got " + inputDimension);
        }
        if (components < 1) {
            throw new IllegalArgumentException("K: must be >= 1, got " + components);
        }
        this.d = inputDimension;
        this.k = components;
    }

    @Override
    public String name() {
        return "gaussian";
    }

    @Override
    public int components() {
        return k;
    }

    @Override
    public int inputDimension() {
        return d;
    }

    /**
     * This gate with another number of components.
     *
     * @param components K
     * @return the gate
     */
    @Override
    public GaussianGate withComponents(int components) {
        return new GaussianGate(d, components);
    }

    @Override
    public List<Block> blocks() {
        return List.of(new Block("pi", 1), new Block("c", d), new Block("Gamma", d * d));
    }

    @Override
    public boolean modelsInput() {
        return true;
    }

    @Override
    public double weight(double[] component) {
        return component[0];
    }

    @Override
    public void check(String field, double[] component) {
        Gate.super.check(field, component);
        if (!(component[0] > 0)) {
            throw new IllegalArgumentException(field + ".pi: must be > 0, got " + component[0]);
        }
        if (cholesky(component) == null) {
            throw new IllegalArgumentException(field + ".Gamma: not symmetric positive definite");
        }
    }

    /**
     * The lower Cholesky factor L of a component's covariance ({@code Γ = LLᵀ}).
     *
     * @param component one component's gate vector; not modified
     * @return L, d × d row-major
     * @throws IllegalArgumentException when Γ is not symmetric positive definite
     */
    public double[] choleskyOf(double[] component) {
        double[] l = cholesky(component);
        if (l == null) {
            throw new IllegalArgumentException("Gamma: not symmetric positive definite");
        }
        return l;
    }

    /** Lower Cholesky factor of Γ (row-major d × d), or null when Γ is not symmetric positive definite. */
    double[] cholesky(double[] component) {
        double[] l = new double[d * d];
        for (int r = 0; r < d; r++) {
            for (int c = 0; c < d; c++) {
                double g = component[1 + d + r * d + c];
                if (Math.abs(g - component[1 + d + c * d + r]) > 1e-12 * (1 + Math.abs(g))) {
                    return null;
                }
            }
        }
        DMatrixRMaj m = new DMatrixRMaj(d, d, true, java.util.Arrays.copyOfRange(component, 1 + d, 1 + d + d * d));
        CholeskyDecomposition_F64<DMatrixRMaj> chol = DecompositionFactory_DDRM.chol(d, true);
        if (!chol.decompose(m)) {
            return null;
        }
        DMatrixRMaj lower = chol.getT(null);
        for (int r = 0; r < d; r++) {
            for (int c = 0; c <= r; c++) {
                l[r * d + c] = lower.get(r, c);
            }
            if (!(l[r * d + r] > 0)) {
                return null;
            }
        }
        return l;
    }

    @Override
    public Weights at(double[][] params) {
        if (params.length != k) {
            throw new IllegalArgumentException("gate: " + params.length + " components, expected " + k);
        }
        double[][] chol = new double[k][];
        double[] constant = new double[k];
        double[][] centre = new double[k][];
        for (int c = 0; c < k; c++) {
            chol[c] = cholesky(params[c]);
            if (chol[c] == null || !(params[c][0] > 0)) {
                // an invalid component has no mass: its weight is -Infinity, never NaN
                constant[c] = Double.NEGATIVE_INFINITY;
                chol[c] = identity();
            } else {
                double logDet = 0;
                for (int a = 0; a < d; a++) {
                    logDet += 2 * Math.log(chol[c][a * d + a]);
                }
                constant[c] = Math.log(params[c][0]) - 0.5 * (d * Math.log(2 * Math.PI) + logDet);
            }
            centre[c] = java.util.Arrays.copyOfRange(params[c], 1, 1 + d);
        }
        double[] z = new double[d];
        return new Weights() {
            @Override
            public void logWeights(double[] x, int offset, double[] frozen, int frozenOffset, double[] out) {
                for (int c = 0; c < k; c++) {
                    out[c] = constant[c] - 0.5 * mahalanobis(chol[c], centre[c], x, offset, z);
                }
            }
        };
    }

    private double[] identity() {
        double[] l = new double[d * d];
        for (int a = 0; a < d; a++) {
            l[a * d + a] = 1;
        }
        return l;
    }

    /** {@code (x − c)ᵀ Γ⁻¹ (x − c)} by forward substitution with the lower factor L (Γ = LLᵀ). */
    private double mahalanobis(double[] l, double[] c, double[] x, int offset, double[] z) {
        double s = 0;
        for (int r = 0; r < d; r++) {
            double v = x[offset + r] - c[r];
            for (int a = 0; a < r; a++) {
                v -= l[r * d + a] * z[a];
            }
            z[r] = v / l[r * d + r];
            s += z[r] * z[r];
        }
        return s;
    }

    /** Closed form: weighted proportions, means and covariances (a relative floor added to a singular covariance). */
    @Override
    public double[][] maximize(double[][] params, double[] x, int n, double[] frozen, int frozenCount, double[] resp) {
        if (frozenCount != 0) {
            throw new IllegalArgumentException("the Gaussian gate does not take frozen components");
        }
        double[][] out = new double[k][1 + d + d * d];
        for (int c = 0; c < k; c++) {
            double mass = 0;
            double[] mean = new double[d];
            for (int i = 0; i < n; i++) {
                double t = resp[i * k + c];
                mass += t;
                for (int a = 0; a < d; a++) {
                    mean[a] += t * x[i * d + a];
                }
            }
            if (!(mass > 0)) {
                // an empty component keeps its place and shape with zero weight
                out[c] = params[c].clone();
                out[c][0] = 0;
                continue;
            }
            double[] cov = new double[d * d];
            for (int a = 0; a < d; a++) {
                mean[a] /= mass;
            }
            for (int i = 0; i < n; i++) {
                double t = resp[i * k + c];
                for (int a = 0; a < d; a++) {
                    double da = x[i * d + a] - mean[a];
                    for (int b = 0; b <= a; b++) {
                        cov[a * d + b] += t * da * (x[i * d + b] - mean[b]);
                    }
                }
            }
            double scale = 0;
            for (int a = 0; a < d; a++) {
                for (int b = 0; b <= a; b++) {
                    cov[a * d + b] /= mass;
                    cov[b * d + a] = cov[a * d + b];
                }
                scale = Math.max(scale, cov[a * d + a]);
            }
            out[c][0] = mass / n;
            System.arraycopy(mean, 0, out[c], 1, d);
            System.arraycopy(cov, 0, out[c], 1 + d, d * d);
            if (cholesky(out[c]) == null) {
                for (int a = 0; a < d; a++) {
                    out[c][1 + d + a * d + a] += COVARIANCE_FLOOR * Math.max(scale, 1e-300);
                }
            }
        }
        return out;
    }
}
