package org.prefixmoe.estimation;

import java.util.Arrays;
import java.util.Optional;
import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.factory.DecompositionFactory_DDRM;
import org.ejml.interfaces.decomposition.EigenDecomposition_F64;
import org.prefixmoe.model.Evaluator;
import org.prefixmoe.model.MixingMeasure;

/**
 * {@link LeastSquaresEstimator.Method#TRF}: the trust-region reflective method of SciPy's
 * {@code least_squares(method="trf", x_scale="jac", tr_solver="exact")} for a box (Branch, Coleman and
 * Li 1999; SciPy's {@code trf_bounds}), step for step, computed from the pass's {@code JᵀJ} and
 * {@code Jᵀr} instead of an SVD of the n × p Jacobian (issue 23, docs/solver-flat-sets.md).
 *
 * <p>Per iteration: the Coleman–Li scaling {@code v} (the distance to the bound the gradient points
 * at, 1 for a coordinate moving inwards), the Jacobian's column norms as the variables' scale (their
 * running maximum), {@code d = √v · scale} and the reflective term {@code diag_h = g · dv · scale}.
 * In the hat variables {@code s = d ⊙ ŝ} the model is {@code ŝᵀ(dJᵀJd + diag_h)ŝ/2 + (d ⊙ g)ᵀŝ}; the
 * eigen-decomposition {@code dJᵀJd + diag_h = VΣ²V} is the SVD of SciPy's augmented Jacobian, and the
 * trust-region step is Moré's: the Gauss–Newton step if of full rank and inside the radius, otherwise
 * the step of the Levenberg–Marquardt parameter α that puts it on the radius. A step leaving the box is
 * replaced by the best of the step cut at the bound and shrunk by θ, its reflection off that bound, and
 * the scaled anti-gradient; the trial point is made strictly feasible. The radius follows SciPy's rule
 * (a quarter of the step below a gain ratio of ¼, doubled above ¾ when the step reached the radius).
 *
 * <p>Stops by the estimator's rule after each accepted step, as {@link LeastSquaresEstimator.Method#LM};
 * a rejected trial shorter than the step tolerance ends the fit as {@link StopReason#NO_PROGRESS}.
 * Squaring the Jacobian squares its condition number, so the path parts from SciPy's where {@code JᵀJ} is
 * nearly singular. {@link LeastSquaresEstimator.Method#TRF_AA} adds {@link AndersonMove} between steps.
 * Not thread-safe: one per fit.
 */
final class ReflectiveTrustRegion {
    /** Machine epsilon as NumPy's {@code finfo(float).eps}. */
    private static final double EPS = Math.ulp(1.0);

    private final int dim;
    private final int rows;
    private final double[] s;
    private final double[][] vec;
    private final double[] suf;
    private final double[] pH;
    private final double[] work;
    private final DMatrixRMaj m;
    private final EigenDecomposition_F64<DMatrixRMaj> eig;
    private final Integer[] order;
    private final double[] values;
    private boolean fullRank;
    /** The Levenberg–Marquardt parameter of the last trust-region solve (SciPy's {@code alpha}). */
    private double alpha;

    private ReflectiveTrustRegion(int dim, long rows) {
        this.dim = dim;
        this.rows = (int) Math.min(Integer.MAX_VALUE, rows);
        this.s = new double[dim];
        this.vec = new double[dim][dim];
        this.suf = new double[dim];
        this.pH = new double[dim];
        this.work = new double[dim];
        this.m = new DMatrixRMaj(dim, dim);
        this.eig = DecompositionFactory_DDRM.eig(dim, true, true);
        this.order = new Integer[dim];
        this.values = new double[dim];
    }

    /**
     * Fits from {@code start}.
     *
     * @param problem the problem
     * @param start the start
     * @param options iteration cap and step tolerance
     * @param rule the stop rule asked after every accepted step
     * @param threads threads of each pass
     * @return the fit
     */
    static FitResult fit(FitProblem problem, MixingMeasure start, LeastSquaresEstimator.Options options,
                         StopRule rule, int threads) {
        return fit(problem, start, options, rule, threads, null);
    }

