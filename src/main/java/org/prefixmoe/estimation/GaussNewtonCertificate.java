package org.prefixmoe.estimation;

import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.factory.LinearSolverFactory_DDRM;
import org.ejml.interfaces.linsol.LinearSolverDense;
import org.prefixmoe.model.Evaluator;
import org.prefixmoe.model.MixingMeasure;

/**
 * How much lower the Gauss–Newton model of a least-squares fit says its objective could still go: the
 * decrease {@code ||r||² − ||r + Js||²} that the full, undamped Gauss–Newton step {@code s = −(JᵀJ)⁺Jᵀr} promises
 * on the free coordinates, relative to {@code ||r||²} (issue 23, docs/solver-flat-sets.md). Coordinates on a bound
 * of the box whose descent direction points out of it are held, as the solver holds them. A step that would leave
 * the box is followed along it: at the first bound it reaches, that coordinate is held, the model's gradient is
 * moved to that point and the Gauss–Newton step of the remaining free coordinates is solved again, and so on; the
 * promise is the model's decrease summed over the segments, the decrease along a path that stays in the box (a fit
 * that stopped in the interior while its optimum lies on the box is otherwise certified: the step towards a close
 * bound, cut there, promises almost nothing). The pseudo-inverse is taken of the Jacobi-scaled {@code JᵀJ}, so
 * directions in which the model is exactly flat promise nothing.
 *
 * <p>Why: an over-specified fit can stop on a small objective change at the mouth of a flat valley, with the
 * objective still 1e-6 to 1e-4 (relative) above the optimum it is crawling towards. Near a non-degenerate
 * optimum the decrement is about the remaining decrease (exactly so for a linear model); at such an early stop it
 * is well above the solver's tolerance. On 90 {@code lm} fits of the peers' workload it flagged 50 of the 53 that
 * had stopped more than 1e-9 above the optimum and 3 of the 37 that had not (cut at the first bound instead of
 * followed along the box: 48 and 3; and none of 13 early {@code trf} stops in the interior, against 13). It is evidence, not proof, both ways: the
 * model does not see a direction of negative curvature or a bent valley (a small promise can hide an early stop),
 * and near a degenerate optimum a tiny gradient along a nearly flat direction is amplified into a large promise
 * that is not there; {@link #continuationGain} confirms a promise. One pass over the data. Immutable.
 *
 * @param objective the mean squared residual {@code Σ||Y − f||² / n} at the estimate
 * @param decrement the promised decrease relative to the objective (0 when nothing is promised)
 * @param held the coordinates held on a bound
 */
public record GaussNewtonCertificate(double objective, double decrement, int held) {
    /** The decrement above which a fit is not certified: the solver's own tolerance scale, 1e-9. */
    public static final double TOLERANCE = 1e-9;

    /**
     * The certificate of an estimate.
     *
     * @param problem the fit problem the estimate is for
     * @param estimate the fitted measure (L atoms of the problem's model)
     * @return its certificate
     * @throws IllegalArgumentException when the estimate does not fit the problem
     */
    public static GaussNewtonCertificate of(FitProblem problem, MixingMeasure estimate) {
        double[] x = problem.startVector(estimate);
        Evaluator ev = problem.evaluator();
        int dim = ev.dimension();
        double[] a = new double[dim * dim];
        double[] g = new double[dim];
        ev.setParameters(x);
        double ssr = ev.normalEquations(problem.data().y(), a, g);
        double[] lo = problem.lower();
        double[] hi = problem.upper();
        boolean[] held = new boolean[dim];
        LeastSquaresEstimator.holdOnBounds(x, g, lo, hi, held);
        int k = 0;
        for (boolean h : held) {
            k += h ? 1 : 0;
        }
        return new GaussNewtonCertificate(ssr / problem.data().size(), pathPromise(x, a, g, ssr, lo, hi), k);
    }

