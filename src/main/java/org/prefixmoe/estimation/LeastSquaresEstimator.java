package org.prefixmoe.estimation;

import java.util.Optional;
import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.factory.LinearSolverFactory_DDRM;
import org.ejml.interfaces.linsol.LinearSolverDense;
import org.prefixmoe.model.Evaluator;
import org.prefixmoe.model.MixingMeasure;

/**
 * The least-squares estimator of docs/theory.md §3, {@code argmin_G Σ_i ||Y_i − f_G(X_i)||²}.
 *
 * <p>By default ({@link Options#DEFAULT}, since issue 23) the method is {@link Method#TRF_PAIR_M}: a
 * trust-region reflective start that switches to pair or value-moment coordinates on crawls, with the stop
 * rules below plus a refusal of stops the Gauss–Newton model contradicts, and a finish of the ends that
 * model does not certify, which walks long flat valleys by their profile (docs/solver-flat-sets.md). What
 * follows describes {@link Method#LM}, a box-projected Levenberg–Marquardt method, the default before issue 23
 * ({@link Options#LEGACY_LM}); its pass and stop tests are every method's.
 *
 * <p>Each iteration makes one pass over the data that evaluates the model and accumulates
 * {@code JᵀJ} and {@code Jᵀr} at once ({@link Evaluator#normalEquations}); the n × P Jacobian is
 * never formed. Steps solve {@code (JᵀJ + λ diag(JᵀJ)) δ = −Jᵀr} by Cholesky (EJML) with the
 * variables that sit on a bound and are pushed outward held fixed, and the trial point is
 * projected onto the box, so every iterate stays inside it. A trial point that does not lower the
 * objective is rejected and λ raised (Nielsen's update); an accepted one lowers λ by its gain ratio.
 *
 * <h2>When it stops</h2>
 * After every accepted step (and once at the start) the {@link StopRule} is asked; by default
 * ({@link Options#stopRule()}) the first of
 * <ul>
 * <li>{@link StopRule#objectiveChange}: actual and predicted relative reductions at most
 * {@link Options#objectiveTolerance()} on a step the quadratic model agreed with
 * ({@code 1/4 ≤ ρ ≤ 2}) without a rejected trial in that iteration, and no more than that to come by
 * extrapolating the last two decreases — {@code objective-change};</li>
 * <li>{@link StopRule#projectedGradient}: the largest cosine between the residual and a Jacobian
 * column, over coordinates not held at a bound, at most {@link Options#gradientTolerance()} —
 * {@code gradient};</li>
 * <li>{@link StopRule#stepSize}: an accepted step shorter than
 * {@link Options#stepTolerance()} relative to the point — {@code step-size}.</li>
 * </ul>
 * The fit is not converged when it reaches {@link Options#maxIterations()}
 * ({@code max-iterations}), when λ blows up or steps shorter than the step tolerance no longer
 * descend before a test passed ({@code no-progress}), or when the objective is not finite
 * ({@code failed}).
 */
public final class LeastSquaresEstimator implements Estimator {
    /** The name used in scenarios. */
    public static final String NAME = "least-squares";

    private final Options options;
    private final int threads;
    private final StopRule rule;