    /**
     * Fits from {@code start} with the marked coordinates held at their start values ({@link
     * LeastSquaresEstimator.Method#TRF} only): the steps are taken in the other coordinates, from the pass's rows and
     * columns of the free ones, and the stop tests see only those. With none marked (or null) it is
     * {@link #fit(FitProblem, MixingMeasure, LeastSquaresEstimator.Options, StopRule, int)} bit for bit. A fit with a
     * coordinate held reports no Gauss–Newton promise (NaN): its end is a point of a profile, not an end.
     *
     * @param held the coordinates held (packed order), or null for none
     */
    static FitResult fit(FitProblem problem, MixingMeasure start, LeastSquaresEstimator.Options options,
                         StopRule rule, int threads, boolean[] held) {
        Evaluator ev = problem.evaluator();
        ev.setThreads(threads);
        double[] y = problem.data().y();
        int n = problem.data().size();
        int q = problem.model().outputDimension();
        double[] xFull = problem.startVector(start);
        Held h = Held.of(held, xFull);
        if (h != null && options.method() != LeastSquaresEstimator.Method.TRF) {
            throw new IllegalArgumentException("trf: coordinates can be held only by the plain trf, not "
                    + options.method().label());
        }
        int dim = h == null ? xFull.length : h.free.length;
        double[] lo = h == null ? problem.lower() : h.compress(problem.lower());
        double[] hi = h == null ? problem.upper() : h.compress(problem.upper());
        double[] x = h == null ? xFull : h.compress(xFull);
        // least_squares makes the start strictly feasible before trf (rstep 1e-10).
        strictlyFeasible(x, lo, hi, 1e-10);
        ReflectiveTrustRegion tr = new ReflectiveTrustRegion(dim, (long) n * q);

        double[] a = new double[dim * dim];
        double[] g = new double[dim];
        double[] aTrial = new double[dim * dim];
        double[] gTrial = new double[dim];
        double[] xTrial = new double[dim];
        double[] v = new double[dim];
        double[] dv = new double[dim];
        double[] d = new double[dim];
        double[] diagH = new double[dim];
        double[] gH = new double[dim];
        double[] scaleInv = new double[dim];
        double[] p = new double[dim];
        double[] step = new double[dim];
        double[] stepH = new double[dim];

        double ssr = h == null ? pass(ev, y, x, a, g) : h.pass(ev, y, x, a, g);
        int evaluations = 1;
        if (!Double.isFinite(ssr)) {
            return LeastSquaresEstimator.result(h == null ? x : h.expand(x), ssr, n, q, 0, evaluations,
                    StopReason.FAILED, start);
        }
        Optional<StopReason> stop = rule.test(Iterate.start(ssr,
                LeastSquaresEstimator.projectedGradient(x, g, a, lo, hi, ssr, dim)));
        if (stop.isPresent()) {
            return h == null ? LeastSquaresEstimator.result(x, a, g, ssr, lo, hi, n, q, 0, evaluations, stop.get(), start)
                    : LeastSquaresEstimator.result(h.expand(x), ssr, n, q, 0, evaluations, stop.get(), start);
        }
        for (int c = 0; c < dim; c++) {
            double norm = Math.sqrt(a[c * dim + c]);
            scaleInv[c] = norm == 0 ? 1 : norm;
        }
        scaling(x, g, lo, hi, v, dv);
        double delta = 0;
        for (int c = 0; c < dim; c++) {
            if (dv[c] != 0) {
                v[c] *= scaleInv[c];
            }
            double t = x[c] * scaleInv[c] / Math.sqrt(v[c]);
            delta += t * t;
        }
        delta = Math.sqrt(delta);
        if (delta == 0) {
            delta = 1;
        }
        CrawlMove move = options.method() == LeastSquaresEstimator.Method.TRF_AA
                ? new AndersonMove(dim, ssr, true) : null;
        CrawlWindow window = options.method().crawlPhase() != null ? new CrawlWindow(ssr) : null;
        boolean refused = false;   // the stop rule fired at x and was refused
        double previous = Double.NaN;
        double earlier = Double.NaN;
        StopReason reason = StopReason.MAX_ITERATIONS;
        int iter = 0;
        outer:
        while (iter < options.maxIterations()) {
            iter++;
            scaling(x, g, lo, hi, v, dv);
            double gNorm = 0;
            for (int c = 0; c < dim; c++) {
                gNorm = Math.max(gNorm, Math.abs(g[c] * v[c]));
            }
            for (int c = 0; c < dim; c++) {
                if (dv[c] != 0) {
                    v[c] *= scaleInv[c];
                }
                double scale = 1 / scaleInv[c];
                d[c] = Math.sqrt(v[c]) * scale;
                diagH[c] = g[c] * dv[c] * scale;
                gH[c] = d[c] * g[c];
            }
            tr.decompose(a, d, diagH, gH);
            double theta = Math.max(0.995, 1 - gNorm);
            double cost = ssr / 2;
            int rejected = 0;
            while (true) {
                tr.solve(delta);
                for (int c = 0; c < dim; c++) {
                    p[c] = d[c] * tr.pH[c];
                }
                double predicted = tr.selectStep(x, a, d, diagH, gH, p, delta, lo, hi, theta, step, stepH);
                for (int c = 0; c < dim; c++) {
                    xTrial[c] = x[c] + step[c];
                }
                strictlyFeasible(xTrial, lo, hi, 0);
                double stepHNorm = norm(stepH);
                double stepNorm = 0;
                double xNorm = 0;
                for (int c = 0; c < dim; c++) {
                    stepNorm += step[c] * step[c];
                    xNorm += x[c] * x[c];
                }
                stepNorm = Math.sqrt(stepNorm);
                xNorm = Math.sqrt(xNorm);
                double ssrTrial = h == null ? pass(ev, y, xTrial, aTrial, gTrial)
                        : h.pass(ev, y, xTrial, aTrial, gTrial);
                evaluations++;
                double actual = Double.isFinite(ssrTrial) ? cost - ssrTrial / 2 : Double.NaN;
                double ratio = 0;
                if (!Double.isFinite(ssrTrial)) {
                    delta = 0.25 * stepHNorm;
                } else {
                    ratio = predicted > 0 ? actual / predicted : predicted == 0 && actual == 0 ? 1 : 0;
                    double next = delta;
                    if (ratio < 0.25) {
                        next = 0.25 * stepHNorm;
                    } else if (ratio > 0.75 && stepHNorm > 0.95 * delta) {
                        next = 2 * delta;
                    }
                    tr.alpha *= delta / next;
                    delta = next;
                }
                if (actual > 0) {
                    boolean due = move != null && move.stepped(x, xTrial, ssrTrial);
                    System.arraycopy(xTrial, 0, x, 0, dim);
                    double[] t = a;
                    a = aTrial;
                    aTrial = t;
                    t = g;
                    g = gTrial;
                    gTrial = t;
                    earlier = previous;
                    previous = ssr;
                    ssr = ssrTrial;
                    for (int c = 0; c < dim; c++) {
                        scaleInv[c] = Math.max(Math.sqrt(a[c * dim + c]), scaleInv[c]);
                    }
                    stop = rule.test(new Iterate(iter, ssr, previous, earlier, 2 * predicted, ratio, stepNorm,
                            xNorm, LeastSquaresEstimator.projectedGradient(x, g, a, lo, hi, ssr, dim), tr.alpha,
                            rejected));
                    boolean refusedNow = options.method().refuses(stop, x, a, g, ssr, lo, hi);
                    if (refusedNow) {
                        stop = java.util.Optional.empty();   // trf-pair-c: the model still promises more
                    }
                    refused = options.method().refusalInForce(refusedNow, refused, previous, ssr,
                            options.objectiveTolerance());
                    if (stop.isPresent()) {
                        reason = stop.get();
                        break outer;
                    }
                    if (window != null && window.accept(ssr) && iter < options.maxIterations()) {
                        return lmTail(problem, start, x, options, rule, threads, iter, evaluations);
                    }
                    if (due) {
                        double moved = move.tryMove(ev, y, x, a, g, ssr, lo, hi);
                        evaluations += move.evaluations();
                        if (!Double.isNaN(moved)) {
                            // The radius stays; the column scales grow as after a step.
                            stop = rule.test(move.jump(x, a, g, iter, ssr, moved, previous, xNorm, tr.alpha, lo, hi));
                            earlier = previous;
                            previous = ssr;
                            ssr = moved;
                            for (int c = 0; c < dim; c++) {
                                scaleInv[c] = Math.max(Math.sqrt(a[c * dim + c]), scaleInv[c]);
                            }
                            if (stop.isPresent()) {
                                reason = stop.get();
                                break outer;
                            }
                        }
                    }
                    break;
                }
                rejected++;
                if (stepNorm <= options.stepTolerance() * (xNorm + options.stepTolerance()) || !(delta > 0)) {
                    // No descent even along tiny steps, yet no test passed: give up, not converged.
                    reason = StopReason.NO_PROGRESS;
                    break outer;
                }
            }
        }
        if (options.method() == LeastSquaresEstimator.Method.TRF_PAIR2 && reason != StopReason.MAX_ITERATIONS
                && reason != StopReason.FAILED && iter < options.maxIterations()) {
            // trf-pair2: lm-pair has the last word on trf's own stops.
            return lmTail(problem, start, x, options, rule, threads, iter, evaluations);
        }
        reason = options.method().finalReason(reason, refused, x, a, g, ssr, lo, hi);   // trf-pair-t, trf-pair-u
        return h == null ? LeastSquaresEstimator.result(x, a, g, ssr, lo, hi, n, q, iter, evaluations, reason, start)
                : LeastSquaresEstimator.result(h.expand(x), ssr, n, q, iter, evaluations, reason, start);
    }