    /**
     * The model's promise along the box (what {@link #of} reports): the undamped Gauss–Newton step on the free
     * coordinates, followed until it reaches a bound, that coordinate held there and the step of the others solved
     * again from that point, until a step reaches no bound (at most one segment per coordinate).
     *
     * @param x the packed point
     * @param a {@code JᵀJ} there, row-major
     * @param g {@code Jᵀr} there
     * @param ssr {@code ||r||²} there
     * @param lo lower bounds
     * @param hi upper bounds
     * @return the model's decrease along the path, relative to ssr; at least {@link #promise}'s
     */
    static double pathPromise(double[] x, double[] a, double[] g, double ssr, double[] lo, double[] hi) {
        return promiseAlong(x, a, g, ssr, lo, hi, x.length + 1, null);
    }

    /**
     * The end of the path of {@link #pathPromise}: the point the Gauss–Newton model, followed along the box, says
     * is lowest (what {@code lm-pair-p}'s {@link PathMove} tries).
     *
     * @param end out: the path's end point, inside the box; x itself when nothing is promised
     * @return the model's decrease along the path, relative to ssr (as {@link #pathPromise})
     */
    static double pathEnd(double[] x, double[] a, double[] g, double ssr, double[] lo, double[] hi, double[] end) {
        return promiseAlong(x, a, g, ssr, lo, hi, x.length + 1, end);
    }

    /**
     * The model's decrease along at most {@code segments} segments of the path of {@link #pathPromise}; one segment
     * is the step cut at the first bound it reaches ({@link #promise}).
     */
    private static double promiseAlong(double[] x, double[] a, double[] g, double ssr, double[] lo, double[] hi,
                                       int segments, double[] end) {
        int dim = x.length;
        boolean[] held = new boolean[dim];
        LeastSquaresEstimator.holdOnBounds(x, g, lo, hi, held);   // as the solver holds them
        double[] z = x.clone();
        double[] grad = g.clone();
        double[] step = new double[dim];
        double total = 0;
        for (int segment = 0; segment < segments; segment++) {
            double dec = decrement(a, grad, ssr, held, step);
            if (!(dec > 0)) {
                if (end != null) {
                    System.arraycopy(z, 0, end, 0, dim);
                }
                return Double.isNaN(dec) ? Double.NaN : total;
            }
            double t = 1.0;
            int first = -1;
            for (int c = 0; c < dim; c++) {
                double room = step[c] > 0 ? (hi[c] - z[c]) / step[c] : step[c] < 0 ? (lo[c] - z[c]) / step[c]
                        : Double.POSITIVE_INFINITY;
                if (room < t) {
                    t = Math.max(room, 0.0);
                    first = c;
                }
            }
            // Along t·step the quadratic model falls by δ·t(2 − t) (δ the full step's decrease).
            total += dec * t * (2 - t);
            for (int c = 0; c < dim; c++) {
                z[c] += t * step[c];
            }
            if (first >= 0) {
                z[first] = step[first] > 0 ? hi[first] : lo[first];
            }
            if (first < 0 || segment == segments - 1) {
                break;
            }
            for (int r = 0; r < dim; r++) {
                double moved = 0;
                for (int c = 0; c < dim; c++) {
                    moved += a[r * dim + c] * t * step[c];
                }
                grad[r] += moved;   // the model's Jᵀr at the new point
            }
            held[first] = true;
        }
        if (end != null) {
            for (int c = 0; c < dim; c++) {
                end[c] = Math.min(hi[c], Math.max(lo[c], z[c]));   // rounding can leave the box by an ulp
            }
        }
        return total;
    }

    /**
     * The promise at a point from its pass's normal equations, the step cut at the first bound it reaches (what the
     * solvers' refusals of {@code lm-pair-c} and {@code trf-pair-c} call on the pass they already made, as measured;
     * {@link #of} follows the step along the box, {@link #pathPromise}).
     *
     * @param x the packed point
     * @param a {@code JᵀJ} there, row-major
     * @param g {@code Jᵀr} there
     * @param ssr {@code ||r||²} there
     * @param lo lower bounds
     * @param hi upper bounds
     * @return the promised decrease relative to ssr
     */
    static double promise(double[] x, double[] a, double[] g, double ssr, double[] lo, double[] hi) {
        return promiseAlong(x, a, g, ssr, lo, hi, 1, null);
    }