    /**
     * The step and stop rules of the solver ({@code solver: {method: ...}} in a scenario file).
     */
    public enum Method {
        /**
         * The box-projected Levenberg–Marquardt method described above, stopped by
         * {@link Options#stopRule()}: what every result committed before issue 23 was computed with (the
         * default until then; {@link Options#LEGACY_LM}).
         */
        LM("lm"),
        /**
         * For flat sets (issue 23, docs/solver-flat-sets.md): the same damped Gauss–Newton steps
         * as {@link #LM} until {@link Options#lmStopRule()} would stop (on a crawl along a flat set
         * it fires early, see the note), then trust-region Newton steps
         * ({@code TrustRegion}, Moré–Sorensen) on the Hessian of {@code Σr²/2}: forward differences
         * of {@code Jᵀr} (one pass per coordinate) refreshed every {@link LeastSquaresEstimator#REFRESH}
         * iterations or after three rejected trials, a structured secant update (Dennis–Gay–Welsch)
         * in between. Stops by {@link Options#flatStopRule()} or when the Newton model, positive
         * definite on the free coordinates, promises at most the objective tolerance more, checked
         * on a fresh finite-difference Hessian ({@code objective-change}); never on a small
         * objective change alone.
         */
        FLAT("flat"),
        /**
         * Levenberg–Marquardt with geodesic acceleration (Transtrum and Sethna 2012; issue 23,
         * docs/solver-flat-sets.md): after {@link #LM}'s velocity {@code δ₁} (projected onto the box,
         * held coordinates fixed) the second directional derivative of the residuals along it by
         * a finite difference with {@code h = }{@link LeastSquaresEstimator#GEODESIC_H}, the
         * acceleration {@code δ₂ = −(JᵀJ + λD)⁻¹Jᵀr''} on the same factorization, and the trial
         * point {@code x + δ₁ + δ₂/2} projected onto the box; a trial with
         * {@code 2‖δ₂‖/‖δ₁‖ > }{@link LeastSquaresEstimator#GEODESIC_ALPHA} (scaled norms) is
         * rejected without a pass and raises λ as a failed step does. Two more passes per trial
         * (residuals at {@code x + hδ₁}; Jacobian products at x). Stops by
         * {@link Options#lmStopRule()}.
         */
        GEODESIC("geodesic"),
        /**
         * {@link #LM} with Transtrum and Sethna's damping (issue 23, docs/solver-flat-sets.md): the
         * damping metric {@code D} is the running maximum of {@code diag(JᵀJ)} over the accepted
         * points of the fit (floored as {@link #LM}'s), and λ is divided by 3 after an accepted
         * step and doubled after a rejected trial ("delayed gratification"). Stops by
         * {@link Options#lmStopRule()}.
         */
        LM_TS("lm-ts"),
        /** {@link #GEODESIC} with {@link #LM_TS}'s damping metric (also in the α test) and λ rule. */
        GEODESIC_TS("geodesic-ts"),
        /**
         * {@link #LM} with a corrector on rejected trials (issue 23, docs/solver-flat-sets.md): a trial
         * {@code x + δ} whose objective is finite but not lower gets one more step
         * {@code δc = −(JᵀJ + λD)⁻¹ J(x+δ)ᵀr(x+δ)} on the factorization made at x (the trial's pass
         * gives {@code J(x+δ)ᵀr(x+δ)}), the point {@code x + δ + δc} projected onto the box; if it lowers
         * the objective it is the accepted step, otherwise the trial is rejected as in {@link #LM}.
         * One more pass per corrected rejection. Stops by {@link Options#lmStopRule()}.
         */
        LM_SOC("lm-soc"),
        /**
         * SciPy's trust-region reflective method ({@code least_squares(method="trf", x_scale="jac")}) step
         * for step, on the pass's {@code JᵀJ} and {@code Jᵀr} (issue 23, docs/solver-flat-sets.md): Coleman–Li
         * scaling, the exact trust-region step by an eigen-decomposition of the scaled normal matrix, reflected
         * steps at the box. Stops by {@link Options#lmStopRule()}.
         */
        TRF("trf"),
        /**
         * {@link #LM} with a pattern move along crawls ({@code PatternMove}; issue 23,
         * docs/solver-flat-sets.md): every 10th accepted step, if the last 10 lowered the objective by less
         * than 1e-6 relative, the points {@code x + t(x_k − x_{k−10})}, t = 1, 2, 4, … (projected onto the
         * box), are tried up to the first that is not lower, and the lowest becomes the iterate; otherwise
         * {@link #LM} bit for bit. Stops by {@link Options#lmStopRule()}, asked after a move too.
         */
        LM_X("lm-x"),
        /**
         * {@link #LM} with an Anderson move along crawls ({@code AndersonMove}; issue 23,
         * docs/solver-flat-sets.md): when the last 10 accepted points lowered the objective by less than 1e-6
         * relative, the combination {@code Σ α_i G(x_i)} of the last 6 accepted steps {@code x_i → G(x_i)} whose
         * residuals {@code G(x_i) − x_i} combine to the least norm (weights summing to 1) is tried (projected
         * onto the box, one pass) and becomes the iterate if lower; otherwise {@link #LM} bit for bit. Stops by
         * {@link Options#lmStopRule()}, asked after a move too.
         */
        LM_AA("lm-aa"),
        /** {@link #TRF} with {@link #LM_AA}'s Anderson move, its point made strictly feasible. */
        TRF_AA("trf-aa"),
        /**
         * {@link #TRF}'s steps until the first crawl (the last 10 accepted points lowered the objective by less than
         * 1e-6 relative), then {@link #LM} from that point (issue 23, docs/solver-flat-sets.md): SciPy's path into the
         * basin, {@code lm}'s along the crawl. The phases share the iteration cap; iterations and passes are summed.
         */
        TRF_LM("trf-lm"),
        /**
         * {@link #LM} with variable-projection damping (issue 23, docs/solver-flat-sets.md): the coordinates the
         * regression function is linear in ({@code non-shared} values) are damped by a token 1e-6 of their
         * {@code diag(JᵀJ)}, the others by the diagonal of the Schur complement of {@code JᵀJ} on them (the
         * curvature left once the values compensate). Everything else is {@link #LM}'s; for shared
         * parameterizations (no linear coordinates) it is {@link #LM} bit for bit.
         */
        LM_VP("lm-vp"),
        /**
         * {@link #LM} with its steps taken in moment coordinates of the two closest fitted atoms ({@code PairCoordinates};
         * issue 23, docs/solver-flat-sets.md): their total weight, centre, second moment and the weight fraction are
         * coordinates, so that moving weight between a split pair at fixed moments is one coordinate, damped at its
         * own curvature. An iteration with a coordinate of the pair on a bound is {@link #LM}'s. Stops by
         * {@link Options#lmStopRule()}.
         */
        LM_PAIR("lm-pair"),
        /** {@link #TRF_LM} with {@link #LM_PAIR} as its second phase: {@code trf}'s path into the basin, moment steps along the crawl. */
        TRF_PAIR("trf-pair"),
        /**
         * {@link #TRF_PAIR} that also hands over to {@link #LM_PAIR} when {@code trf}'s stop rule fires or it ends with
         * {@code no-progress} or {@code step-size}: {@code lm-pair} has the last word on every stop but the cap and a
         * failure (issue 23, docs/solver-flat-sets.md).
         */
        TRF_PAIR2("trf-pair2"),
        /**
         * {@link #LM_PAIR} that takes the moment step also when coordinates of the pair are on a bound: the held
         * coordinates are kept fixed to first order by restricting the step to the null space of their rows of the
         * map's Jacobian (issue 23, docs/solver-flat-sets.md).
         */
        LM_PAIR_B("lm-pair-b"),
        /** {@link #TRF_PAIR} with {@link #LM_PAIR_B} as its second phase. */
        TRF_PAIR_B("trf-pair-b"),
        /**
         * {@link #LM_PAIR} that does not take an {@code objective-change} stop while the Gauss–Newton model at the
         * accepted point promises more than {@link GaussNewtonCertificate#TOLERANCE} ({@link GaussNewtonCertificate};
         * issue 23, docs/solver-flat-sets.md).
         */
        LM_PAIR_C("lm-pair-c"),
        /** {@link #TRF_PAIR} with {@link #LM_PAIR_C}'s stop in both phases ({@link #LM_PAIR_C} its second phase). */
        TRF_PAIR_C("trf-pair-c"),
        /**
         * {@link #LM_PAIR_C} with a move to the end of the Gauss–Newton path along crawls ({@code PathMove}) and its
         * refusal asking the path's promise ({@link GaussNewtonCertificate#of}'s) instead of the cut step's (issue 23,
         * docs/solver-flat-sets.md).
         */
        LM_PAIR_P("lm-pair-p"),
        /** {@link #TRF_PAIR} with {@link #LM_PAIR_P}'s refusal in both phases and {@link #LM_PAIR_P} its second phase. */
        TRF_PAIR_P("trf-pair-p"),
        /**
         * {@link #LM_PAIR_C} whose steps, for a model with linear value coordinates ({@code non-shared}) and biases,
         * are taken in value-moment coordinates ({@code ValueMoments}: every atom's values {@code m = e^b v} and weight
         * {@code w = e^b}) at every iteration, coordinates held on the box kept fixed to first order as
         * {@link #LM_PAIR_B} keeps them; for other models {@link #LM_PAIR_C} bit for bit (issue 23,
         * docs/solver-flat-sets.md).
         */
        LM_PAIR_V("lm-pair-v"),
        /** {@link #TRF_PAIR_C} with {@link #LM_PAIR_V} as its second phase. */
        TRF_PAIR_V("trf-pair-v"),
        /**
         * {@link #LM_PAIR_C} that switches to {@link #LM_PAIR_V}'s value-moment steps when the last 10 accepted points
         * lowered the objective by less than 1e-6 relative ({@code CrawlWindow}), and back at the next such crawl, and
         * so on (issue 23, docs/solver-flat-sets.md): each system straightens valleys the other does not. For models
         * without value coordinates, and up to its first switch, {@link #LM_PAIR_C} bit for bit.
         */
        LM_PAIR_S("lm-pair-s"),
        /** {@link #TRF_PAIR_C} with {@link #LM_PAIR_S} as its second phase. */
        TRF_PAIR_S("trf-pair-s"),
        /**
         * {@link #LM_PAIR_S} that takes a refused {@code objective-change} stop when the iteration then ends on
         * {@code no-progress} before another step is accepted: every trial down to the smallest failed, so the
         * promise was not there. The end point is {@link #LM_PAIR_S}'s; only the stop reason differs (issue 23,
         * docs/solver-flat-sets.md).
         */
        LM_PAIR_T("lm-pair-t"),
        /** {@link #TRF_PAIR_S} with {@link #LM_PAIR_T}'s confirmation in both phases ({@link #LM_PAIR_T} its second). */
        TRF_PAIR_T("trf-pair-t"),
        /**
         * {@link #LM_PAIR_T} whose {@code no-progress} end is reported as {@code objective-change} (converged) when the
         * Gauss–Newton model, followed along the box, promises at most {@link GaussNewtonCertificate#TOLERANCE} more
         * there (MINPACK's reason to stop on a failed trial): no trial was lower and none is promised. End points are
         * {@link #LM_PAIR_T}'s (issue 23, docs/solver-flat-sets.md).
         */
        LM_PAIR_U("lm-pair-u"),
        /** {@link #TRF_PAIR_T} with {@link #LM_PAIR_U}'s certified {@code no-progress} in both phases. */
        TRF_PAIR_U("trf-pair-u"),
        /**
         * {@link #LM_PAIR_U} whose refusal of a stop stays in force across later accepted steps that lower the
         * objective by at most the objective tolerance (rounding-level steps after a refusal do not clear it), so that a
         * {@code no-progress} end after them is the refused stop. End points are {@link #LM_PAIR_U}'s (issue 23,
         * docs/solver-flat-sets.md).
         */
        LM_PAIR_W("lm-pair-w"),
        /**
         * {@link #TRF_PAIR_U} with {@link #LM_PAIR_W}'s lasting refusal in both phases: the default from the first
         * switch of issue 23 until {@link #TRF_PAIR_M} (cap 1,000 iterations); the first phase of the default.
         */
        TRF_PAIR_W("trf-pair-w"),
        /**
         * {@link #TRF_PAIR_W} whose converged end ({@code objective-change}, {@code step-size}) or {@code no-progress}
         * end is finished by {@link #TRF} with the objective and step tolerances {@link Options#FINISH_TOLERANCE}, at most
         * {@link Options#maxIterations()} more iterations (issue 23, docs/solver-flat-sets.md): along the crawls of
         * split atoms {@code trf} reaches the optimum in hundreds of iterations where the pair's damped steps need
         * thousands. The first phase is
         * {@link #TRF_PAIR_W} bit for bit; a finish that cannot descend keeps the first phase's stop reason.
         */
        TRF_PAIR_F("trf-pair-f"),
        /**
         * {@link #TRF_PAIR_F} whose finish runs only where the first phase's end promises more than
         * {@link Options#FINISH_TRIGGER} ({@link GaussNewtonCertificate#of}), for at most twice
         * {@link Options#maxIterations()} more iterations (issue 23, docs/solver-flat-sets.md).
         */
        TRF_PAIR_G("trf-pair-g"),
        /**
         * {@link #TRF_PAIR_G} whose finish, where {@code trf} is still walking after {@link Options#WALK_ITERATIONS}
         * iterations, walks the valley by its profile over the coordinate that moved most (relative to its box
         * width), each profile value a {@code trf} of at most {@link Options#WALK_ITERATIONS} iterations with that
         * coordinate held, then finishes with every coordinate free (issue 23, docs/solver-flat-sets.md). The
         * default ({@link Options#DEFAULT}, cap 1,000 iterations).
         */
        TRF_PAIR_M("trf-pair-m");

        private final String label;

        Method(String label) {
            this.label = label;
        }

        /**
         * {@return the second phase of a method that takes {@code trf}'s steps until the first crawl, or null}
         * ({@code trf-lm}: {@code lm}; the {@code trf-pair} family: its {@code lm-pair} variant)
         */
        Method crawlPhase() {
            return switch (this) {
                case TRF_LM -> LM;
                case TRF_PAIR, TRF_PAIR2 -> LM_PAIR;
                case TRF_PAIR_B -> LM_PAIR_B;
                case TRF_PAIR_C -> LM_PAIR_C;
                case TRF_PAIR_P -> LM_PAIR_P;
                case TRF_PAIR_V -> LM_PAIR_V;
                case TRF_PAIR_S -> LM_PAIR_S;
                case TRF_PAIR_T -> LM_PAIR_T;
                case TRF_PAIR_U -> LM_PAIR_U;
                case TRF_PAIR_W -> LM_PAIR_W;
                default -> null;
            };
        }

        /** {@return whether the method starts with {@code trf}'s steps ({@code ReflectiveTrustRegion})} */
        boolean startsWithTrf() {
            return this == TRF || this == TRF_AA || crawlPhase() != null;
        }

        /** {@return whether an objective-change stop is refused while the Gauss–Newton model promises more} */
        boolean refusesPromisedStops() {
            return switch (this) {
                case LM_PAIR_C, TRF_PAIR_C, LM_PAIR_P, TRF_PAIR_P, LM_PAIR_V, TRF_PAIR_V, LM_PAIR_S, TRF_PAIR_S,
                     LM_PAIR_T, TRF_PAIR_T, LM_PAIR_U, TRF_PAIR_U, LM_PAIR_W, TRF_PAIR_W -> true;
                default -> false;
            };
        }

