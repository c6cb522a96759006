package org.prefixmoe.estimation;

import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.SingularOps_DDRM;
import org.ejml.dense.row.factory.DecompositionFactory_DDRM;
import org.ejml.dense.row.factory.LinearSolverFactory_DDRM;
import org.ejml.interfaces.decomposition.SingularValueDecomposition_F64;
import org.ejml.interfaces.linsol.LinearSolverDense;

/**
 * The damped step of {@link LeastSquaresEstimator.Method#LM_PAIR_B} in moment coordinates with coordinates held on
 * the box (issue 23, docs/solver-flat-sets.md): the step is restricted to the null space N of the held coordinates'
 * rows of the back map's Jacobian, so that to first order they do not move, and solves
 * {@code (NᵀAN + λD)y = −Nᵀg} with D the diagonal of {@code NᵀAN} (floored), the step {@code Ny}. One per iteration.
 */
final class HeldMomentStep {
    private final int dim;
    private final DMatrixRMaj basis;
    private final double[] reduced;
    private final double[] gradient;
    private final int rank;

    private HeldMomentStep(int dim, DMatrixRMaj basis, double[] reduced, double[] gradient) {
        this.dim = dim;
        this.basis = basis;
        this.rank = basis.numCols;
        this.reduced = reduced;
        this.gradient = gradient;
    }

    /**
     * The restricted problem, or null when nothing is held.
     *
     * @param jac the back map's Jacobian {@code ∂x/∂z}, dim × dim
     * @param held the coordinates of x held this iteration
     * @param a the normal matrix in moment coordinates
     * @param g the gradient in moment coordinates
     * @return the step's problem, or null
     */
    static HeldMomentStep of(double[] jac, boolean[] held, double[] a, double[] g) {
        int dim = g.length;
        int k = 0;
        for (boolean h : held) {
            k += h ? 1 : 0;
        }
        if (k == 0) {
            return null;
        }
        DMatrixRMaj rows = new DMatrixRMaj(k, dim);
        int r = 0;
        for (int c = 0; c < dim; c++) {
            if (held[c]) {
                System.arraycopy(jac, c * dim, rows.data, r * dim, dim);
                r++;
            }
        }
        SingularValueDecomposition_F64<DMatrixRMaj> svd = DecompositionFactory_DDRM.svd(k, dim, false, true, false);
        if (!svd.decompose(rows)) {
            return null;
        }
        DMatrixRMaj basis = SingularOps_DDRM.nullSpace(svd, null, 1e-10);
        int n = basis.numCols;
        double[] an = new double[dim * n];
        for (int i = 0; i < dim; i++) {
            for (int j = 0; j < n; j++) {
                double acc = 0;
                for (int l = 0; l < dim; l++) {
                    acc += a[i * dim + l] * basis.get(l, j);
                }
                an[i * n + j] = acc;
            }
        }
        double[] reduced = new double[n * n];
        double[] gradient = new double[n];
        for (int i = 0; i < n; i++) {
            double gi = 0;
            for (int l = 0; l < dim; l++) {
                gi += basis.get(l, i) * g[l];
            }
            gradient[i] = gi;
            for (int j = 0; j < n; j++) {
                double acc = 0;
                for (int l = 0; l < dim; l++) {
                    acc += basis.get(l, i) * an[l * n + j];
                }
                reduced[i * n + j] = acc;
            }
        }
        return new HeldMomentStep(dim, basis, reduced, gradient);
    }

    /**
     * Solves the damped restricted system.
     *
     * @param lambda the damping
     * @param floor the floor of the metric's entries
     * @param step receives the step in moment coordinates, length dim
     * @return false when the damped matrix is not positive definite in floating point
     */
    boolean solve(double lambda, double floor, double[] step) {
        DMatrixRMaj m = new DMatrixRMaj(rank, rank);
        DMatrixRMaj rhs = new DMatrixRMaj(rank, 1);
        DMatrixRMaj y = new DMatrixRMaj(rank, 1);
        for (int i = 0; i < rank; i++) {
            for (int j = 0; j < rank; j++) {
                m.data[i * rank + j] = reduced[i * rank + j];
            }
            m.data[i * rank + i] += lambda * Math.max(reduced[i * rank + i], floor);
            rhs.data[i] = -gradient[i];
        }
        LinearSolverDense<DMatrixRMaj> chol = LinearSolverFactory_DDRM.chol(rank);
        if (rank > 0 && !chol.setA(m)) {
            return false;
        }
        if (rank > 0) {
            chol.solve(rhs, y);
        }
        for (int l = 0; l < dim; l++) {
            double acc = 0;
            for (int j = 0; j < rank; j++) {
                acc += basis.get(l, j) * y.data[j];
            }
            step[l] = acc;
        }
        return true;
    }
}