    /** One pass at x into {@code a = JᵀJ}, {@code g = Jᵀr}; {@return Σr²} */
    private static double pass(Evaluator ev, double[] y, double[] x, double[] a, double[] g) {
        ev.setParameters(x);
        return ev.normalEquations(y, a, g);
    }

    /** Coordinates held at their start values: the free ones' indices and the full point. */
    private static final class Held {
        final int[] free;
        private final double[] full;
        private final double[] aFull;
        private final double[] gFull;

        private Held(int[] free, double[] full) {
            this.free = free;
            this.full = full;
            this.aFull = new double[full.length * full.length];
            this.gFull = new double[full.length];
        }

        /** {@return the held coordinates of x, or null when none is marked} */
        static Held of(boolean[] held, double[] x) {
            int k = 0;
            for (int c = 0; held != null && c < x.length; c++) {
                k += held[c] ? 0 : 1;
            }
            if (held == null || k == x.length) {
                return null;
            }
            int[] free = new int[k];
            for (int c = 0, i = 0; c < x.length; c++) {
                if (!held[c]) {
                    free[i++] = c;
                }
            }
            return new Held(free, x.clone());
        }

        double[] compress(double[] u) {
            double[] out = new double[free.length];
            for (int i = 0; i < free.length; i++) {
                out[i] = u[free[i]];
            }
            return out;
        }