        /** {@return whether the method alternates the pair's and the value-moment coordinates on crawls} */
        boolean switchesCoordinates() {
            return this == LM_PAIR_S || this == LM_PAIR_T || this == LM_PAIR_U || this == LM_PAIR_W;
        }

        /** {@return whether a refused stop is taken when the iteration then ends on {@code no-progress}} */
        boolean confirmsRefusals() {
            return this == LM_PAIR_T || this == TRF_PAIR_T || this == LM_PAIR_U || this == TRF_PAIR_U
                    || keepsRefusals();
        }

        /** {@return whether a {@code no-progress} end that the Gauss–Newton path promise certifies is converged} */
        boolean certifiesNoProgress() {
            return this == LM_PAIR_U || this == TRF_PAIR_U || keepsRefusals();
        }

        /** {@return whether a refusal stays in force across accepted steps below the objective tolerance} */
        boolean keepsRefusals() {
            return this == LM_PAIR_W || this == TRF_PAIR_W;
        }

        /**
         * Whether a refusal is in force after an accepted step from objective {@code before} to {@code after}.
         *
         * @param refusedNow whether the stop test at the new point fired and was refused
         * @param inForce whether a refusal was in force before the step
         * @param tolerance the objective tolerance
         * @return the new state: this step's refusal, or for {@link #keepsRefusals()} methods also the earlier one when
         *     the step lowered the objective by at most {@code tolerance} relative
         */
        boolean refusalInForce(boolean refusedNow, boolean inForce, double before, double after, double tolerance) {
            return refusedNow || keepsRefusals() && inForce && before - after <= tolerance * before;
        }

        /**
         * The reason a fit of this method ends with at x: {@code no-progress} becomes {@code objective-change} after a
         * refused stop ({@link #confirmsRefusals()}) or where the path promise at x is at most the certificate's
         * tolerance ({@link #certifiesNoProgress()}); any other reason is kept.
         */
        StopReason finalReason(StopReason reason, boolean refused, double[] x, double[] a, double[] g, double ssr,
                               double[] lo, double[] hi) {
            if (reason != StopReason.NO_PROGRESS) {
                return reason;
            }
            if (refused && confirmsRefusals()) {
                return StopReason.OBJECTIVE_CHANGE;   // nothing lower was found, the refused stop stands
            }
            if (certifiesNoProgress()
                    && GaussNewtonCertificate.pathPromise(x, a, g, ssr, lo, hi) <= GaussNewtonCertificate.TOLERANCE) {
                return StopReason.OBJECTIVE_CHANGE;   // nothing lower was found and nothing is promised
            }
            return reason;
        }

        /** {@return whether the refusal asks the promise along the box's path rather than the cut step's} */
        boolean followsPath() {
            return this == LM_PAIR_P || this == TRF_PAIR_P;
        }

        /**
         * Whether this method refuses a stop the rule gave at an accepted point: an {@code objective-change} stop while
         * the Gauss–Newton model there promises more than {@link GaussNewtonCertificate#TOLERANCE}
         * ({@link #refusesPromisedStops()}, {@link #promise}). One place for both solvers' loops.
         */
        boolean refuses(Optional<StopReason> stop, double[] x, double[] a, double[] g, double ssr, double[] lo,
                        double[] hi) {
            return refusesPromisedStops() && stop.isPresent() && stop.get() == StopReason.OBJECTIVE_CHANGE
                    && promise(x, a, g, ssr, lo, hi) > GaussNewtonCertificate.TOLERANCE;
        }

        /**
         * The promise a refusing method asks at an accepted point: along the path ({@link #followsPath()}) or of the
         * step cut at the first bound, as {@code lm-pair-c} and {@code trf-pair-c} were measured.
         */
        double promise(double[] x, double[] a, double[] g, double ssr, double[] lo, double[] hi) {
            return followsPath() ? GaussNewtonCertificate.pathPromise(x, a, g, ssr, lo, hi)
                    : GaussNewtonCertificate.promise(x, a, g, ssr, lo, hi);
        }

        /** {@return the name used in scenario files and on the command line} */
        public String label() {
            return label;
        }

        /**
         * {@return the numeric code of the {@code method} solver setting: the constant's position in this enum (0 lm,
         * 1 flat, 2 geodesic, …, 18 trf-pair-c, 19 lm-pair-p, 20 trf-pair-p, 21 lm-pair-v, 22 trf-pair-v, 23 lm-pair-s,
         * 24 trf-pair-s, 25 lm-pair-t, 26 trf-pair-t, 27 lm-pair-u, 28 trf-pair-u, 29 lm-pair-w, 30 trf-pair-w), so
         * that codes written in scenario files stay valid as methods are added}
         */
        public int code() {
            return ordinal();
        }

        /**
         * The method of a label.
         *
         * @param label a method's label ({@code lm}, {@code flat}, {@code trf-lm}, {@code lm-pair}, …; {@link #label()})
         * @return the method
         * @throws IllegalArgumentException naming the setting for an unknown label
         */
        public static Method byLabel(String label) {
            for (Method m : values()) {
                if (m.label.equals(label)) {
                    return m;
                }
            }
            throw new IllegalArgumentException("method: unknown least-squares method '" + label
                    + "' (known: " + known() + ")");
        }

        private static String known() {
            StringBuilder b = new StringBuilder();
            for (Method m : values()) {
                b.append(b.length() > 0 ? ", " : "").append(m.label);
            }
            return b.toString();
        }

        /**
         * The method of a numeric code.
         *
         * @param code a method's code ({@link #code()})
         * @return the method
         * @throws IllegalArgumentException naming the setting for another code
         */
        public static Method byCode(double code) {
            for (Method m : values()) {
                if (code == m.ordinal()) {
                    return m;
                }
            }
            StringBuilder codes = new StringBuilder();
            for (Method m : values()) {
                codes.append(codes.length() > 0 ? ", " : "").append(m.ordinal()).append(" (").append(m.label).append(')');
            }
            throw new IllegalArgumentException("method: must be one of " + codes + ", got " + code);
        }
    }

