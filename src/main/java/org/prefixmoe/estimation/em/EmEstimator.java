package org.prefixmoe.estimation.em;

import java.util.Arrays;
import java.util.Optional;
import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.factory.LinearSolverFactory_DDRM;
import org.ejml.interfaces.linsol.LinearSolverDense;
import org.prefixmoe.estimation.Estimator;
import org.prefixmoe.estimation.FitProblem;
import org.prefixmoe.estimation.FitResult;
import org.prefixmoe.estimation.Iterate;
import org.prefixmoe.estimation.StopReason;
import org.prefixmoe.estimation.StopRule;
import org.prefixmoe.model.Evaluator;
import org.prefixmoe.model.MixingMeasure;
import org.prefixmoe.model.NonShared;
import org.prefixmoe.model.PrefixModel;

/**
 * Maximum likelihood by EM for the Gaussian mixture-of-experts reading of the prefix model
 * (docs/theory.md §3): {@code p_G(Y|X) = Σ_c π_c(X) N(Y; μ_c(X), σ² I_q)} over the N pretrained experts
 * (fixed quadratic scores and linear means) and the L prompts (scores {@code κ(θ_l)ᵀX + b_l},
 * constant means {@code ν(θ_l)}), with one σ² common to all components.
 *
 * <h2>The iteration</h2>
 * <ul>
 * <li><b>E-step</b>: responsibilities {@code r_ic ∝ π_c(X_i) N(Y_i; μ_c(X_i), σ²)} in the log
 * domain (log-sum-exp with the row maximum subtracted); only their sufficient statistics per prompt
 * are kept, so the E-step allocates nothing and stores no n × (N + L) array. The same pass
 * accumulates the gradient and curvature of the gating term at the current atoms, so that with
 * the default single Newton step an EM iteration costs two passes over the data (the E-step and
 * the line search's trial point, more only when the step must be halved).</li>
 * <li><b>M-step for the atoms</b> (σ² held fixed; each sub-step never decreases the expected
 * complete-data log-likelihood Q, which makes the whole an ECM / generalized EM iteration and the
 * observed log-likelihood non-decreasing):
 * <ul>
 * <li>{@code non-shared}: the values {@code v_l = Σ_i r_il Y_i / Σ_i r_il} in closed form
 * (projected onto the box, which is the exact constrained maximizer since the Gaussian term is
 * isotropic in {@code v_l}); then the gating parameters {@code (k_l, b_l)} by Newton / IRLS steps
 * on the weighted multinomial-logistic likelihood {@code Σ_i Σ_c r_ic log π_c(X_i)}, the
 * pretrained scores entering as fixed offsets.</li>
 * <li>shared parameterizations (and {@code prompt-tuning}, {@code shared-mlp}): the atom enters
 * gate and mean at once, so Newton-type steps on the full Q (gating term plus Gaussian term),
 * with the exact Hessian for maps linear in θ and the Gauss–Newton (Fisher) part of it otherwise.</li>
 * </ul>
 * Every step is a damped Newton step on the variables that are not held at a bound, projected
 * onto the box ({@link FitProblem#box()}), followed by step halving until Q increases <em>after
 * projection</em>; a step that cannot increase Q is not taken. At most
 * {@link Options#newtonSteps()} such steps per M-step.</li>
 * <li><b>M-step for σ²</b>: {@code σ² = Σ_i Σ_c r_ic ||Y_i − μ_c(X_i)||² / (n q)} in closed form
 * at the new atoms, floored at {@code varianceFloor · (mean per-coordinate variance of Y)}
 * (and never below {@code 1e-12 · (1 + mean Y²)}, for responses without variance) so
 * that a component collapsing onto one sample cannot drive σ² (and the likelihood) to a
 * degenerate limit; clamping at the floor is the exact maximizer of Q over {@code σ² ≥ floor}, so
 * monotonicity survives the floor.</li>
 * </ul>
 *
 * <h2>Start, stopping and report</h2>
 * The initial σ² is the start's residual mean square per coordinate,
 * {@code Σ_i ||Y_i − f_{G_0}(X_i)||² / (n q)} ({@code f_G} is also the mean of the density model),
 * floored as above. The fit stops when the relative change of the mean observed log-likelihood
 * {@code ℓ̄ = n⁻¹ Σ_i log p_G(Y_i|X_i)} between two iterations,
 * {@code |ℓ̄_t − ℓ̄_{t−1}| / max(1, |ℓ̄_{t−1}|)}, falls to {@link Options#objectiveTolerance()} or below
 * ({@link StopReason#OBJECTIVE_CHANGE}), or after {@link Options#maxIterations()} iterations
 * ({@link StopReason#MAX_ITERATIONS}); a non-finite likelihood is {@link StopReason#FAILED}. When
 * the change test passes but no parameter has moved from the start (a likelihood too flat for any
 * M-step gain, as with data far off the model's scale), the stop is {@link StopReason#NO_PROGRESS},
 * not convergence. The
 * reported objective is {@code −ℓ̄} (lower is better, as {@link Estimator#better} assumes) and
 * the noise variance is the final σ². Restarts ({@code near-truth} or {@code random}) go through
 * {@link org.prefixmoe.estimation.Fitting#fitWithRestarts} as for least squares.
 *
 * <p>Immutable and thread-safe: each fit allocates its own working memory once.
 */