        /** {@return the full point with the free coordinates x} */
        double[] expand(double[] x) {
            for (int i = 0; i < free.length; i++) {
                full[free[i]] = x[i];
            }
            return full.clone();
        }

        /** The pass at the free coordinates x, its normal equations restricted to them. */
        double pass(Evaluator ev, double[] y, double[] x, double[] a, double[] g) {
            for (int i = 0; i < free.length; i++) {
                full[free[i]] = x[i];
            }
            ev.setParameters(full);
            double ssr = ev.normalEquations(y, aFull, gFull);
            int dim = full.length;
            for (int i = 0; i < free.length; i++) {
                g[i] = gFull[free[i]];
                for (int j = 0; j < free.length; j++) {
                    a[i * free.length + j] = aFull[free[i] * dim + free[j]];
                }
            }
            return ssr;
        }
    }

    /**
     * The second phase of {@link LeastSquaresEstimator.Method#TRF_LM} and the {@code trf-pair} family: its
     * {@link LeastSquaresEstimator.Method#crawlPhase()} from x with the iterations left.
     *
     * @return the fit, with this phase's iterations and passes added
     */
    private static FitResult lmTail(FitProblem problem, MixingMeasure start, double[] x,
                                    LeastSquaresEstimator.Options options, StopRule rule, int threads, int iter,
                                    int evaluations) {
        LeastSquaresEstimator.Method tailMethod = options.method().crawlPhase();
        LeastSquaresEstimator lm = new LeastSquaresEstimator(options.withMethod(tailMethod)
                .withMaxIterations(options.maxIterations() - iter), rule, threads);
        FitResult tail = lm.fit(problem, MixingMeasure.unpack(x, start.atomDimension(), start.hasBias()));
        return new FitResult(tail.estimate(), tail.objective(), tail.noiseVariance(), iter + tail.iterations(),
                evaluations + tail.evaluations(), tail.stopReason(), tail.gaussNewtonDecrement());
    }