    /**
     * Solver settings. Immutable; change one with its wither, e.g.
     * {@code Options.DEFAULT.withObjectiveTolerance(1e-12)}.
     *
     * @param maxIterations iteration cap (reaching it is "not converged")
     * @param objectiveTolerance relative objective tolerance of {@link StopRule#objectiveChange}
     * @param stepTolerance relative step tolerance of {@link StopRule#stepSize}
     * @param gradientTolerance scaled projected-gradient tolerance of
     *     {@link StopRule#projectedGradient}
     * @param method the step and stop rules
     * @param initialDamping λ at the start of a fit, relative to {@code diag(JᵀJ)} (1e-3 as committed;
     *     Marquardt's 1 for starts that may be far from the optimum)
     */
    public record Options(int maxIterations, double objectiveTolerance, double stepTolerance,
                          double gradientTolerance, Method method, double initialDamping) {
        /**
         * Defaults: 1,000 iterations, relative objective change 1e-10, relative step 1e-9, scaled
         * projected gradient 1e-10, method {@link Method#TRF_PAIR_M}, initial damping 1e-3. (The default was
         * {@link Method#LM} with a cap of 500 before issue 23, then {@link Method#TRF_PAIR_W} until its last step;
         * docs/solver-flat-sets.md.)
         */
        public static final Options DEFAULT = new Options(1000, 1e-10, 1e-9, 1e-10, Method.TRF_PAIR_M);

        /**
         * The default before issue 23: method {@link Method#LM}, 500 iterations, the same tolerances. A scenario
         * stating {@code solver: {method: lm, max_iterations: 500}} fits as every row committed before the switch
         * was fitted.
         */
        public static final Options LEGACY_LM = new Options(500, 1e-10, 1e-9, 1e-10, Method.LM);

        /** The default initial damping, 1e-3 of {@code diag(JᵀJ)}: what every committed fit started with. */
        public static final double DEFAULT_DAMPING = 1e-3;

        /**
         * The relative objective-change and step tolerances of {@link Method#TRF_PAIR_F}'s finishing {@code trf}
         * phase, 1e-13: at the default 1e-10 the objective test can pass within a crawl's first few steps.
         */
        public static final double FINISH_TOLERANCE = 1e-13;

        /**
         * The Gauss–Newton promise above which {@link Method#TRF_PAIR_G} finishes an end, 1e-10 relative: a tenth of
         * {@link GaussNewtonCertificate#TOLERANCE}.
         */
        public static final double FINISH_TRIGGER = 1e-10;

        /**
         * The iterations of plain {@code trf} after which {@link Method#TRF_PAIR_M}'s finish walks the profile, and the
         * most of each profile value: 100.
         */
        public static final int WALK_ITERATIONS = 100;

        /**
         * Validates the settings.
         *
         * @param maxIterations iteration cap, at least 1
         * @param objectiveTolerance relative objective change, at least 0
         * @param stepTolerance relative step, at least 0
         * @param gradientTolerance scaled projected gradient, at least 0
         * @param method the step and stop rules, not null
         * @param initialDamping λ at the start of a fit, positive and finite
         * @throws IllegalArgumentException naming the setting that is out of range
         */
        public Options {
            if (maxIterations < 1) {
                throw new IllegalArgumentException("maxIterations: must be >= 1, got " + maxIterations);
            }
            if (!(objectiveTolerance >= 0)) {
                throw new IllegalArgumentException("objectiveTolerance: must be >= 0, got " + objectiveTolerance);
            }
            if (!(stepTolerance >= 0)) {
                throw new IllegalArgumentException("stepTolerance: must be >= 0, got " + stepTolerance);
            }
            if (!(gradientTolerance >= 0)) {
                throw new IllegalArgumentException("gradientTolerance: must be >= 0, got " + gradientTolerance);
            }
            if (method == null) {
                throw new IllegalArgumentException("method: missing");
            }
            if (!(initialDamping > 0 && initialDamping < Double.POSITIVE_INFINITY)) {
                throw new IllegalArgumentException("initial_damping: must be positive and finite, got "
                        + initialDamping);
            }
        }

        /**
         * Settings with the default initial damping (1e-3).
         *
         * @param maxIterations iteration cap, at least 1
         * @param objectiveTolerance relative objective change, at least 0
         * @param stepTolerance relative step, at least 0
         * @param gradientTolerance scaled projected gradient, at least 0
         * @param method the step and stop rules, not null
         */
        public Options(int maxIterations, double objectiveTolerance, double stepTolerance, double gradientTolerance,
                       Method method) {
            this(maxIterations, objectiveTolerance, stepTolerance, gradientTolerance, method, DEFAULT_DAMPING);
        }

        /**
         * Settings of the Levenberg–Marquardt method {@link Method#LM} (the default until issue 23; the
         * polishes and references that use it keep it).
         *
         * @param maxIterations iteration cap, at least 1
         * @param objectiveTolerance relative objective change, at least 0
         * @param stepTolerance relative step, at least 0
         * @param gradientTolerance scaled projected gradient, at least 0
         */
        public Options(int maxIterations, double objectiveTolerance, double stepTolerance, double gradientTolerance) {
            this(maxIterations, objectiveTolerance, stepTolerance, gradientTolerance, Method.LM);
        }

        /**
         * A copy with another iteration cap.
         *
         * @param value the new setting
         * @return the changed copy (validated)
         */
        public Options withMaxIterations(int value) {
            return new Options(value, objectiveTolerance, stepTolerance, gradientTolerance, method, initialDamping);
        }

        /**
         * A copy with another objective tolerance.
         *
         * @param value the new setting
         * @return the changed copy (validated)
         */
        public Options withObjectiveTolerance(double value) {
            return new Options(maxIterations, value, stepTolerance, gradientTolerance, method, initialDamping);
        }

        /**
         * A copy with another step tolerance.
         *
         * @param value the new setting
         * @return the changed copy (validated)
         */
        public Options withStepTolerance(double value) {
            return new Options(maxIterations, objectiveTolerance, value, gradientTolerance, method, initialDamping);
        }

        /**
         * A copy with another gradient tolerance.
         *
         * @param value the new setting
         * @return the changed copy (validated)
         */
        public Options withGradientTolerance(double value) {
            return new Options(maxIterations, objectiveTolerance, stepTolerance, value, method, initialDamping);
        }

        /**
         * A copy with another method.
         *
         * @param value the new method
         * @return the changed copy
         */
        public Options withMethod(Method value) {
            return new Options(maxIterations, objectiveTolerance, stepTolerance, gradientTolerance, value,
                    initialDamping);
        }

        /**
         * A copy with another initial damping.
         *
         * @param value λ at the start of a fit, relative to {@code diag(JᵀJ)}
         * @return the changed copy (validated)
         */
        public Options withInitialDamping(double value) {
            return new Options(maxIterations, objectiveTolerance, stepTolerance, gradientTolerance, method, value);
        }

        /**
         * The stop rule of these settings: for {@link Method#LM}, {@link Method#GEODESIC} and their
         * Transtrum–Sethna variants, {@link Method#LM_SOC}, {@link Method#TRF}, {@link Method#LM_X}, the Anderson
         * variants and {@link Method#TRF_LM} objective change, then gradient, then step ({@link #lmStopRule()}); for
         * {@link Method#FLAT}
         * {@link #flatStopRule()}.
         *
         * @return the rule
         */
        public StopRule stopRule() {
            return method == Method.FLAT ? flatStopRule() : lmStopRule();
        }

        /** {@return the stop rule of {@link Method#LM}: objective change, then gradient, then step} */
        public StopRule lmStopRule() {
            return StopRule.anyOf(StopRule.objectiveChange(objectiveTolerance),
                    StopRule.projectedGradient(gradientTolerance), StopRule.stepSize(stepTolerance));
        }

        /**
         * The stop rule of {@link Method#FLAT}, asked after every accepted step: the scaled projected
         * gradient at most the gradient tolerance ({@code gradient}), or {@link StopRule#flatStep}
         * ({@code step-size}). (The Newton phase also stops on its model's promised decrease, see
         * {@link Method#FLAT}.)
         *
         * @return the rule
         */
        public StopRule flatStopRule() {
            return StopRule.anyOf(StopRule.projectedGradient(gradientTolerance),
                    StopRule.flatStep(stepTolerance, objectiveTolerance));
        }
    }

    /** An estimator with default options. */
    public LeastSquaresEstimator() {
        this(Options.DEFAULT);
    }

    /**
     * An estimator with the given options and their stop rule.
     *
     * @param options the solver settings
     */
    public LeastSquaresEstimator(Options options) {
        this(options, options.stopRule(), 1);
    }

    /**
     * An estimator whose passes over the data run on {@code threads} threads (the fit is
     * bit-identical for any number; Monte Carlo runs use 1, one fit per core).
     *
     * @param options the solver settings
     * @param threads threads of each pass, at least 1
     */
    public LeastSquaresEstimator(Options options, int threads) {
        this(options, options.stopRule(), threads);
    }

    /**
     * An estimator with the given options and another stop rule (the options then give only the
     * iteration cap and the step tolerance of the no-progress guard), one thread per pass.
     *
     * @param options the solver settings
     * @param rule the convergence test
     */
    public LeastSquaresEstimator(Options options, StopRule rule) {
        this(options, rule, 1);
    }

    /**
     * An estimator with the given options, stop rule and threads per pass.
     *
     * @param options the solver settings
     * @param rule the convergence test
     * @param threads threads of each pass, at least 1
     */
    public LeastSquaresEstimator(Options options, StopRule rule, int threads) {
        if (threads < 1) {
            throw new IllegalArgumentException("threads: must be >= 1, got " + threads);
        }
        this.options = java.util.Objects.requireNonNull(options, "options");
        this.rule = java.util.Objects.requireNonNull(rule, "rule");
        this.threads = threads;
    }

