package org.prefixmoe.estimation;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.prefixmoe.model.Evaluator;

/** The {@code lm-pair-p} method's move to the end of the Gauss–Newton path along crawls. */
class PathMoveTest {
    @Test
    void isNamed() {
        Crawls.assertNamed(LeastSquaresEstimator.Method.LM_PAIR_P, "lm-pair-p", 19);
        Crawls.assertNamed(LeastSquaresEstimator.Method.TRF_PAIR_P, "trf-pair-p", 20);
        assertEquals(LeastSquaresEstimator.Method.LM_PAIR_P, LeastSquaresEstimator.Method.TRF_PAIR_P.crawlPhase());
    }

    /** Due at every 10th accepted point of a window that lowered the objective by less than 1e-6, not before. */
    @Test
    void isDueEveryTenthAcceptedPointOfACrawl() {
        PathMove move = new PathMove(2, 1.0);
        double[] x = new double[2];
        for (int k = 1; k <= 30; k++) {
            boolean due = move.stepped(x, x, 1.0 - 1e-8 * k);
            assertEquals(k % 10 == 0, due, "accepted point " + k);
        }
        PathMove fast = new PathMove(2, 1.0);
        for (int k = 1; k <= 10; k++) {
            assertFalse(fast.stepped(x, x, 1.0 - 1e-3 * k), "not a crawl");
        }
    }

    /**
     * Off an exactly specified fit's end (shared-nonlinear, n = 5,000), the full Gauss–Newton step is lower: the move
     * takes it in one pass, to the path's end, and comes back within 1e-6 (relative) of the end's objective; from the
     * end itself it gains less than 1e-9 (or nothing).
     */
    @Test
    void takesTheGaussNewtonPointWhenItIsLower() {
        Crawls.Crawl c = Crawls.noCrawl();
        FitProblem problem = c.problem();
        assertTrue(c.lm().converged());
        double[] best = problem.startVector(c.lm().estimate());
        Evaluator ev = problem.evaluator();
        int dim = ev.dimension();
        double[] y = problem.data().y();
        double[] x = best.clone();
        for (int k = 0; k < dim; k++) {
            x[k] += 1e-3 * (k % 2 == 0 ? 1 : -1);
        }
        double[] a = new double[dim * dim];
        double[] g = new double[dim];
        ev.setParameters(x);
        double ssr = ev.normalEquations(y, a, g);
        double[] end = new double[dim];
        GaussNewtonCertificate.pathEnd(x, a, g, ssr, problem.lower(), problem.upper(), end);
        PathMove move = new PathMove(dim, ssr);
        double moved = move.tryMove(ev, y, x, a, g, ssr, problem.lower(), problem.upper());
        assertEquals(1, move.evaluations());
        assertArrayEquals(end, move.point(), 1e-15);
        double optimum = c.lm().objective() * problem.data().size();
        assertTrue(moved < ssr && Math.abs(moved - optimum) < 1e-6 * optimum, moved + " " + optimum + " " + ssr);
        double[] a2 = new double[dim * dim];
        double[] g2 = new double[dim];
        move.copyNormal(a2, g2);
        ev.setParameters(move.point());
        double[] a3 = new double[dim * dim];
        double[] g3 = new double[dim];
        assertEquals(moved, ev.normalEquations(y, a3, g3));
        assertArrayEquals(a3, a2);
        assertArrayEquals(g3, g2);

        ev.setParameters(best);
        double atBest = ev.normalEquations(y, a, g);
        double again = new PathMove(dim, atBest).tryMove(ev, y, best, a, g, atBest, problem.lower(), problem.upper());
        assertTrue(Double.isNaN(again) || atBest - again < 1e-9 * atBest, again + " " + atBest);
    }
}