    /**
     * Eigen-decomposes {@code dAd + diag(diag_h)} (descending) and forms {@code Σ Uᵀf = Vᵀ(d ⊙ g)}.
     */
    private void decompose(double[] a, double[] d, double[] diagH, double[] gH) {
        for (int r = 0; r < dim; r++) {
            for (int c = 0; c < dim; c++) {
                m.data[r * dim + c] = d[r] * a[r * dim + c] * d[c];
            }
            m.data[r * dim + r] += diagH[r];
        }
        if (!eig.decompose(m)) {
            throw new IllegalStateException("trf: eigendecomposition of the scaled normal matrix failed");
        }
        for (int e = 0; e < dim; e++) {
            order[e] = e;
            values[e] = eig.getEigenvalue(e).real;
        }
        Arrays.sort(order, (i, j) -> Double.compare(values[j], values[i]));
        for (int e = 0; e < dim; e++) {
            DMatrixRMaj col = eig.getEigenVector(order[e]);
            s[e] = Math.sqrt(Math.max(values[order[e]], 0));
            double dot = 0;
            for (int c = 0; c < dim; c++) {
                vec[e][c] = col.data[c];
                dot += col.data[c] * gH[c];
            }
            suf[e] = dot;
        }
        // SciPy's rank test: m (the residuals, not the augmented rows) times eps times the largest value.
        fullRank = s[dim - 1] > EPS * rows * s[0];
    }

    /** SciPy's {@code solve_lsq_trust_region}: the hat step {@link #pH} for radius {@code delta}. */
    private void solve(double delta) {
        if (fullRank) {
            combine(0, false);
            if (norm(pH) <= delta) {
                alpha = 0;
                return;
            }
        }
        double sufNorm = norm(suf);
        double upper = sufNorm / delta;
        double lower = 0;
        if (fullRank) {
            double[] pp = phi(0, delta);
            lower = -pp[0] / pp[1];
        }
        double al = alpha;
        if (!fullRank && al == 0) {
            al = Math.max(0.001 * upper, Math.sqrt(lower * upper));
        }
        for (int it = 0; it < 10; it++) {
            if (al < lower || al > upper) {
                al = Math.max(0.001 * upper, Math.sqrt(lower * upper));
            }
            double[] pp = phi(al, delta);
            double ph = pp[0];
            if (ph < 0) {
                upper = al;
            }
            double ratio = ph / pp[1];
            lower = Math.max(lower, al - ratio);
            al -= (ph + delta) * ratio / delta;
            if (Math.abs(ph) < 0.01 * delta) {
                break;
            }
        }
        alpha = al;
        combine(al, true);
        double scale = delta / norm(pH);
        for (int c = 0; c < dim; c++) {
            pH[c] *= scale;
        }
    }