public final class EmEstimator implements Estimator {
    /** The name used in scenarios. */
    public static final String NAME = "em";

    private final Options options;
    private final StopRule rule;
    private final boolean accelerate;

    /**
     * Solver settings.
     *
     * Immutable; change one with its wither, e.g. {@code Options.DEFAULT.withObjectiveTolerance(1e-10)}
     * (the same names as {@link org.prefixmoe.estimation.LeastSquaresEstimator.Options}).
     *
     * @param maxIterations cap on EM iterations (reaching it is "not converged")
     * @param objectiveTolerance stop when the relative change of the mean log-likelihood falls to
     *     this ({@link StopRule#relativeChange})
     * @param newtonSteps at most this many Newton steps (each with its line search) per M-step
     * @param varianceFloor σ² is kept at or above this fraction of the mean per-coordinate
     *     variance of the responses (and never below {@code 1e-12 · (1 + mean Y²)})
     */
    public record Options(int maxIterations, double objectiveTolerance, int newtonSteps, double varianceFloor) {
        /**
         * Defaults: 1000 iterations, tolerance 1e-8, one Newton step per M-step (more steps did not
         * reduce the number of EM iterations in the over-specified default-truth fits, and each costs a
         * pass over the data), σ² floor 1e-6 · var(Y).
         */
        public static final Options DEFAULT = new Options(1000, 1e-8, 1, 1e-6);

        /**
         * Validates the settings.
         *
         * @param maxIterations cap on EM iterations, at least 1
         * @param objectiveTolerance relative change of the mean log-likelihood, at least 0
         * @param newtonSteps Newton steps per M-step, at least 1
         * @param varianceFloor fraction of var(Y) below which σ² is not allowed to fall
         * @throws IllegalArgumentException naming the setting that is out of range
         */
        public Options {
            if (maxIterations < 1) {
                throw new IllegalArgumentException("maxIterations: must be >= 1, got " + maxIterations);
            }
            if (!(objectiveTolerance >= 0)) {
                throw new IllegalArgumentException("objectiveTolerance: must be >= 0, got " + objectiveTolerance);
            }
            if (newtonSteps < 1) {
                throw new IllegalArgumentException("newtonSteps: must be >= 1, got " + newtonSteps);
            }
            if (!(varianceFloor > 0) || !Double.isFinite(varianceFloor)) {
                throw new IllegalArgumentException("varianceFloor: must be a finite number > 0, got "
                        + varianceFloor);
            }
        }

        /**
         * A copy with another iteration cap.
         *
         * @param value the new setting
         * @return the changed copy (validated)
         */
        public Options withMaxIterations(int value) {
            return new Options(value, objectiveTolerance, newtonSteps, varianceFloor);
        }

        /**
         * A copy with another objective tolerance.
         *
         * @param value the new setting
         * @return the changed copy (validated)
         */
        public Options withObjectiveTolerance(double value) {
            return new Options(maxIterations, value, newtonSteps, varianceFloor);
        }