    /**
     * The relative decrement {@code gᵀÂ⁺g / ssr} on the free coordinates, {@code Â} the Jacobi-scaled normal matrix.
     *
     * @param a {@code JᵀJ}, row-major dim × dim
     * @param g {@code Jᵀr}
     * @param ssr {@code ||r||²}
     * @param held coordinates left out
     * @param step out: the Gauss–Newton step {@code −(JᵀJ)⁺Jᵀr} on the free coordinates, 0 on the held ones
     * @return the decrement relative to ssr; 0 when every coordinate is held or ssr is 0
     */
    static double decrement(double[] a, double[] g, double ssr, boolean[] held, double[] step) {
        int dim = g.length;
        int[] free = new int[dim];
        int m = 0;
        for (int c = 0; c < dim; c++) {
            if (!held[c] && a[c * dim + c] > 0) {
                free[m++] = c;
            }
        }
        java.util.Arrays.fill(step, 0.0);
        if (m == 0 || !(ssr > 0)) {
            return 0.0;
        }
        DMatrixRMaj scaled = new DMatrixRMaj(m, m);
        DMatrixRMaj rhs = new DMatrixRMaj(m, 1);
        DMatrixRMaj scaledStep = new DMatrixRMaj(m, 1);
        for (int i = 0; i < m; i++) {
            double di = Math.sqrt(a[free[i] * dim + free[i]]);
            rhs.data[i] = g[free[i]] / di;
            for (int j = 0; j < m; j++) {
                scaled.data[i * m + j] = a[free[i] * dim + free[j]] / (di * Math.sqrt(a[free[j] * dim + free[j]]));
            }
        }
        LinearSolverDense<DMatrixRMaj> solver = LinearSolverFactory_DDRM.pseudoInverse(true);
        if (!solver.setA(scaled)) {
            return Double.NaN;
        }
        solver.solve(rhs, scaledStep);
        double dec = 0;
        for (int i = 0; i < m; i++) {
            dec += rhs.data[i] * scaledStep.data[i];
            step[free[i]] = -scaledStep.data[i] / Math.sqrt(a[free[i] * dim + free[i]]);
        }
        return Math.max(dec, 0.0) / ssr;
    }

    /** Iterations of the confirming continuation ({@link #continuationGain}). */
    public static final int CONFIRM_ITERATIONS = 20;

    /**
     * How much a short continuation still lowers the objective: {@code lm} from the estimate with every tolerance
     * at 1e-15 for at most {@code iterations} iterations. Near a degenerate optimum the Gauss–Newton model can
     * promise far more than is there (a tiny gradient along a nearly flat direction, amplified), so a promise above
     * the tolerance is confirmed by this continuation before a fit is called stopped early; a crawl gains more than
     * 1e-9 within a few iterations.
     *
     * @param problem the fit problem
     * @param estimate the fitted measure
     * @param iterations the continuation's cap ({@link #CONFIRM_ITERATIONS} in the toolkit)
     * @return the relative decrease {@code (before − after) / before}, at least 0
     */
    public static double continuationGain(FitProblem problem, MixingMeasure estimate, int iterations) {
        LeastSquaresEstimator lm = new LeastSquaresEstimator(
                new LeastSquaresEstimator.Options(iterations, 1e-15, 1e-15, 1e-15));
        double before = of(problem, estimate).objective();
        FitResult after = lm.fit(problem, estimate);
        return Math.max(0.0, (before - after.objective()) / before);
    }

    /** {@return whether the Gauss–Newton model promises at most {@link #TOLERANCE} more} */
    public boolean certified() {
        return decrement <= TOLERANCE;
    }
}