    /** {@code pH = −V (suf / (s² + α))}; with {@code damped} false the Gauss–Newton step {@code −V(suf / s²)}. */
    private void combine(double al, boolean damped) {
        Arrays.fill(pH, 0);
        for (int e = 0; e < dim; e++) {
            double w = suf[e] / (s[e] * s[e] + (damped ? al : 0));
            for (int c = 0; c < dim; c++) {
                pH[c] -= vec[e][c] * w;
            }
        }
    }

    /** {@code φ(α) = ‖suf/(s² + α)‖ − Δ} and its derivative. */
    private double[] phi(double al, double delta) {
        double pNorm = 0;
        double deriv = 0;
        for (int e = 0; e < dim; e++) {
            double den = s[e] * s[e] + al;
            pNorm += suf[e] * suf[e] / (den * den);
            deriv += suf[e] * suf[e] / (den * den * den);
        }
        pNorm = Math.sqrt(pNorm);
        return new double[] {pNorm - delta, -deriv / pNorm};
    }

    /**
     * SciPy's {@code select_step}: writes the chosen step and its hat form, returns the predicted reduction of
     * {@code Σr²/2}.
     */
    private double selectStep(double[] x, double[] a, double[] d, double[] diagH, double[] gH, double[] p,
                              double delta, double[] lo, double[] hi, double theta, double[] step, double[] stepH) {
        if (inBounds(x, p, lo, hi)) {
            System.arraycopy(p, 0, step, 0, dim);
            System.arraycopy(pH, 0, stepH, 0, dim);
            return -quadratic(a, d, diagH, gH, pH, null, 0)[0];
        }
        double[] hits = new double[dim];
        double pStride = toBound(x, p, lo, hi, hits);
        double[] rH = pH.clone();
        double[] r = new double[dim];
        double[] xOnBound = new double[dim];
        double[] pHc = new double[dim];
        double[] pc = new double[dim];
        for (int c = 0; c < dim; c++) {
            if (hits[c] != 0) {
                rH[c] = -rH[c];
            }
            r[c] = d[c] * rH[c];
            pc[c] = p[c] * pStride;
            pHc[c] = pH[c] * pStride;
            xOnBound[c] = x[c] + pc[c];
        }
        double toTr = intersectTrustRegion(pHc, rH, delta);
        double toBoundR = toBound(xOnBound, r, lo, hi, null);
        double rStride = Math.min(toBoundR, toTr);
        double rLow;
        double rUp;
        if (rStride > 0) {
            rLow = (1 - theta) * pStride / rStride;
            rUp = rStride == toBoundR ? theta * toBoundR : toTr;
        } else {
            rLow = 0;
            rUp = -1;
        }
        double rValue = Double.POSITIVE_INFINITY;
        if (rLow <= rUp) {
            double[] abc = quadratic(a, d, diagH, gH, rH, pHc, 1);
            double[] best = minimize1d(abc[0], abc[1], rLow, rUp, abc[2]);
            rValue = best[1];
            for (int c = 0; c < dim; c++) {
                rH[c] = rH[c] * best[0] + pHc[c];
                r[c] = rH[c] * d[c];
            }
        }
        for (int c = 0; c < dim; c++) {
            pc[c] *= theta;
            pHc[c] *= theta;
        }
        double pValue = quadratic(a, d, diagH, gH, pHc, null, 0)[0];
        double[] agH = new double[dim];
        double[] ag = new double[dim];
        for (int c = 0; c < dim; c++) {
            agH[c] = -gH[c];
            ag[c] = d[c] * agH[c];
        }
        double agToTr = delta / norm(agH);
        double agToBound = toBound(x, ag, lo, hi, null);
        double agStride = agToBound < agToTr ? theta * agToBound : agToTr;
        double[] ab = quadratic(a, d, diagH, gH, agH, null, 1);
        double[] agBest = minimize1d(ab[0], ab[1], 0, agStride, 0);
        for (int c = 0; c < dim; c++) {
            agH[c] *= agBest[0];
            ag[c] *= agBest[0];
        }
        if (pValue < rValue && pValue < agBest[1]) {
            System.arraycopy(pc, 0, step, 0, dim);
            System.arraycopy(pHc, 0, stepH, 0, dim);
            return -pValue;
        } else if (rValue < pValue && rValue < agBest[1]) {
            System.arraycopy(r, 0, step, 0, dim);
            System.arraycopy(rH, 0, stepH, 0, dim);
            return -rValue;
        }
        System.arraycopy(ag, 0, step, 0, dim);
        System.arraycopy(agH, 0, stepH, 0, dim);
        return -agBest[1];
    }