        /**
         * A copy with another number of Newton steps per M-step.
         *
         * @param value the new setting
         * @return the changed copy (validated)
         */
        public Options withNewtonSteps(int value) {
            return new Options(maxIterations, objectiveTolerance, value, varianceFloor);
        }

        /**
         * A copy with another σ² floor.
         *
         * @param value the new setting
         * @return the changed copy (validated)
         */
        public Options withVarianceFloor(double value) {
            return new Options(maxIterations, objectiveTolerance, newtonSteps, value);
        }

        /** {@return the stop rule these settings define: {@link StopRule#relativeChange} of the objective} */
        public StopRule stopRule() {
            return StopRule.relativeChange(objectiveTolerance);
        }
    }

    /**
     * A fit with the path of the mean observed log-likelihood, entry 0 at the start and entry t
     * after iteration t.
     *
     * @param result the fit report
     * @param logLikelihood mean observed log-likelihood per iteration
     */
    public record Trace(FitResult result, double[] logLikelihood) {
    }

    /** An estimator with default options. */
    public EmEstimator() {
        this(Options.DEFAULT);
    }

    /**
     * An estimator with the given options and SQUAREM acceleration.
     *
     * @param options the solver settings
     */
    public EmEstimator(Options options) {
        this(options, true);
    }

    /**
     * An estimator with the given options.
     *
     * @param options the solver settings
     * @param accelerate whether EM steps are accelerated by SQUAREM with its monotonicity
     *     safeguard (the default); false runs plain EM
     */
    public EmEstimator(Options options, boolean accelerate) {
        this.options = java.util.Objects.requireNonNull(options, "options");
        this.rule = options.stopRule();
        this.accelerate = accelerate;
    }

    /** {@return whether EM steps are accelerated by SQUAREM} */
    public boolean accelerated() {
        return accelerate;
    }