    /** {@return the number of threads of each pass over the data} */
    public int threads() {
        return threads;
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
        if (options.method() == Method.FLAT) {
            return fitFlat(problem, start);
        }
        if (options.method() == Method.TRF_PAIR_F || options.method() == Method.TRF_PAIR_G
                || options.method() == Method.TRF_PAIR_M) {
            FitResult first = ReflectiveTrustRegion.fit(problem, start, options.withMethod(Method.TRF_PAIR_W), rule,
                    threads);
            return finish(problem, first);
        }
        if (options.method().startsWithTrf()) {
            return ReflectiveTrustRegion.fit(problem, start, options, rule, threads);
        }
        double[] x = problem.startVector(start);
        Evaluator ev = problem.evaluator();
        ev.setThreads(threads);
        double[] y = problem.data().y();
        int n = problem.data().size();
        int q = problem.model().outputDimension();
        int dim = ev.dimension();
        double[] lo = problem.lower();
        double[] hi = problem.upper();

        double[] a = new double[dim * dim];
        double[] g = new double[dim];
        double[] aTrial = new double[dim * dim];
        double[] gTrial = new double[dim];
        double[] xTrial = new double[dim];
        boolean[] fixed = new boolean[dim];
        DMatrixRMaj m = new DMatrixRMaj(dim, dim);
        DMatrixRMaj rhs = new DMatrixRMaj(dim, 1);
        DMatrixRMaj step = new DMatrixRMaj(dim, 1);
        LinearSolverDense<DMatrixRMaj> chol = LinearSolverFactory_DDRM.chol(dim);
        Method method = options.method();
        Geodesic geodesic = method == Method.GEODESIC || method == Method.GEODESIC_TS
                ? new Geodesic(n * q, dim) : null;
        // Transtrum–Sethna: D the running maximum of diag(JᵀJ), λ ÷3 on acceptance, ×2 on rejection.
        boolean ts = method == Method.LM_TS || method == Method.GEODESIC_TS;
        boolean corrector = method == Method.LM_SOC;
        CrawlMove move = null;
        double[] runningDiag = ts ? new double[dim] : null;
        double[] d = new double[dim];
        boolean[] linear = method == Method.LM_VP ? VariableProjection.linearMask(problem) : null;
        VariableProjection projection = linear == null ? null : new VariableProjection(linear);
        boolean veto = method.refusesPromisedStops();
        boolean[] values = (method == Method.LM_PAIR_V || method.switchesCoordinates()) && problem.model().hasBias()
                ? VariableProjection.linearMask(problem) : null;
        StepCoordinates moments = values == null ? null : new ValueMoments(values, problem.model().atomDimension() + 1);
        StepCoordinates pairs = (method == Method.LM_PAIR || method == Method.LM_PAIR_B || veto)
                && problem.model().hasBias() ? new PairCoordinates(problem.atoms(), problem.model().atomDimension())
                : null;
        // lm-pair-v: value moments throughout; lm-pair-s: from its first crawl on, alternating with the pair's.
        boolean inMoments = method == Method.LM_PAIR_V && moments != null;
        boolean anyCoordinates = pairs != null || moments != null;
        double[] aPair = anyCoordinates ? new double[dim * dim] : null;
        double[] gPair = anyCoordinates ? new double[dim] : null;
        double[] work = anyCoordinates ? new double[dim * dim] : null;
        double[] zTrial = anyCoordinates ? new double[dim] : null;

        ev.setParameters(x);
        double ssr = ev.normalEquations(y, a, g);
        int evaluations = 1;
        if (!Double.isFinite(ssr)) {
            return result(x, ssr, n, q, 0, evaluations, StopReason.FAILED, start);
        }
        double lambda = options.initialDamping();
        double nu = 2;
        double previous = Double.NaN;
        double earlier = Double.NaN;
        StopReason reason = StopReason.MAX_ITERATIONS;
        int iter = 0;
        Optional<StopReason> stop = rule.test(Iterate.start(ssr, projectedGradient(x, g, a, lo, hi, ssr, dim)));
        if (stop.isPresent()) {
            return result(x, a, g, ssr, lo, hi, n, q, 0, evaluations, stop.get(), start);
        }
        CrawlWindow switchAt = method.switchesCoordinates() && moments != null ? new CrawlWindow(ssr) : null;
        boolean refused = false;   // the stop rule fired at x and was refused
        if (method == Method.LM_X) {
            move = new PatternMove(x, ssr);
        } else if (method == Method.LM_AA) {
            move = new AndersonMove(dim, ssr, false);
        } else if (method == Method.LM_PAIR_P) {
            move = new PathMove(dim, ssr);
        }
        outer:
        while (iter < options.maxIterations) {
            iter++;
            if (!holdOnBounds(x, g, lo, hi, fixed)) {
                reason = StopReason.GRADIENT;
                break;
            }
            // lm-pair: this iteration's normal equations in the pair's moment coordinates (an lm step otherwise).
            StepCoordinates pair = inMoments ? moments : pairs;
            // lm-pair-b, value moments: steps also with coordinates on the box, the held ones fixed to first order.
            boolean pairOnBounds = method == Method.LM_PAIR_B || inMoments;
            boolean paired = pair != null && pair.prepare(x, lo, hi, pairOnBounds);
            double[] aa = a;
            double[] gg = g;
            HeldMomentStep held = null;
            if (paired) {
                pair.carry(a, g, aPair, gPair, work);
                aa = aPair;
                gg = gPair;
                held = pairOnBounds ? HeldMomentStep.of(pair.jacobian(), fixed, aPair, gPair) : null;
            }
            double floor = diagonalFloor(aa, dim);
            for (int c = 0; c < dim; c++) {
                if (ts) {
                    runningDiag[c] = Math.max(runningDiag[c], a[c * dim + c]);
                }
                d[c] = Math.max(ts ? runningDiag[c] : aa[c * dim + c], floor);
            }
            if (projection != null) {
                projection.damping(a, fixed, floor, d);   // false: lm's metric stays
            }
            int rejected = 0;
            while (true) {
                if (held != null) {
                    // lm-pair-b: the damped step on the null space of the held coordinates' rows.
                    if (!held.solve(lambda, floor, step.data)) {
                        lambda *= 10;
                        if (lambda > 1e16) {
                            reason = StopReason.NO_PROGRESS;
                            break outer;
                        }
                        continue;
                    }
                } else {
                    for (int r = 0; r < dim; r++) {
                        for (int c = 0; c < dim; c++) {
                            m.data[r * dim + c] = fixed[r] || fixed[c] ? 0.0 : aa[r * dim + c];
                        }
                        m.data[r * dim + r] = fixed[r] ? 1.0 : aa[r * dim + r] + lambda * d[r];
                        rhs.data[r] = fixed[r] ? 0.0 : -gg[r];
                    }
                    if (!chol.setA(m)) {
                        lambda *= 10;
                        if (lambda > 1e16) {
                            reason = StopReason.NO_PROGRESS;
                            break outer;
                        }
                        continue;
                    }
                    chol.solve(rhs, step);
                }
                if (paired) {
                    // The trial point is the back map of z + δz.
                    double[] z = pair.point();
                    for (int c = 0; c < dim; c++) {
                        zTrial[c] = z[c] + step.data[c];
                    }
                    pair.back(zTrial, xTrial);
                    for (int c = 0; c < dim; c++) {
                        // lm-pair-v: a held coordinate stays exactly on its bound (the back map's rounding would
                        // leave it an ulp inside, free at the next iteration and cut there).
                        step.data[c] = inMoments && fixed[c] ? 0.0 : xTrial[c] - x[c];
                    }
                }
                double stepNorm = 0;
                double xNorm = 0;
                for (int c = 0; c < dim; c++) {
                    double v = Math.min(hi[c], Math.max(lo[c], x[c] + step.data[c]));
                    xTrial[c] = v;
                    stepNorm += (v - x[c]) * (v - x[c]);
                    xNorm += x[c] * x[c];
                }
                stepNorm = Math.sqrt(stepNorm);
                xNorm = Math.sqrt(xNorm);
                boolean bent = true;
                if (geodesic != null) {
                    // Transtrum–Sethna: bend the projected velocity along the valley, or reject it.
                    bent = geodesic.accelerate(ev, y, x, xTrial, fixed, d, chol, lo, hi);
                    evaluations += 2;
                    stepNorm = bent ? geodesic.distance(x, xTrial) : stepNorm;
                }
                double ssrTrial = Double.NaN;
                if (bent) {
                    ev.setParameters(xTrial);
                    ssrTrial = ev.normalEquations(y, aTrial, gTrial);
                    evaluations++;
                }
                if (corrector && Double.isFinite(ssrTrial) && ssrTrial >= ssr) {
                    // Back towards the bent valley's floor from the overshoot, on the factorization made at x.
                    for (int r = 0; r < dim; r++) {
                        rhs.data[r] = fixed[r] ? 0.0 : -gTrial[r];
                    }
                    chol.solve(rhs, step);
                    double corrected = 0;
                    for (int c = 0; c < dim; c++) {
                        double v = Math.min(hi[c], Math.max(lo[c], xTrial[c] + step.data[c]));
                        xTrial[c] = v;
                        corrected += (v - x[c]) * (v - x[c]);
                    }
                    ev.setParameters(xTrial);
                    ssrTrial = ev.normalEquations(y, aTrial, gTrial);
                    evaluations++;
                    if (ssrTrial < ssr) {
                        stepNorm = Math.sqrt(corrected);
                    }
                }
                if (Double.isFinite(ssrTrial) && ssrTrial < ssr) {
                    // Gain ratio of actual to predicted reduction drives the damping (Nielsen 1999).
                    double predicted = paired ? predictedReduction(aPair, gPair, pair.point(), zTrial, dim)
                            : predictedReduction(a, g, x, xTrial, dim);
                    double rho = predicted > 0 ? (ssr - ssrTrial) / predicted : 0;
                    double t3 = 2 * rho - 1;
                    lambda = Math.max(ts ? lambda / 3 : lambda * Math.max(1.0 / 3, 1 - t3 * t3 * t3), 1e-12);
                    nu = 2;
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
                    stop = rule.test(new Iterate(iter, ssr, previous, earlier, predicted, rho, stepNorm, xNorm,
                            projectedGradient(x, g, a, lo, hi, ssr, dim), lambda, rejected));
                    boolean refusedNow = method.refuses(stop, x, a, g, ssr, lo, hi);
                    if (refusedNow) {
                        stop = Optional.empty();   // lm-pair-c: the model still promises more
                    }
                    refused = method.refusalInForce(refusedNow, refused, previous, ssr, options.objectiveTolerance);
                    if (stop.isPresent()) {
                        reason = stop.get();
                        break outer;
                    }
                    if (switchAt != null && switchAt.accept(ssr)) {
                        inMoments = !inMoments;   // lm-pair-s: this system crawls; the other may not
                        switchAt = new CrawlWindow(ssr);
                    }
                    if (due) {
                        double moved = move.tryMove(ev, y, x, a, g, ssr, lo, hi);
                        evaluations += move.evaluations();
                        if (!Double.isNaN(moved)) {
                            stop = rule.test(move.jump(x, a, g, iter, ssr, moved, previous, xNorm, lambda, lo, hi));
                            earlier = previous;
                            previous = ssr;
                            ssr = moved;
                            if (stop.isPresent()) {
                                reason = stop.get();
                                break outer;
                            }
                        }
                    }
                    break;
                }
                if (stepNorm <= options.stepTolerance * (xNorm + options.stepTolerance) && lambda > 1) {
                    // No descent even along tiny steps, yet no test passed: give up, not converged.
                    reason = StopReason.NO_PROGRESS;
                    break outer;
                }
                rejected++;
                lambda *= ts ? 2 : nu;
                nu *= 2;
                if (lambda > 1e16) {
                    reason = StopReason.NO_PROGRESS;
                    break outer;
                }
            }
        }
        reason = method.finalReason(reason, refused, x, a, g, ssr, lo, hi);   // lm-pair-t, lm-pair-u
        return result(x, a, g, ssr, lo, hi, n, q, iter, evaluations, reason, start);
    }

