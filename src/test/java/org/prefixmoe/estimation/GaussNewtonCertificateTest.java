package org.prefixmoe.estimation;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.factory.LinearSolverFactory_DDRM;
import org.ejml.interfaces.linsol.LinearSolverDense;
import org.junit.jupiter.api.Test;
import org.prefixmoe.TestModels;
import org.prefixmoe.model.Evaluator;
import org.prefixmoe.model.MixingMeasure;
import org.prefixmoe.model.TruthModel;
import org.prefixmoe.sampling.RandomStreams;
import org.prefixmoe.sampling.RegressionSampler;

/** The Gauss–Newton decrement of a fit (issue 23): hand-computed cases, and the drop one Gauss–Newton step achieves. */
class GaussNewtonCertificateTest {
    @Test
    void handComputedDecrements() {
        // A = diag(2, 8), g = (2, 4): gᵀA⁻¹g = 4/2 + 16/8 = 4, relative to ssr = 10.
        double[] a = {2, 0, 0, 8};
        double[] g = {2, 4};
        double[] step = new double[2];
        assertEquals(0.4, GaussNewtonCertificate.decrement(a, g, 10, new boolean[2], step), 1e-15);
        assertArrayEquals(new double[] {-1, -0.5}, step, 1e-15);
        // Coordinate 1 held: 4/2 = 2.
        assertEquals(0.2, GaussNewtonCertificate.decrement(a, g, 10, new boolean[] {false, true}, new double[2]), 1e-15);
        // Coupled: A = [[4, 2], [2, 2]], g = (2, 0): A⁻¹ = [[1/2, −1/2], [−1/2, 1]], gᵀA⁻¹g = 2.
        assertEquals(0.2, GaussNewtonCertificate.decrement(new double[] {4, 2, 2, 2}, new double[] {2, 0}, 10,
                new boolean[2], new double[2]), 1e-14);
        // Singular: A = [[1, 1], [1, 1]], g = (1, 1): only the range counts, (g·u)²/2 with u = (1, 1)/√2 gives 1.
        assertEquals(0.1, GaussNewtonCertificate.decrement(new double[] {1, 1, 1, 1}, new double[] {1, 1}, 10,
                new boolean[2], new double[2]), 1e-14);
        // A gradient in the null space promises nothing: A = [[1, 1], [1, 1]], g = (1, −1).
        assertEquals(0.0, GaussNewtonCertificate.decrement(new double[] {1, 1, 1, 1}, new double[] {1, -1}, 10,
                new boolean[2], new double[2]), 1e-14);
        assertEquals(0.0, GaussNewtonCertificate.decrement(a, g, 10, new boolean[] {true, true}, new double[2]), 0.0);
    }

    /**
     * An exactly specified fit (non-shared, n = 5,000) is certified at its end; moved off it, the certificate's
     * promise matches the drop of the objective that one undamped Gauss–Newton step, computed here from the pass's
     * normal equations and evaluated by a second pass, actually achieves (within 5%: the model is quadratic, the
     * objective nearly so this close).
     */
    @Test
    void promiseMatchesTheDropOfOneGaussNewtonStep() {
        TruthModel tm = TestModels.defaultTruth("non-shared");
        FitProblem problem = FitProblem.of(tm, RegressionSampler.of(tm).sample(5_000, RandomStreams.stream(4401, 1)),
                tm.trueAtoms());
        FitResult fit = new LeastSquaresEstimator().fit(problem,
                new NearTruthInitializer(tm.truth()).start(problem, RandomStreams.stream(4401, 2)));
        assertTrue(fit.converged(), fit.stopReason().label());
        GaussNewtonCertificate end = GaussNewtonCertificate.of(problem, fit.estimate());
        assertTrue(end.certified(), "decrement " + end.decrement());
        assertEquals(fit.objective(), end.objective(), 1e-15 * fit.objective());

        double[] x = fit.estimate().pack();
        for (int c = 0; c < x.length; c++) {
            x[c] += 0.01 * ((c % 3) - 1);
        }
        MixingMeasure moved = MixingMeasure.unpack(x, tm.model().atomDimension(), tm.model().hasBias());
        GaussNewtonCertificate off = GaussNewtonCertificate.of(problem, moved);
        assertFalse(off.certified());
        assertEquals(0, off.held());

        Evaluator ev = problem.evaluator();
        int dim = x.length;
        double[] a = new double[dim * dim];
        double[] g = new double[dim];
        ev.setParameters(x);
        double ssr = ev.normalEquations(problem.data().y(), a, g);
        LinearSolverDense<DMatrixRMaj> chol = LinearSolverFactory_DDRM.chol(dim);
        assertTrue(chol.setA(new DMatrixRMaj(dim, dim, true, a)));
        DMatrixRMaj s = new DMatrixRMaj(dim, 1);
        DMatrixRMaj rhs = new DMatrixRMaj(dim, 1, true, g);
        chol.solve(rhs, s);
        double[] next = x.clone();
        for (int c = 0; c < dim; c++) {
            next[c] -= s.data[c];
        }
        ev.setParameters(next);
        double after = ev.normalEquations(problem.data().y(), a, g);
        double achieved = (ssr - after) / ssr;
        assertEquals(achieved, off.decrement(), 0.05 * achieved);
    }
}