    /** {@return the solver settings} */
    public Options options() {
        return options;
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public FitResult fit(FitProblem problem, MixingMeasure start) {
        return run(problem, start, false).result();
    }

    /**
     * Fits and records the mean observed log-likelihood after every iteration.
     *
     * @param problem the problem
     * @param start the starting measure; not modified
     * @return the fit and the log-likelihood path
     */
    public Trace trace(FitProblem problem, MixingMeasure start) {
        return run(problem, start, true);
    }

    private Trace run(FitProblem problem, MixingMeasure start, boolean record) {
        PrefixModel model = problem.model();
        double[] x = problem.startVector(start);
        int atoms = problem.atoms();
        double[] y = problem.data().y();
        int n = problem.data().size();
        int q = model.outputDimension();
        double[] lo = problem.lower();
        double[] hi = problem.upper();

        double floor = varianceFloor(options.varianceFloor, y, n, q);
        Evaluator ev = problem.evaluator();
        ev.setParameters(x);
        double sigma2 = ev.sumOfSquares(y) / ((double) n * q);
        sigma2 = Double.isFinite(sigma2) ? Math.max(sigma2, floor) : Math.max(1.0, floor);

        EmState st = new EmState(model, problem.data().x(), y, problem.pretrained().logScore(), atoms);
        MStep m = new MStep(st, lo, hi, model.parameterization() instanceof NonShared, options.newtonSteps,
                Math.max(1e-3 * options.objectiveTolerance, 1e-15) * n);
        st.setParameters(x);
        double ll = st.eStep(sigma2, true) / n;
        double[] path = record ? new double[Math.min(options.maxIterations, 1 << 16) + 1] : null;
        int recorded = 0;
        if (record) {
            path[recorded++] = ll;
        }
        if (!Double.isFinite(ll)) {
            return trace(x, ll, sigma2, 0, st.passes + 1, StopReason.FAILED, start, path, recorded);
        }
        StopReason reason = StopReason.MAX_ITERATIONS;
        double[] x0 = x.clone();
        int iter = 0;
        Squarem sq = accelerate ? new Squarem(x.length) : null;
        while (iter < options.maxIterations) {
            iter++;
            if (sq != null) {
                sq.before(x, sigma2);
            }
            m.apply(x, sigma2);
            double ss = st.preSs + st.promptSs();
            sigma2 = Math.max(ss / ((double) n * q), floor);
            double next = st.eStep(sigma2, true) / n;
            if (record) {
                if (recorded == path.length) {
                    path = Arrays.copyOf(path, path.length * 2);
                }
                path[recorded++] = next;
            }
            if (!Double.isFinite(next)) {
                ll = next;
                reason = StopReason.FAILED;
                break;
            }
            // The objective is −ℓ̄; EM has no quadratic model, so only the change is tested.
            Optional<StopReason> stop = rule.test(new Iterate(iter, -next, -ll, Double.NaN, Double.NaN, Double.NaN,
                    Double.NaN, Double.NaN, Double.NaN, Double.NaN, 0));
            ll = next;
            if (stop.isPresent()) {
                // A likelihood too flat to move any parameter (data far off the model's scale: the
                // box bounds the atoms, so with Y or X scaled by 10^6 no M-step gains anything) is
                // not convergence: the start comes back unchanged.
                reason = Arrays.equals(x, x0) ? StopReason.NO_PROGRESS : stop.get();
                break;
            }
            if (sq != null && sq.after(x, sigma2)) {
                // Two EM steps done: try the extrapolated point; keep it only if the likelihood does not drop.
                double better = sq.extrapolate(st, x, sigma2, ll, lo, hi, floor, n);
                if (Double.isNaN(better)) {
                    st.setParameters(x);
                    st.eStep(sigma2, true); // statistics back at the plain EM point
                } else {
                    sigma2 = sq.sigma2;
                    ll = better;
                    if (record) {
                        path[recorded - 1] = better; // the state after this iteration is the extrapolated point
                    }
                }
            }
        }
        return trace(x, ll, sigma2, iter, st.passes + 1, reason, start, path, recorded);
    }

    private static Trace trace(double[] x, double ll, double sigma2, int iter, int passes, StopReason reason,
                               MixingMeasure start, double[] path, int recorded) {
        MixingMeasure g = MixingMeasure.unpack(x, start.atomDimension(), start.hasBias());
        FitResult result = new FitResult(g, -ll, sigma2, iter, passes,
                Double.isFinite(ll) ? reason : StopReason.FAILED);
        return new Trace(result, path == null ? null : Arrays.copyOf(path, recorded));
    }

    /**
     * The σ² floor: {@code varianceFloor · var(Y)}, but never below {@code 1e-12 · (1 + mean(Y²))},
     * so that responses with (almost) no variance cannot drive σ² to denormal numbers (σ stays
     * above 1e-6 of the responses' scale).
     */
    static double varianceFloor(double varianceFloor, double[] y, int n, int q) {
        double meanSquare = 0;
        for (double v : y) {
            meanSquare += v * v;
        }
        meanSquare /= (double) n * q;
        return Math.max(varianceFloor * meanVariance(y, n, q), 1e-12 * (1 + meanSquare));
    }

    private static double meanVariance(double[] y, int n, int q) {
        double total = 0;
        for (int a = 0; a < q; a++) {
            double mean = 0;
            for (int i = 0; i < n; i++) {
                mean += y[i * q + a];
            }
            mean /= n;
            double v = 0;
            for (int i = 0; i < n; i++) {
                double e = y[i * q + a] - mean;
                v += e * e;
            }
            total += v / n;
        }
        return total / q;
    }


    /**
     * SQUAREM (Varadhan &amp; Roland 2008, scheme S3) around the EM map F over the packed atoms and
     * log σ²: after two EM steps {@code θ1 = F(θ0)}, {@code θ2 = F(θ1)}, with {@code r = θ1 − θ0}
     * and {@code v = θ2 − 2θ1 + θ0}, it tries {@code θ' = θ0 − 2αr + α²v}, {@code α = −|r|/|v|}
     * (at most −1; α = −1 gives θ2), projected onto the box and the σ² floor. θ' is kept only if
     * its log-likelihood is at least θ2's; otherwise α moves halfway towards −1, up to four times,
     * and then the plain EM point θ2 is kept. So the log-likelihood never decreases, and the next
     * EM step starts from the accepted point.
     */
    private static final class Squarem {
        private final double[] x0;
        private final double[] x1;
        private final double[] trial;
        private double t0;
        private double t1;
        private boolean second;
        double sigma2;

        Squarem(int dim) {
            x0 = new double[dim];
            x1 = new double[dim];
            trial = new double[dim];
        }

        /** Before an EM step from (x, σ²). */
        void before(double[] x, double s2) {
            if (!second) {
                System.arraycopy(x, 0, x0, 0, x.length);
                t0 = Math.log(s2);
            }
        }

        /** After an EM step that reached (x, σ²): true when that was the second of a pair. */
        boolean after(double[] x, double s2) {
            if (!second) {
                System.arraycopy(x, 0, x1, 0, x.length);
                t1 = Math.log(s2);
                second = true;
                return false;
            }
            second = false;
            return true;
        }

        /**
         * Tries the extrapolated point from θ0, θ1 and θ2 = (x, σ²) with log-likelihood ll2 (mean per
         * sample); on success writes it into x and {@link #sigma2}, leaves the E-step statistics at it
         * and returns its mean log-likelihood; otherwise returns NaN (the state's parameters are then
         * the last trial's: the caller restores θ2).
         */
        double extrapolate(EmState st, double[] x, double s2, double ll2, double[] lo, double[] hi, double floor,
                           int n) {
            double t2 = Math.log(s2);
            double rr = (t1 - t0) * (t1 - t0);
            double vv = (t2 - 2 * t1 + t0) * (t2 - 2 * t1 + t0);
            for (int c = 0; c < x.length; c++) {
                double r = x1[c] - x0[c];
                double v = x[c] - 2 * x1[c] + x0[c];
                rr += r * r;
                vv += v * v;
            }
            double alpha = vv > 0 && rr > 0 ? -Math.sqrt(rr / vv) : -1.0;
            if (!(alpha < -1)) {
                return keep(ll2, s2); // no extrapolation beyond θ2: nothing to try
            }
            for (int k = 0; k < 4 && alpha < -1; k++) {
                for (int c = 0; c < x.length; c++) {
                    double r = x1[c] - x0[c];
                    double v = x[c] - 2 * x1[c] + x0[c];
                    trial[c] = Math.min(hi[c], Math.max(lo[c], x0[c] - 2 * alpha * r + alpha * alpha * v));
                }
                double r = t1 - t0;
                double v = t2 - 2 * t1 + t0;
                double se = Math.max(Math.exp(t0 - 2 * alpha * r + alpha * alpha * v), floor);
                st.setParameters(trial);
                double lle = st.eStep(se, true) / n;
                if (Double.isFinite(lle) && lle >= ll2) {
                    System.arraycopy(trial, 0, x, 0, x.length);
                    return keep(lle, se);
                }
                alpha = (alpha - 1) / 2;
            }
            return Double.NaN;
        }

        private double keep(double ll, double s2) {
            sigma2 = s2;
            return ll;
        }
    }

    /** The M-step for the atoms, with its preallocated linear algebra. */
    private static final class MStep {
        private final EmState st;
        private final double[] lo;
        private final double[] hi;
        private final boolean nonShared;
        private final int maxSteps;
        private final double negligible;
        private final int dim;
        private final boolean[] free;
        private final boolean[] held;
        private final double[] grad;
        private final double[] hneg;
        private final DMatrixRMaj system;
        private final DMatrixRMaj rhs;
        private final DMatrixRMaj solution;
        private final LinearSolverDense<DMatrixRMaj> chol;
        private final double[] step;
        private final double[] trial;

        MStep(EmState st, double[] lo, double[] hi, boolean nonShared, int maxSteps, double negligible) {
            this.st = st;
            this.negligible = negligible;
            this.lo = lo;
            this.hi = hi;
            this.nonShared = nonShared;
            this.maxSteps = maxSteps;
            this.dim = st.atoms * st.stride;
            free = new boolean[dim];
            held = new boolean[dim];
            grad = new double[dim];
            hneg = new double[dim * dim];
            system = new DMatrixRMaj(dim, dim);
            rhs = new DMatrixRMaj(dim, 1);
            solution = new DMatrixRMaj(dim, 1);
            chol = LinearSolverFactory_DDRM.chol(dim);
            step = new double[dim];
            trial = new double[dim];
            for (int l = 0; l < st.atoms; l++) {
                for (int a = 0; a < st.stride; a++) {
                    // Non-shared values are set in closed form; everything else by Newton steps.
                    boolean value = nonShared && a >= st.r && a < st.p;
                    free[l * st.stride + a] = !value;
                }
            }
        }

        void apply(double[] x, double sigma2) {
            if (nonShared) {
                int r = st.r;
                int q = st.q;
                for (int l = 0; l < st.atoms; l++) {
                    double w = st.resp[l];
                    if (!(w > 1e-300)) {
                        continue; // no responsibility at all: Q does not depend on v_l
                    }
                    for (int a = 0; a < q; a++) {
                        int c = l * st.stride + r + a;
                        x[c] = Math.min(hi[c], Math.max(lo[c], st.ySum[l * q + a] / w));
                    }
                }
                st.setParameters(x);
            }
            newton(x, sigma2);
        }

        private void newton(double[] x, double sigma2) {
            // The E-step already accumulated Q's derivatives at x (non-shared values do not enter them).
            double f = st.qFromStats(sigma2, grad, hneg);
            for (int s = 0; s < maxSteps; s++) {
                if (s > 0) {
                    f = st.q(sigma2, grad, hneg);
                }
                boolean any = false;
                double maxDiag = 0;
                for (int c = 0; c < dim; c++) {
                    // Ascent: a variable on a bound whose gradient points outside stays put.
                    held[c] = !free[c] || (x[c] <= lo[c] && grad[c] < 0) || (x[c] >= hi[c] && grad[c] > 0);
                    any |= !held[c];
                    if (!held[c]) {
                        maxDiag = Math.max(maxDiag, hneg[c * dim + c]);
                    }
                }
                if (!any || !Double.isFinite(f)) {
                    break;
                }
                double diagFloor = Math.max(maxDiag * 1e-10, 1e-300);
                double lambda = 1e-10;
                boolean solved = false;
                while (lambda < 1e12) {
                    if (solve(lambda, diagFloor)) {
                        solved = true;
                        break;
                    }
                    lambda *= 100;
                }
                if (!solved) {
                    break;
                }
                double predicted = 0;
                for (int c = 0; c < dim; c++) {
                    predicted += grad[c] * step[c];
                }
                if (!(predicted > negligible)) {
                    break; // the quadratic model promises a gain far below the stopping tolerance
                }
                double t = 1;
                double ft = Double.NaN;
                boolean accepted = false;
                for (int k = 0; k < 30; k++) {
                    boolean moved = false;
                    for (int c = 0; c < dim; c++) {
                        double v = held[c] ? x[c] : Math.min(hi[c], Math.max(lo[c], x[c] + t * step[c]));
                        trial[c] = v;
                        moved |= v != x[c];
                    }
                    if (!moved) {
                        break;
                    }
                    st.setParameters(trial);
                    ft = st.q(sigma2, null, null);
                    if (ft > f) {
                        accepted = true;
                        break;
                    }
                    t *= 0.5;
                }
                if (!accepted) {
                    st.setParameters(x);
                    break;
                }
                System.arraycopy(trial, 0, x, 0, dim);
                double gain = ft - f;
                f = ft;
                if (gain <= 1e-13 * Math.max(st.n, Math.abs(f))) {
                    break;
                }
            }
        }

        // Solves (H + λ diag(max(H_cc, floor))) δ = g on the free variables by Cholesky (EJML).
        private boolean solve(double lambda, double diagFloor) {
            double[] m = system.data;
            for (int a = 0; a < dim; a++) {
                for (int b = 0; b < dim; b++) {
                    double v;
                    if (held[a] || held[b]) {
                        v = a == b ? 1.0 : 0.0;
                    } else {
                        v = hneg[a * dim + b];
                        if (a == b) {
                            v += lambda * Math.max(v, diagFloor) + diagFloor;
                        }
                    }
                    m[a * dim + b] = v;
                }
                rhs.data[a] = held[a] ? 0.0 : grad[a];
            }
            // setA reports a matrix that is not positive definite; the caller then raises λ.
            if (!chol.setA(system)) {
                return false;
            }
            chol.solve(rhs, solution);
            for (int i = 0; i < dim; i++) {
                double v = solution.data[i];
                if (!Double.isFinite(v)) {
                    return false;
                }
                step[i] = held[i] ? 0 : v;
            }
            return true;
        }
    }
}