    /**
     * Marks the coordinates held this iteration: on a bound with the descent direction pointing out
     * of the box.
     *
     * @return whether any coordinate is free
     */
    static boolean holdOnBounds(double[] x, double[] g, double[] lo, double[] hi, boolean[] fixed) {
        boolean anyFree = false;
        for (int c = 0; c < x.length; c++) {
            fixed[c] = (x[c] <= lo[c] && g[c] > 0) || (x[c] >= hi[c] && g[c] < 0);
            anyFree |= !fixed[c];
        }
        return anyFree;
    }

    /** {@return the floor of the damping metric: 1e-12 of the largest diagonal entry of JᵀJ} */
    private static double diagonalFloor(double[] a, int dim) {
        double maxDiag = 0;
        for (int c = 0; c < dim; c++) {
            maxDiag = Math.max(maxDiag, a[c * dim + c]);
        }
        return Math.max(maxDiag * 1e-12, Double.MIN_NORMAL);
    }

    /** The finite-difference step h of {@link Method#GEODESIC}'s second directional derivative (0.1). */
    public static final double GEODESIC_H = 0.1;

    /**
     * The largest ratio {@code 2‖δ₂‖/‖δ₁‖} (scaled norms) of acceleration to velocity that
     * {@link Method#GEODESIC} accepts (0.75, as Transtrum and Sethna suggest).
     */
    public static final double GEODESIC_ALPHA = 0.75;

    /** Scratch and step of {@link Method#GEODESIC}'s acceleration. */
    private static final class Geodesic {
        private final double[] stepped;
        private final double[] velocity;
        private final double[] probe;
        private final double[] jtr2;
        private final DMatrixRMaj rhs;
        private final DMatrixRMaj acceleration;

        Geodesic(int residuals, int dim) {
            stepped = new double[residuals];
            velocity = new double[dim];
            probe = new double[dim];
            jtr2 = new double[dim];
            rhs = new DMatrixRMaj(dim, 1);
            acceleration = new DMatrixRMaj(dim, 1);
        }

        /**
         * Given the projected velocity {@code xTrial − x} and the damped system factored in
         * {@code chol}, computes the acceleration and writes the projected trial point
         * {@code x + δ₁ + δ₂/2} into xTrial; false (xTrial unchanged) when {@code 2‖δ₂‖_D/‖δ₁‖_D}
         * exceeds {@link #GEODESIC_ALPHA} or is not finite. Two passes; leaves the evaluator at x.
         */
        boolean accelerate(Evaluator ev, double[] y, double[] x, double[] xTrial, boolean[] fixed, double[] d,
                           LinearSolverDense<DMatrixRMaj> chol, double[] lo, double[] hi) {
            int dim = x.length;
            for (int c = 0; c < dim; c++) {
                velocity[c] = xTrial[c] - x[c];
                probe[c] = x[c] + GEODESIC_H * velocity[c];
            }
            ev.setParameters(probe);
            ev.residuals(y, stepped);
            ev.setParameters(x);
            ev.secondDirectional(y, stepped, velocity, GEODESIC_H, null, jtr2);
            for (int r = 0; r < dim; r++) {
                rhs.data[r] = fixed[r] ? 0.0 : -jtr2[r];
            }
            chol.solve(rhs, acceleration);
            double v2 = 0;
            double a2 = 0;
            for (int c = 0; c < dim; c++) {
                double d2 = d[c];
                v2 += velocity[c] * velocity[c] * d2;
                a2 += acceleration.data[c] * acceleration.data[c] * d2;
            }
            if (!(2 * Math.sqrt(a2) <= GEODESIC_ALPHA * Math.sqrt(v2))) {
                return false;
            }
            for (int c = 0; c < dim; c++) {
                xTrial[c] = Math.min(hi[c], Math.max(lo[c], x[c] + velocity[c] + 0.5 * acceleration.data[c]));
            }
            return true;
        }

        /** {@return the Euclidean length of {@code xTrial − x}} */
        double distance(double[] x, double[] xTrial) {
            double s = 0;
            for (int c = 0; c < x.length; c++) {
                s += (xTrial[c] - x[c]) * (xTrial[c] - x[c]);
            }
            return Math.sqrt(s);
        }
    }

    /**
     * {@link Method#FLAT}: damped Gauss–Newton (Levenberg–Marquardt) steps until lm's rule fires,
     * then trust-region Newton steps ({@link TrustRegion}) on the Hessian of {@code Σr²/2}: a
     * forward-difference Hessian of the gradient {@code Jᵀr} (one pass per coordinate) every
     * {@link #REFRESH} iterations, with {@code JᵀJ} from each pass plus a structured secant update
     * of the rest in between. Both phases project onto the box and hold the coordinates pushed out
     * of it; the rule (by default {@link Options#flatStopRule()}) is asked after every accepted step.
     */
    private FitResult fitFlat(FitProblem problem, MixingMeasure start) {
        double[] x = problem.startVector(start);
        Evaluator ev = problem.evaluator();
        ev.setThreads(threads);
        double[] y = problem.data().y();
        int n = problem.data().size();
        int q = problem.model().outputDimension();
        int dim = ev.dimension();
        double[] lo = problem.lower();
        double[] hi = problem.upper();

        double[] a = new double[dim * dim];
        double[] g = new double[dim];
        double[] aTrial = new double[dim * dim];
        double[] gTrial = new double[dim];
        double[] xTrial = new double[dim];
        double[] h = new double[dim * dim];
        double[] sMat = new double[dim * dim];
        double[] d = new double[dim];
        double[] stepVec = new double[dim];
        int sinceHessian = 0;
        boolean[] fixed = new boolean[dim];
        DMatrixRMaj m = new DMatrixRMaj(dim, dim);
        DMatrixRMaj rhs = new DMatrixRMaj(dim, 1);
        DMatrixRMaj step = new DMatrixRMaj(dim, 1);
        LinearSolverDense<DMatrixRMaj> chol = LinearSolverFactory_DDRM.chol(dim);
        TrustRegion tr = new TrustRegion(dim);
        StopRule lmRule = options.lmStopRule();

        ev.setParameters(x);
        double ssr = ev.normalEquations(y, a, g);
        int[] evaluations = {1};
        if (!Double.isFinite(ssr)) {
            return result(x, ssr, n, q, 0, evaluations[0], StopReason.FAILED, start);
        }
        double lambda = options.initialDamping();
        double nu = 2;
        double radius = Double.NaN;
        double previous = Double.NaN;
        double earlier = Double.NaN;
        boolean newton = false;
        StopReason reason = StopReason.MAX_ITERATIONS;
        int iter = 0;
        Optional<StopReason> stop = rule.test(Iterate.start(ssr, projectedGradient(x, g, a, lo, hi, ssr, dim)));
        if (stop.isPresent()) {
            return result(x, ssr, n, q, 0, evaluations[0], stop.get(), start);
        }
        outer:
        while (iter < options.maxIterations) {
            iter++;
            if (!holdOnBounds(x, g, lo, hi, fixed)) {
                reason = StopReason.GRADIENT;
                break;
            }
            double floor = diagonalFloor(a, dim);
            for (int c = 0; c < dim; c++) {
                d[c] = Math.sqrt(Math.max(a[c * dim + c], floor));
            }
            if (newton) {
                tr.decompose(h, g, d, fixed);
                // Newton's model, positive definite on the free coordinates, promises at most the
                // objective tolerance more: done (the coordinates held on a bound do not count). A
                // secant Hessian must be confirmed by a fresh finite-difference one first.
                if (tr.newtonDecrement() <= options.objectiveTolerance * ssr && sinceHessian > 0) {
                    hessian(ev, y, x, g, a, lo, hi, h, sMat, aTrial, gTrial, xTrial, evaluations);
                    sinceHessian = 0;
                    tr.decompose(h, g, d, fixed);
                }
                if (tr.newtonDecrement() <= options.objectiveTolerance * ssr) {
                    reason = StopReason.OBJECTIVE_CHANGE;
                    iter--;
                    break;
                }
            }
            int rejected = 0;
            while (true) {
                double damping;
                if (newton) {
                    damping = tr.step(radius, stepVec);
                } else {
                    for (int r = 0; r < dim; r++) {
                        for (int c = 0; c < dim; c++) {
                            m.data[r * dim + c] = fixed[r] || fixed[c] ? 0.0 : a[r * dim + c];
                        }
                        // The same operations as lm's step, so that this phase follows lm bit for bit.
                        m.data[r * dim + r] = fixed[r] ? 1.0 : a[r * dim + r] + lambda * Math.max(a[r * dim + r], floor);
                        rhs.data[r] = fixed[r] ? 0.0 : -g[r];
                    }
                    if (!chol.setA(m)) {
                        lambda *= 10;
                        if (lambda > 1e16) {
                            reason = StopReason.NO_PROGRESS;
                            break outer;
                        }
                        continue;
                    }
                    chol.solve(rhs, step);
                    System.arraycopy(step.data, 0, stepVec, 0, dim);
                    damping = lambda;
                }
                double stepNorm = 0;
                double scaledNorm = 0;
                double xNorm = 0;
                for (int c = 0; c < dim; c++) {
                    double v = Math.min(hi[c], Math.max(lo[c], x[c] + stepVec[c]));
                    xTrial[c] = v;
                    stepNorm += (v - x[c]) * (v - x[c]);
                    scaledNorm += (v - x[c]) * (v - x[c]) * d[c] * d[c];
                    xNorm += x[c] * x[c];
                }
                stepNorm = Math.sqrt(stepNorm);
                scaledNorm = Math.sqrt(scaledNorm);
                xNorm = Math.sqrt(xNorm);
                ev.setParameters(xTrial);
                double ssrTrial = ev.normalEquations(y, aTrial, gTrial);
                evaluations[0]++;
                double predicted = predictedReduction(newton ? h : a, g, x, xTrial, dim);
                double rho = predicted > 0 ? (ssr - ssrTrial) / predicted : 0;
                if (Double.isFinite(ssrTrial) && ssrTrial < ssr) {
                    if (newton) {
                        if (rho < 0.25) {
                            radius = 0.5 * scaledNorm;
                        } else if (rho > 0.75) {
                            radius = Math.max(radius, 2 * scaledNorm);
                        }
                        secant(sMat, aTrial, g, gTrial, x, xTrial, dim);
                    } else {
                        double t3 = 2 * rho - 1;
                        lambda = Math.max(lambda * Math.max(1.0 / 3, 1 - t3 * t3 * t3), 1e-12);
                        nu = 2;
                    }
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
                    double pg = projectedGradient(x, g, a, lo, hi, ssr, dim);
                    stop = rule.test(new Iterate(iter, ssr, previous, earlier, predicted, rho, stepNorm, xNorm,
                            pg, damping, rejected));
                    if (stop.isPresent()) {
                        reason = stop.get();
                        break outer;
                    }
                    boolean fresh = false;
                    if (!newton && lmRule.test(new Iterate(iter, ssr, previous, earlier, predicted, rho, stepNorm,
                            xNorm, pg, damping, rejected)).isPresent()) {
                        // Where lm would stop: check, and go on if need be, with Newton's model.
                        newton = true;
                        fresh = true;
                        radius = Math.max(scaledNorm, 1e-8);
                    }
                    if (newton) {
                        if (fresh || ++sinceHessian >= REFRESH || rejected >= 3) {
                            hessian(ev, y, x, g, a, lo, hi, h, sMat, aTrial, gTrial, xTrial, evaluations);
                            sinceHessian = 0;
                        } else {
                            for (int k = 0; k < dim * dim; k++) {
                                h[k] = a[k] + sMat[k];
                            }
                        }
                    }
                    break;
                }
                boolean tiny = stepNorm <= options.stepTolerance * (xNorm + options.stepTolerance);
                if (tiny && (newton || lambda > 1)) {
                    if (!newton) {
                        // The Gauss–Newton model finds no descent: try the Newton model before giving up.
                        newton = true;
                        radius = Math.max(scaledNorm, 1e-8);
                        hessian(ev, y, x, g, a, lo, hi, h, sMat, aTrial, gTrial, xTrial, evaluations);
                        sinceHessian = 0;
                        continue outer;
                    }
                    reason = StopReason.NO_PROGRESS;
                    break outer;
                }
                rejected++;
                if (newton) {
                    radius = 0.5 * Math.min(radius, scaledNorm);
                    if (rejected == 3 && sinceHessian > 0) {
                        // The secant Hessian may be what is wrong: a fresh one before shrinking further.
                        hessian(ev, y, x, g, a, lo, hi, h, sMat, aTrial, gTrial, xTrial, evaluations);
                        sinceHessian = 0;
                        tr.decompose(h, g, d, fixed);
                    }
                } else {
                    lambda *= nu;
                    nu *= 2;
                    if (lambda > 1e16) {
                        reason = StopReason.NO_PROGRESS;
                        break outer;
                    }
                }
            }
        }
        return result(x, ssr, n, q, iter, evaluations[0], reason, start);
    }