    /**
     * With {@code mode} 0 SciPy's {@code evaluate_quadratic} of the hat step {@code u} ({@code [value]}); with
     * mode 1 {@code build_quadratic_1d} along {@code u} from {@code u0} (or 0): {@code [a, b, c]}.
     */
    private double[] quadratic(double[] a, double[] d, double[] diagH, double[] gH, double[] u, double[] u0,
                               int mode) {
        // J_h u = J (d ⊙ u): ‖J_h u‖² = (d⊙u)ᵀ A (d⊙u); (J_h u0)ᵀ(J_h u) likewise.
        double uu = form(a, d, u, u);
        double diagUu = 0;
        double gu = 0;
        for (int c = 0; c < dim; c++) {
            diagUu += u[c] * diagH[c] * u[c];
            gu += gH[c] * u[c];
        }
        if (mode == 0) {
            return new double[] {0.5 * (uu + diagUu) + gu};
        }
        double qa = 0.5 * (uu + diagUu);
        double qb = gu;
        double qc = 0;
        if (u0 != null) {
            double u0u0 = form(a, d, u0, u0);
            qb += form(a, d, u0, u);
            double gu0 = 0;
            double d0u = 0;
            double d0u0 = 0;
            for (int c = 0; c < dim; c++) {
                gu0 += gH[c] * u0[c];
                d0u += u0[c] * diagH[c] * u[c];
                d0u0 += u0[c] * diagH[c] * u0[c];
            }
            qc = 0.5 * u0u0 + gu0;
            qb += d0u;
            qc += 0.5 * d0u0;
        }
        return new double[] {qa, qb, qc};
    }

    /** {@code (d⊙u)ᵀ A (d⊙w)}. */
    private double form(double[] a, double[] d, double[] u, double[] w) {
        for (int c = 0; c < dim; c++) {
            work[c] = d[c] * w[c];
        }
        double sum = 0;
        for (int r = 0; r < dim; r++) {
            double row = 0;
            for (int c = 0; c < dim; c++) {
                row += a[r * dim + c] * work[c];
            }
            sum += d[r] * u[r] * row;
        }
        return sum;
    }

    /** SciPy's {@code minimize_quadratic_1d}: {@code [t, value]} minimizing {@code a t² + b t + c} on [lo, hi]. */
    private static double[] minimize1d(double a, double b, double lo, double hi, double c) {
        double bestT = lo;
        double best = lo * (a * lo + b) + c;
        double vHi = hi * (a * hi + b) + c;
        if (vHi < best) {
            bestT = hi;
            best = vHi;
        }
        if (a != 0) {
            double ext = -0.5 * b / a;
            if (lo < ext && ext < hi) {
                double ve = ext * (a * ext + b) + c;
                if (ve < best) {
                    bestT = ext;
                    best = ve;
                }
            }
        }
        return new double[] {bestT, best};
    }

