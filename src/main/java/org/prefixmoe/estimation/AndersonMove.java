package org.prefixmoe.estimation;

import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.factory.LinearSolverFactory_DDRM;
import org.ejml.interfaces.linsol.LinearSolverDense;
import org.prefixmoe.model.Evaluator;

/**
 * The Anderson move of {@link LeastSquaresEstimator.Method#LM_AA} and {@link LeastSquaresEstimator.Method#TRF_AA}
 * (issue 23, docs/solver-flat-sets.md): Anderson acceleration (Walker and Ni 2011) of a crawl. Every accepted
 * solver step from {@code x_i} to {@code G(x_i)} is recorded as a pair (the last {@link #PAIRS} kept); when a
 * move is due (a crawl by {@link CrawlWindow}) the weights {@code α = (FᵀF + εI)⁻¹1 / 1ᵀ(FᵀF + εI)⁻¹1} of the residuals
 * {@code f_i = G(x_i) − x_i} (the columns of F, ε = 1e-12 of FᵀF's mean diagonal) give the point
 * {@code Σ α_i G(x_i)}, projected onto the box and tried with one pass. The combination cancels the parts of
 * the steps that zigzag across a valley, which a single damped step or a pattern move along the net
 * displacement cannot. Not thread-safe: one per fit.
 */
final class AndersonMove implements CrawlMove {
    /** Pairs (x, G(x)) in a move. */
    static final int PAIRS = 6;
    /** Accepted steps without a move after a move that was not lower. */
    static final int WAIT = 4;

    private final int dim;
    private final boolean strict;
    private final double[] from;
    private final double[] to;
    private final CrawlWindow window;
    private boolean crawling;
    private final DMatrixRMaj gram = new DMatrixRMaj(PAIRS, PAIRS);
    private final DMatrixRMaj ones = new DMatrixRMaj(PAIRS, 1);
    private final DMatrixRMaj weights = new DMatrixRMaj(PAIRS, 1);
    private final LinearSolverDense<DMatrixRMaj> solver = LinearSolverFactory_DDRM.symmPosDef(PAIRS);
    private final double[] point;
    private final double[] aPoint;
    private final double[] gPoint;
    private long pairs;
    private long waitUntil;
    private int evaluations;

    /**
     * @param dim the number of coordinates
     * @param ssr0 the start's objective (the first accepted point)
     * @param strict whether the move's point is made strictly feasible (for {@code trf}'s interior path)
     */
    AndersonMove(int dim, double ssr0, boolean strict) {
        this.dim = dim;
        this.strict = strict;
        this.from = new double[PAIRS * dim];
        this.to = new double[PAIRS * dim];
        this.point = new double[dim];
        this.aPoint = new double[dim * dim];
        this.gPoint = new double[dim];
        this.window = new CrawlWindow(ssr0);
        for (int i = 0; i < PAIRS; i++) {
            ones.data[i] = 1;
        }
    }

    @Override
    public boolean stepped(double[] x, double[] next, double ssr) {
        int slot = (int) (pairs % PAIRS);
        System.arraycopy(x, 0, from, slot * dim, dim);
        System.arraycopy(next, 0, to, slot * dim, dim);
        pairs++;
        moved(next, ssr);
        return due();
    }

    /** A move's point is an accepted point but not a pair: the next step from it is. */
    @Override
    public void moved(double[] x, double ssr) {
        crawling = window.accept(ssr);
    }

    /** {@return whether a move is due: {@link #PAIRS} pairs kept, a crawl, no recent failed move} */
    private boolean due() {
        return pairs >= PAIRS && crawling && window.accepted() >= waitUntil;
    }

    /** The combination of the kept pairs (see the class), projected onto the box; one pass. */
    @Override
    public double tryMove(Evaluator ev, double[] y, double[] x, double[] a, double[] g, double ssr, double[] lo,
                          double[] hi) {
        evaluations = 0;
        double lower = Double.NaN;
        if (combine(lo, hi)) {
            ev.setParameters(point);
            double s = ev.normalEquations(y, aPoint, gPoint);
            evaluations++;
            lower = s < ssr ? s : Double.NaN;
        }
        if (Double.isNaN(lower)) {
            waitUntil = window.accepted() + WAIT;
        }
        return lower;
    }

    /**
     * Puts the combination of the kept pairs, projected onto the box (and made strictly feasible if asked),
     * into {@link #point()}.
     *
     * @return false if the residuals' Gram matrix is zero or cannot be factored (no point)
     */
    boolean combine(double[] lo, double[] hi) {
        double trace = 0;
        for (int i = 0; i < PAIRS; i++) {
            for (int j = 0; j <= i; j++) {
                double s = 0;
                for (int c = 0; c < dim; c++) {
                    s += (to[i * dim + c] - from[i * dim + c]) * (to[j * dim + c] - from[j * dim + c]);
                }
                gram.data[i * PAIRS + j] = s;
                gram.data[j * PAIRS + i] = s;
            }
            trace += gram.data[i * PAIRS + i];
        }
        double ridge = 1e-12 * trace / PAIRS;
        for (int i = 0; i < PAIRS; i++) {
            gram.data[i * PAIRS + i] += ridge;
        }
        if (!(trace > 0) || !solver.setA(gram)) {
            return false;
        }
        solver.solve(ones, weights);
        double sum = 0;
        for (int i = 0; i < PAIRS; i++) {
            sum += weights.data[i];
        }
        if (!Double.isFinite(sum) || sum == 0) {
            return false;
        }
        for (int c = 0; c < dim; c++) {
            double v = 0;
            for (int i = 0; i < PAIRS; i++) {
                v += weights.data[i] / sum * to[i * dim + c];
            }
            point[c] = Math.min(hi[c], Math.max(lo[c], v));
        }
        if (strict) {
            ReflectiveTrustRegion.strictlyFeasible(point, lo, hi, 0);
        }
        return true;
    }

    @Override
    public int evaluations() {
        return evaluations;
    }

    @Override
    public double[] point() {
        return point;
    }

    @Override
    public void copyNormal(double[] a, double[] g) {
        System.arraycopy(aPoint, 0, a, 0, a.length);
        System.arraycopy(gPoint, 0, g, 0, g.length);
    }
}