    /**
     * The Hessian of {@code Σr²/2} at x by forward differences of its gradient {@code Jᵀr}, one
     * pass per coordinate (steps {@code 1e-6 max(1, |x_c|)} into the box), symmetrized, into
     * {@code h}. Scratch: {@code aScratch}, {@code gScratch}, {@code xScratch}; counts the passes.
     */
    private static void hessian(Evaluator ev, double[] y, double[] x, double[] g, double[] a, double[] lo,
                                double[] hi, double[] h, double[] sMat, double[] aScratch, double[] gScratch, double[] xScratch,
                                int[] evaluations) {
        int dim = x.length;
        for (int c = 0; c < dim; c++) {
            System.arraycopy(x, 0, xScratch, 0, dim);
            double step = 1e-6 * Math.max(1, Math.abs(x[c]));
            if (x[c] + step > hi[c]) {
                step = -step;
            }
            xScratch[c] = x[c] + step;
            double actual = xScratch[c] - x[c];
            ev.setParameters(xScratch);
            ev.normalEquations(y, aScratch, gScratch);
            evaluations[0]++;
            for (int r = 0; r < dim; r++) {
                h[r * dim + c] = (gScratch[r] - g[r]) / actual;
            }
        }
        for (int r = 0; r < dim; r++) {
            for (int c = r + 1; c < dim; c++) {
                double v = 0.5 * (h[r * dim + c] + h[c * dim + r]);
                h[r * dim + c] = v;
                h[c * dim + r] = v;
            }
        }
        for (int k = 0; k < dim * dim; k++) {
            sMat[k] = h[k] - a[k];
        }
        ev.setParameters(x);
    }

    /**
     * Iterations of {@link Method#FLAT}'s Newton phase between finite-difference Hessians (40: the
     * fewest passes of 10, 40 and never on the shared-nonlinear crawl of docs/solver-flat-sets.md,
     * measured with an earlier switch rule: 297 against 752 and 644).
     */
    public static final int REFRESH = 40;

    /**
     * The Dennis–Gay–Welsch structured secant update (NL2SOL) of {@code S ≈ Σ r_i ∇²r_i} after the
     * step {@code s = xNew − x}: {@code y# = (gNew − g) − aNew s} (the gradient change the new
     * {@code JᵀJ} does not explain), then the symmetric rank-two update that makes {@code S s = y#}
     * with the least change weighted by {@code y = gNew − g}; skipped when {@code yᵀs} is not
     * positive.
     */
    private static void secant(double[] sMat, double[] aNew, double[] g, double[] gNew, double[] x,
                               double[] xNew, int dim) {
        double[] s = new double[dim];
        double[] yv = new double[dim];
        double ys = 0;
        for (int r = 0; r < dim; r++) {
            s[r] = xNew[r] - x[r];
        }
        for (int r = 0; r < dim; r++) {
            yv[r] = gNew[r] - g[r];
            ys += yv[r] * s[r];
        }
        if (!(ys > 0)) {
            return;
        }
        double[] w = new double[dim];
        double ws = 0;
        for (int r = 0; r < dim; r++) {
            double as = 0;
            double ss = 0;
            for (int c = 0; c < dim; c++) {
                as += aNew[r * dim + c] * s[c];
                ss += sMat[r * dim + c] * s[c];
            }
            w[r] = yv[r] - as - ss;
            ws += w[r] * s[r];
        }
        for (int r = 0; r < dim; r++) {
            for (int c = 0; c < dim; c++) {
                sMat[r * dim + c] += (w[r] * yv[c] + yv[r] * w[c]) / ys - ws * yv[r] * yv[c] / (ys * ys);
            }
        }
    }

    /**
     * {@link Method#TRF_PAIR_F}'s second phase: {@code trf} at {@link Options#FINISH_TOLERANCE} from the first
     * phase's end, when that end is converged by the objective or step test or is {@code no-progress}
     * ({@link Method#TRF_PAIR_G}: and promises more than {@link Options#FINISH_TRIGGER}; twice the iterations).
     *
     * @return the lower of the two ends, with both phases' iterations and passes; the finish's stop reason unless it
     *     is {@code no-progress} (it could not descend: the first phase's reason stands) or {@code failed}
     */
    private FitResult finish(FitProblem problem, FitResult first) {
        StopReason before = first.stopReason();
        if (before != StopReason.OBJECTIVE_CHANGE && before != StopReason.STEP_SIZE
                && before != StopReason.NO_PROGRESS) {
            return first;
        }
        boolean always = options.method() == Method.TRF_PAIR_F;   // trf-pair-g asks the certificate first
        if (!always && decrement(problem, first) <= Options.FINISH_TRIGGER) {
            return first;   // trf-pair-g: nothing promised, nothing to finish
        }
        int budget = always ? options.maxIterations() : (int) Math.min(Integer.MAX_VALUE, 2L * options.maxIterations());
        Options tight = options.withMethod(Method.TRF).withObjectiveTolerance(Options.FINISH_TOLERANCE)
                .withStepTolerance(Options.FINISH_TOLERANCE).withMaxIterations(budget);
        FitResult last = options.method() == Method.TRF_PAIR_M ? new ProfileWalk(problem, tight, budget).finish(first)
                : ReflectiveTrustRegion.fit(problem, first.estimate(), tight, tight.lmStopRule(), threads);
        int iterations = first.iterations() + last.iterations();
        int evaluations = first.evaluations() + last.evaluations();
        StopReason reason = last.stopReason() == StopReason.NO_PROGRESS || last.stopReason() == StopReason.FAILED
                ? before : last.stopReason();
        FitResult end = last.stopReason() != StopReason.FAILED && last.objective() < first.objective() ? last : first;
        return new FitResult(end.estimate(), end.objective(), end.noiseVariance(), iterations, evaluations, reason,
                end.gaussNewtonDecrement());
    }

