package org.prefixmoe.estimation;

import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.factory.DecompositionFactory_DDRM;
import org.ejml.interfaces.decomposition.EigenDecomposition_F64;

/**
 * The trust-region step of {@link LeastSquaresEstimator.Method#FLAT}'s Newton phase (Moré and
 * Sorensen 1983): the minimizer of {@code gᵀs + sᵀHs/2} over the free coordinates with
 * {@code ||D s|| ≤ Δ}, D the square roots of {@code diag(JᵀJ)}, by an eigendecomposition of the
 * scaled Hessian {@code D⁻¹HD⁻¹} and a search for the shift μ ≥ max(0, −λ_min) that puts the
 * step on the boundary (and, in the "hard case", a move along the eigenvector of λ_min). Unlike a
 * Levenberg–Marquardt damping, which must make {@code H + λD²} positive definite and so keeps the
 * step short wherever the Hessian has negative curvature, the step goes to the trust radius along
 * a direction of negative curvature, and the radius grows while the quadratic model predicts the
 * decrease (a flat, curved valley that descends to the box). Not thread-safe: one per fit.
 */
final class TrustRegion {
    private final int dim;
    private final int[] free;
    private int k;
    private final double[] lambda;
    private final double[][] vectors;
    private final double[] coef;
    private final double[] scale;
    private double gradNorm;

    /**
     * @param dim the number of coordinates
     */
    TrustRegion(int dim) {
        this.dim = dim;
        this.free = new int[dim];
        this.lambda = new double[dim];
        this.vectors = new double[dim][dim];
        this.coef = new double[dim];
        this.scale = new double[dim];
    }

    /**
     * Decomposes the scaled Hessian on the free coordinates.
     *
     * @param h the Hessian, dim × dim row-major; not modified
     * @param g the gradient; not modified
     * @param d the scale of each coordinate (positive); not modified
     * @param fixed the coordinates held on a bound; not modified
     * @throws IllegalStateException if the decomposition fails (a non-finite Hessian)
     */
    void decompose(double[] h, double[] g, double[] d, boolean[] fixed) {
        k = 0;
        for (int c = 0; c < dim; c++) {
            if (!fixed[c]) {
                free[k++] = c;
            }
            scale[c] = d[c];
        }
        DMatrixRMaj hs = new DMatrixRMaj(k, k);
        for (int i = 0; i < k; i++) {
            for (int j = 0; j < k; j++) {
                hs.data[i * k + j] = h[free[i] * dim + free[j]] / (d[free[i]] * d[free[j]]);
            }
        }
        EigenDecomposition_F64<DMatrixRMaj> eig = DecompositionFactory_DDRM.eig(k, true, true);
        if (!eig.decompose(hs)) {
            throw new IllegalStateException("trust region: eigendecomposition of the Hessian failed");
        }
        gradNorm = 0;
        for (int e = 0; e < k; e++) {
            lambda[e] = eig.getEigenvalue(e).real;
            DMatrixRMaj v = eig.getEigenVector(e);
            double dot = 0;
            for (int i = 0; i < k; i++) {
                vectors[e][i] = v.data[i];
                dot += v.data[i] * g[free[i]] / d[free[i]];
            }
            coef[e] = dot;
            gradNorm += dot * dot;
        }
        gradNorm = Math.sqrt(gradNorm);
    }

    /**
     * {@return the decrease of {@code Σr²} that the full Newton step promises, {@code gᵀH⁻¹g} on the
     * free coordinates, or infinity when the Hessian there is not positive definite}
     */
    double newtonDecrement() {
        double s = 0;
        for (int e = 0; e < k; e++) {
            if (!(lambda[e] > 0)) {
                return Double.POSITIVE_INFINITY;
            }
            s += coef[e] * coef[e] / lambda[e];
        }
        return s;
    }

    private double norm2(double mu) {
        double s = 0;
        for (int e = 0; e < k; e++) {
            double t = coef[e] / (lambda[e] + mu);
            s += t * t;
        }
        return s;
    }

    /**
     * The step for a radius, in unscaled coordinates (0 on the held ones).
     *
     * @param radius the trust radius Δ of the scaled step, positive
     * @param out receives the step
     * @return the shift μ of the scaled Hessian
     */
    double step(double radius, double[] out) {
        double min = Double.POSITIVE_INFINITY;
        double max = 0;
        int argMin = 0;
        for (int e = 0; e < k; e++) {
            if (lambda[e] < min) {
                min = lambda[e];
                argMin = e;
            }
            max = Math.max(max, Math.abs(lambda[e]));
        }
        double r2 = radius * radius;
        double mu;
        double tau = 0;
        if (min > 0 && norm2(0) <= r2) {
            mu = 0;
        } else {
            double lower = Math.max(0, -min);
            double eps = 1e-12 * Math.max(1, max);
            if (norm2(lower + eps) <= r2 && min <= 0) {
                // Hard case: the gradient has (almost) no component along the most negative
                // curvature; go to the boundary along it.
                mu = lower + eps;
                double rest = norm2(mu);
                tau = Math.sqrt(Math.max(0, r2 - rest));
                if (coef[argMin] > 0) {
                    tau = -tau;
                }
            } else {
                double lo = lower + eps;
                double hi = Math.max(lo, gradNorm / radius - min) + eps;
                while (norm2(hi) > r2) {
                    hi *= 2;
                }
                for (int it = 0; it < 200; it++) {
                    double mid = 0.5 * (lo + hi);
                    double n2 = norm2(mid);
                    if (n2 > r2) {
                        lo = mid;
                    } else {
                        hi = mid;
                    }
                    if (Math.abs(Math.sqrt(n2) - radius) <= 1e-3 * radius || hi - lo <= 1e-15 * hi) {
                        break;
                    }
                }
                mu = hi;
            }
        }
        java.util.Arrays.fill(out, 0);
        for (int e = 0; e < k; e++) {
            double t = -coef[e] / (lambda[e] + mu);
            if (e == argMin) {
                t += tau;
            }
            for (int i = 0; i < k; i++) {
                out[free[i]] += t * vectors[e][i];
            }
        }
        for (int i = 0; i < k; i++) {
            out[free[i]] /= scale[free[i]];
        }
        return mu;
    }
}