    /** SciPy's {@code step_size_to_bound}: the largest t keeping {@code x + t s} in the box; marks the hits. */
    private static double toBound(double[] x, double[] st, double[] lo, double[] hi, double[] hits) {
        double min = Double.POSITIVE_INFINITY;
        for (int c = 0; c < x.length; c++) {
            if (st[c] != 0) {
                min = Math.min(min, Math.max((lo[c] - x[c]) / st[c], (hi[c] - x[c]) / st[c]));
            }
        }
        if (hits != null) {
            for (int c = 0; c < x.length; c++) {
                double t = st[c] != 0 ? Math.max((lo[c] - x[c]) / st[c], (hi[c] - x[c]) / st[c])
                        : Double.POSITIVE_INFINITY;
                hits[c] = t == min ? Math.signum(st[c]) : 0;
            }
        }
        return min;
    }

    /** SciPy's {@code intersect_trust_region}: the positive t with {@code ‖x + t s‖ = Δ}. */
    private static double intersectTrustRegion(double[] x, double[] st, double delta) {
        double a = 0;
        double b = 0;
        double c = -delta * delta;
        for (int i = 0; i < x.length; i++) {
            a += st[i] * st[i];
            b += x[i] * st[i];
            c += x[i] * x[i];
        }
        if (a == 0 || c > 0) {
            // Outside the region or no direction (SciPy raises): no reflected step.
            return 0;
        }
        double disc = Math.sqrt(b * b - a * c);
        double q = -(b + Math.copySign(disc, b));
        return Math.max(q / a, c / q);
    }

    private static boolean inBounds(double[] x, double[] p, double[] lo, double[] hi) {
        for (int c = 0; c < x.length; c++) {
            double v = x[c] + p[c];
            if (!(v >= lo[c] && v <= hi[c])) {
                return false;
            }
        }
        return true;
    }

    /** SciPy's {@code CL_scaling_vector}. */
    private static void scaling(double[] x, double[] g, double[] lo, double[] hi, double[] v, double[] dv) {
        for (int c = 0; c < x.length; c++) {
            v[c] = 1;
            dv[c] = 0;
            if (g[c] < 0 && Double.isFinite(hi[c])) {
                v[c] = hi[c] - x[c];
                dv[c] = -1;
            }
            if (g[c] > 0 && Double.isFinite(lo[c])) {
                v[c] = x[c] - lo[c];
                dv[c] = 1;
            }
        }
    }

    /** SciPy's {@code make_strictly_feasible} with {@code rstep} (0: the next float inside). */
    static void strictlyFeasible(double[] x, double[] lo, double[] hi, double rstep) {
        for (int c = 0; c < x.length; c++) {
            int active = 0;
            if (rstep == 0) {
                active = x[c] <= lo[c] ? -1 : x[c] >= hi[c] ? 1 : 0;
            } else {
                double lowerDist = x[c] - lo[c];
                double upperDist = hi[c] - x[c];
                if (Double.isFinite(lo[c])
                        && lowerDist <= Math.min(upperDist, rstep * Math.max(1, Math.abs(lo[c])))) {
                    active = -1;
                } else if (Double.isFinite(hi[c])
                        && upperDist <= Math.min(lowerDist, rstep * Math.max(1, Math.abs(hi[c])))) {
                    active = 1;
                }
            }
            if (active == -1) {
                x[c] = rstep == 0 ? Math.nextUp(lo[c]) : lo[c] + rstep * Math.max(1, Math.abs(lo[c]));
            } else if (active == 1) {
                x[c] = rstep == 0 ? Math.nextDown(hi[c]) : hi[c] - rstep * Math.max(1, Math.abs(hi[c]));
            }
            if (x[c] < lo[c] || x[c] > hi[c]) {
                x[c] = 0.5 * (lo[c] + hi[c]);
            }
        }
    }

    private static double norm(double[] u) {
        double sum = 0;
        for (double e : u) {
            sum += e * e;
        }
        return Math.sqrt(sum);
    }
}