    /**
     * {@link Method#TRF_PAIR_M}'s finish: plain {@code trf} for {@link Options#WALK_ITERATIONS}; if it is still
     * walking, the profile {@code p(t) = min F(x) subject to x_c = t} over the coordinate c that moved most, relative to
     * its box width, is minimized (steps h, 2h, 4h, ... in the walk's direction, h its move in c, until p rises or the
     * bound is near; then golden-section steps until the bracket is 1e-6 of the box width or 30 values are taken),
     * each value a {@code trf} with c held for at most {@link Options#WALK_ITERATIONS} iterations (one that needs more
     * ends the search: c does not parametrize the valley), from the computed profile point nearest in t; then plain
     * {@code trf} with every coordinate free from the best point. One result: the lowest point, all stages'
     * iterations and passes, the last stage's stop reason ({@code max-iterations} if the budget ran out).
     */
    private final class ProfileWalk {
        private static final double GOLDEN = 0.3819660112501051;
        private final FitProblem problem;
        private final Options tight;
        private final int budget;
        private final double[] lo;
        private final double[] hi;
        private int used;
        private int passes;
        private FitResult best;
        private boolean[] held;
        private int walking;
        private boolean abandoned;
        private final java.util.List<double[]> points = new java.util.ArrayList<>();   // profile points, packed

        ProfileWalk(FitProblem problem, Options tight, int budget) {
            this.problem = problem;
            this.tight = tight;
            this.budget = budget;
            this.lo = problem.lower();
            this.hi = problem.upper();
        }

        FitResult finish(FitResult first) {
            FitResult walk = ReflectiveTrustRegion.fit(problem, first.estimate(),
                    tight.withMaxIterations(Math.min(budget, Options.WALK_ITERATIONS)), tight.lmStopRule(), threads);
            if (walk.stopReason() != StopReason.MAX_ITERATIONS || walk.iterations() >= budget) {
                return walk;   // trf stopped by its own tests: trf-pair-g's finish, bit for bit
            }
            used = walk.iterations();
            passes = walk.evaluations();
            best = walk;
            double[] x0 = problem.startVector(first.estimate());
            double[] x1 = problem.startVector(walk.estimate());
            walking = 0;
            for (int c = 1; c < x0.length; c++) {
                if (Math.abs(x1[c] - x0[c]) / (hi[c] - lo[c]) > Math.abs(x1[walking] - x0[walking])
                        / (hi[walking] - lo[walking])) {
                    walking = c;
                }
            }
            held = new boolean[x0.length];
            held[walking] = true;
            double width = hi[walking] - lo[walking];
            double step = x1[walking] - x0[walking];
            double tMin = lo[walking] + 1e-9 * width;
            double tMax = hi[walking] - 1e-9 * width;
            if (step != 0 && Double.isFinite(width)) {
                // Bracket: (a, b, c) with p(b) below p(a) and p(c), along the walk's direction.
                points.add(x1);
                double a = x1[walking];
                double pa = profile(a);
                double b = Double.NaN;
                double pb = Double.NaN;
                double c = Double.NaN;
                for (double h = step; used < budget && !abandoned; h *= 2) {
                    double t = Math.min(tMax, Math.max(tMin, (Double.isNaN(b) ? a : b) + h));
                    double pt = profile(t);
                    if (Double.isNaN(b)) {
                        if (!(pt < pa)) {
                            c = t;
                            break;   // no descent along the walk: nothing to bracket
                        }
                        b = t;
                        pb = pt;
                    } else if (pt < pb) {
                        a = b;
                        pa = pb;
                        b = t;
                        pb = pt;
                    } else {
                        c = t;
                        break;
                    }
                    if (t == tMin || t == tMax) {
                        break;   // the walk reached the box: its lowest profile point is there
                    }
                }
                // Golden-section steps in the bracket.
                for (int k = 0; !Double.isNaN(b) && !Double.isNaN(c) && Math.abs(c - a) > 1e-6 * width
                        && k < 30 && used < budget && !abandoned; k++) {
                    boolean right = Math.abs(c - b) > Math.abs(b - a);
                    double t = right ? b + GOLDEN * (c - b) : b - GOLDEN * (b - a);
                    double pt = profile(t);
                    if (pt < pb) {
                        if (right) {
                            a = b;
                        } else {
                            c = b;
                        }
                        b = t;
                        pb = pt;
                    } else if (right) {
                        c = t;
                    } else {
                        a = t;
                    }
                }
            }
            if (used >= budget) {
                return total(best, StopReason.MAX_ITERATIONS);
            }
            FitResult released = ReflectiveTrustRegion.fit(problem, best.estimate(),
                    tight.withMaxIterations(budget - used), tight.lmStopRule(), threads);
            used += released.iterations();
            passes += released.evaluations();
            return total(released.stopReason() != StopReason.FAILED && released.objective() <= best.objective()
                    ? released : best, released.stopReason());
        }

        /**
         * {@return p(t)}: trf with the walking coordinate held at t, from the computed profile point nearest in t; a
         * value that reaches its cap abandons the search (+∞)
         */
        private double profile(double t) {
            double[] nearest = points.get(0);
            for (double[] x : points) {
                if (Math.abs(x[walking] - t) < Math.abs(nearest[walking] - t)) {
                    nearest = x;
                }
            }
            double[] x = nearest.clone();
            x[walking] = t;
            MixingMeasure start = MixingMeasure.unpack(x, best.estimate().atomDimension(), best.estimate().hasBias());
            FitResult r = ReflectiveTrustRegion.fit(problem, start,
                    tight.withMaxIterations(Math.min(budget - used, Options.WALK_ITERATIONS)), tight.lmStopRule(),
                    threads, held);
            used += r.iterations();
            passes += r.evaluations();
            if (r.stopReason() == StopReason.FAILED || r.stopReason() == StopReason.MAX_ITERATIONS) {
                abandoned = true;
                return Double.POSITIVE_INFINITY;
            }
            double[] end = problem.startVector(r.estimate());
            end[walking] = t;
            points.add(end);
            if (r.objective() < best.objective()) {
                best = r;
            }
            return r.objective();
        }

        private FitResult total(FitResult end, StopReason reason) {
            return new FitResult(end.estimate(), end.objective(), end.noiseVariance(), used, passes, reason,
                    end.gaussNewtonDecrement());
        }
    }

    /** {@return the fit's Gauss–Newton decrement: its own when it has one, else from a pass at its estimate} */
    private static double decrement(FitProblem problem, FitResult fit) {
        return Double.isNaN(fit.gaussNewtonDecrement()) ? GaussNewtonCertificate.of(problem, fit.estimate()).decrement()
                : fit.gaussNewtonDecrement();
    }

    static FitResult result(double[] x, double ssr, int n, int q, int iter, int evaluations,
                                    StopReason reason, MixingMeasure start) {
        MixingMeasure g = MixingMeasure.unpack(x, start.atomDimension(), start.hasBias());
        return new FitResult(g, ssr / n, ssr / ((double) n * q), iter, evaluations,
                Double.isFinite(ssr) ? reason : StopReason.FAILED);
    }

    /**
     * {@link #result(double[], double, int, int, int, int, StopReason, MixingMeasure)} with the Gauss–Newton promise
     * at x from its pass ({@code a = JᵀJ}, {@code g = Jᵀr} there; {@link GaussNewtonCertificate#pathPromise}): the
     * decrement {@link GaussNewtonCertificate#of} would compute with a pass of its own, at no pass.
     */
    static FitResult result(double[] x, double[] a, double[] g, double ssr, double[] lo, double[] hi, int n, int q,
                            int iter, int evaluations, StopReason reason, MixingMeasure start) {
        FitResult r = result(x, ssr, n, q, iter, evaluations, reason, start);
        if (!Double.isFinite(ssr)) {
            return r;
        }
        return new FitResult(r.estimate(), r.objective(), r.noiseVariance(), iter, evaluations, r.stopReason(),
                GaussNewtonCertificate.pathPromise(x, a, g, ssr, lo, hi));
    }

    /**
     * The scaled projected gradient of Σr²/2 at x: {@code max_c |g_c| / (sqrt(A_cc) ||r||)} over the
     * coordinates not held at a bound with the gradient pointing out of the box (MINPACK's gtol
     * measure, invariant to the scale of each parameter and of the data). Not modified: all arrays.
     */
    static double projectedGradient(double[] x, double[] g, double[] a, double[] lo, double[] hi, double ssr,
                                    int dim) {
        double rNorm = Math.sqrt(ssr);
        double worst = 0;
        for (int c = 0; c < dim; c++) {
            if ((x[c] <= lo[c] && g[c] > 0) || (x[c] >= hi[c] && g[c] < 0) || g[c] == 0) {
                continue;
            }
            double scale = Math.sqrt(a[c * dim + c]) * rNorm;
            worst = Math.max(worst, scale > 0 ? Math.abs(g[c]) / scale : Double.POSITIVE_INFINITY);
        }
        return worst;
    }

    /** Reduction of Σr² predicted by the Gauss–Newton model for the step from x to xNew: −(2gᵀs + sᵀAs). */
    static double predictedReduction(double[] a, double[] g, double[] x, double[] xNew, int dim) {
        double lin = 0;
        double quad = 0;
        for (int r = 0; r < dim; r++) {
            double sr = xNew[r] - x[r];
            lin += g[r] * sr;
            double row = 0;
            for (int c = 0; c < dim; c++) {
                row += a[r * dim + c] * (xNew[c] - x[c]);
            }
            quad += sr * row;
        }
        return -(2 * lin + quad);
    }

}
