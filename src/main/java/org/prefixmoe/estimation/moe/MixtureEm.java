package org.prefixmoe.estimation.moe;

import java.util.Objects;
import org.prefixmoe.estimation.StopReason;
import org.prefixmoe.model.moe.Components;
import org.prefixmoe.model.moe.Gate;
import org.prefixmoe.model.moe.MixtureOfExperts;
import org.prefixmoe.model.moe.Observation;
import org.prefixmoe.model.moe.SharedRoutedMixture;

/**
 * Maximum likelihood for the Gaussian-mixture observation of any {@link MixtureOfExperts} by EM, in
 * the shape of flexmix: the loop knows neither the gate nor the expert. E-step: responsibilities
 * {@code τ_ik ∝ π_k(x_i) N(y_i; h_k(x_i), ν_k I)}. M-step: the gate's own
 * {@link Gate#maximize} (IRLS for a softmax gate, closed form for the Gaussian gate), each expert's
 * weighted least squares ({@link org.prefixmoe.model.moe.Expert#weightedFit}), and
 * {@code ν_k = Σ_i τ_ik ||y_i − h_k(x_i)||² / (q Σ_i τ_ik)}. Frozen components with a density of
 * their own ({@link org.prefixmoe.model.moe.FrozenDensity}: the pretrained {@code f_0} of the
 * contaminated model) take responsibilities {@code τ_ij ∝ π_j(x_i) f_j(y_i|x_i)} in the E-step and
 * enter the gate's M-step; nothing of them is fitted. Every step is a maximizer or an
 * ascent step, so the log-likelihood never decreases (up to rounding; decreases are counted in
 * the result, not hidden).
 *
 * <p>Stops when the log-likelihood's change passes the {@link Stop} rule (converged) or after
 * {@code maxIterations} (not converged). Immutable options with withers.
 */
public final class MixtureEm {
    /** Default relative tolerance on the log-likelihood change. */
    public static final double DEFAULT_TOLERANCE = 1e-8;
    /** Default iteration cap. */
    public static final int DEFAULT_MAX_ITERATIONS = 2000;
    /** Variance floor relative to the response variance, so a component cannot collapse onto one point. */
    static final double VARIANCE_FLOOR = 1e-10;

    /** When EM counts as converged. */
    public enum Stop {
        /** {@code |ℓ_t − ℓ_{t−1}| ≤ tol · |ℓ_{t−1}|} (meteorits' rule). */
        RELATIVE,
        /**
         * {@code ℓ_t − ℓ_{t−1} ≤ tol · (ℓ_t − ℓ_0)}: the last gain is small against all the gain since
         * the start (the rule the Gaussian-gated MoE's published code meant to apply); unlike
         * {@link #RELATIVE} it does not loosen as n, and with it |ℓ|, grows.
         */
        PROGRESS
    }

    private final double tolerance;
    private final int maxIterations;
    private final Stop stop;

    private MixtureEm(double tolerance, int maxIterations) {
        this(tolerance, maxIterations, Stop.RELATIVE);
    }

    private MixtureEm(double tolerance, int maxIterations, Stop stop) {
        if (!(tolerance >= 0) || !Double.isFinite(tolerance)) {
            throw new IllegalArgumentException("tolerance: must be a finite number >= 0, got " + tolerance);
        }
        if (maxIterations < 1) {
            throw new IllegalArgumentException("maxIterations: must be >= 1, got " + maxIterations);
        }
        this.tolerance = tolerance;
        this.maxIterations = maxIterations;
        this.stop = java.util.Objects.requireNonNull(stop, "stop");
    }

    /**
     * @param rule when EM counts as converged
     * @return a copy with that rule
     */
    public MixtureEm withStop(Stop rule) {
        return new MixtureEm(tolerance, maxIterations, rule);
    }

    /** {@return the stop rule} */
    public Stop stop() {
        return stop;
    }

    /** {@return EM with the default tolerance and cap} */
    public static MixtureEm defaults() {
        return new MixtureEm(DEFAULT_TOLERANCE, DEFAULT_MAX_ITERATIONS);
    }

    /**
     * @param tol relative tolerance on the log-likelihood change
     * @return a copy with that tolerance
     */
    public MixtureEm withTolerance(double tol) {
        return new MixtureEm(tol, maxIterations, stop);
    }

    /**
     * @param cap iteration cap ({@code 1}: exactly one EM step, as in the Gaussian-gated MoE's published code)
     * @return a copy with that cap
     */
    public MixtureEm withMaxIterations(int cap) {
        return new MixtureEm(tolerance, cap, stop);
    }

    /** {@return the relative tolerance} */
    public double tolerance() {
        return tolerance;
    }

    /** {@return the iteration cap} */
    public int maxIterations() {
        return maxIterations;
    }

    /**
     * Fits the model from a start.
     *
     * @param model the model (Gaussian-mixture observation; frozen components, if any, with their own
     *     density, whose responsibilities join the gate's M-step and which are never fitted)
     * @param x inputs, n × d row-major; not modified
     * @param y responses, n × q row-major; not modified
     * @param start the starting components; not modified
     * @return the fit; a non-finite log-likelihood ends it with {@link StopReason#FAILED}
     * @throws IllegalArgumentException naming the bad argument
     */
    public MixtureFit fit(MixtureOfExperts model, double[] x, double[] y, Components start) {
        Objects.requireNonNull(model, "model");
        if (model.observation() != Observation.GAUSSIAN_MIXTURE) {
            throw new IllegalArgumentException("estimator em: the model's observation is " + model.observation().label()
                    + "; EM fits the gaussian-mixture observation");
        }
        model.check("start", start);
        model.checkInputs("x", x);
        int d = model.inputDimension();
        int q = model.outputDimension();
        int n = x.length / d;
        Objects.requireNonNull(y, "y");
        if (y.length != n * q) {
            throw new IllegalArgumentException("y: length " + y.length + ", expected n × q = " + n * q);
        }
        for (int a = 0; a < y.length; a++) {
            if (!Double.isFinite(y[a])) {
                throw new IllegalArgumentException("y: Y[" + a / q + "][" + a % q + "] is not a finite number (" + y[a]
                        + ")");
            }
        }
        int k = model.components();
        int j = model.frozenCount();
        int t = k + j;
        double floor = VARIANCE_FLOOR * Math.max(responseVariance(y, n, q), 1e-300);
        double[] resp = new double[n * t];
        Components cur = start;
        double ll = model.componentLogDensities(cur, x, y, n, resp);
        if (!Double.isFinite(ll)) {
            return new MixtureFit(cur, ll, 0, StopReason.FAILED, 0);
        }
        int decreases = 0;
        double llStart = ll;
        double[] h = new double[q];
        double[] frozenScores = model.frozenScores(x);
        for (int it = 1; it <= maxIterations; it++) {
            Components next = maximize(model, cur, x, y, n, frozenScores, resp, floor, h);
            double llNext = model.componentLogDensities(next, x, y, n, resp);
            if (!Double.isFinite(llNext)) {
                return new MixtureFit(cur, ll, it, StopReason.FAILED, decreases);
            }
            if (llNext < ll - 1e-10 * Math.abs(ll)) {
                decreases++;
            }
            boolean converged = converged(it, ll, llNext, llStart);
            cur = next;
            ll = llNext;
            if (converged) {
                return new MixtureFit(cur, ll, it, StopReason.OBJECTIVE_CHANGE, decreases);
            }
        }
        return new MixtureFit(cur, ll, maxIterations, StopReason.MAX_ITERATIONS, decreases);
    }

    /**
     * Fits the shared + routed model from a start. The E-step takes the responsibilities of all
     * K_1 + K_2 components ({@link SharedRoutedMixture#componentLogDensities}); the M-step is each
     * block's own M-step (its gate's maximizer on the block's columns, whose rows sum to the block's
     * posterior, its experts' weighted least squares, its closed-form variances), the same code that
     * fits a single mixture. The block weights are fixed. The stop rules are those of
     * {@link #fit(MixtureOfExperts, double[], double[], Components)}.
     *
     * @param model the model
     * @param x inputs, n × d row-major; not modified
     * @param y responses, n × q row-major; not modified
     * @param start the starting parameters; not modified
     * @return the fit; a non-finite log-likelihood ends it with {@link StopReason#FAILED}
     * @throws IllegalArgumentException naming the bad argument
     */
    public SharedRoutedFit fit(SharedRoutedMixture model, double[] x, double[] y, SharedRoutedMixture.Parameters start) {
        Objects.requireNonNull(model, "model");
        model.check("start", start);
        MixtureOfExperts shared = model.shared();
        MixtureOfExperts routed = model.routed();
        shared.checkInputs("x", x);
        int d = model.inputDimension();
        int q = model.outputDimension();
        int n = x.length / d;
        checkResponses(y, n, q);
        int k1 = shared.components();
        int k2 = routed.components();
        int t = k1 + k2;
        double floor = VARIANCE_FLOOR * Math.max(responseVariance(y, n, q), 1e-300);
        double[] resp = new double[n * t];
        double[] r1 = new double[n * k1];
        double[] r2 = new double[n * k2];
        double[] none = new double[0];
        double[] h = new double[q];
        SharedRoutedMixture.Parameters cur = start;
        double ll = model.componentLogDensities(cur, x, y, n, resp);
        if (!Double.isFinite(ll)) {
            return new SharedRoutedFit(cur, ll, 0, StopReason.FAILED, 0);
        }
        int decreases = 0;
        double llStart = ll;
        for (int it = 1; it <= maxIterations; it++) {
            for (int i = 0; i < n; i++) {
                System.arraycopy(resp, i * t, r1, i * k1, k1);
                System.arraycopy(resp, i * t + k1, r2, i * k2, k2);
            }
            SharedRoutedMixture.Parameters next = new SharedRoutedMixture.Parameters(
                    maximize(shared, cur.shared(), x, y, n, none, r1, floor, h),
                    maximize(routed, cur.routed(), x, y, n, none, r2, floor, h));
            double llNext = model.componentLogDensities(next, x, y, n, resp);
            if (!Double.isFinite(llNext)) {
                return new SharedRoutedFit(cur, ll, it, StopReason.FAILED, decreases);
            }
            if (llNext < ll - 1e-10 * Math.abs(ll)) {
                decreases++;
            }
            boolean converged = converged(it, ll, llNext, llStart);
            cur = next;
            ll = llNext;
            if (converged) {
                return new SharedRoutedFit(cur, ll, it, StopReason.OBJECTIVE_CHANGE, decreases);
            }
        }
        return new SharedRoutedFit(cur, ll, maxIterations, StopReason.MAX_ITERATIONS, decreases);
    }

    private static void checkResponses(double[] y, int n, int q) {
        Objects.requireNonNull(y, "y");
        if (y.length != n * q) {
            throw new IllegalArgumentException("y: length " + y.length + ", expected n × q = " + n * q);
        }
        for (int a = 0; a < y.length; a++) {
            if (!Double.isFinite(y[a])) {
                throw new IllegalArgumentException("y: Y[" + a / q + "][" + a % q + "] is not a finite number (" + y[a]
                        + ")");
            }
        }
    }

    /**
     * One M-step of a Gaussian-mixture block: the gate's own maximizer, each expert's weighted
     * least squares and the closed-form variances, from responsibilities n × (K + J).
     */
    private static Components maximize(MixtureOfExperts model, Components cur, double[] x, double[] y, int n,
                                       double[] frozenScores, double[] resp, double floor, double[] h) {
        int d = model.inputDimension();
        int q = model.outputDimension();
        int k = model.components();
        int j = model.frozenCount();
        int t = k + j;
        double[][] gate = model.gate().maximize(cur.gate(), x, n, frozenScores, j, resp);
        double[][] eta = new double[k][];
        double[] nu = new double[k];
        for (int c = 0; c < k; c++) {
            eta[c] = model.expert().weightedFit(x, y, n, resp, t, c, cur.expert(c));
            double mass = 0;
            double ss = 0;
            for (int i = 0; i < n; i++) {
                double r0 = resp[i * t + c];
                if (r0 == 0) {
                    continue;
                }
                model.expert().mean(eta[c], x, i * d, h, 0);
                double r2 = 0;
                for (int o = 0; o < q; o++) {
                    double r = y[i * q + o] - h[o];
                    r2 += r * r;
                }
                mass += r0;
                ss += r0 * r2;
            }
            nu[c] = mass > 0 ? Math.max(ss / (q * mass), floor) : cur.variance(c);
        }
        return new Components(gate, eta, nu);
    }

    private static double responseVariance(double[] y, int n, int q) {
        double total = 0;
        for (int o = 0; o < q; o++) {
            double mean = 0;
            for (int i = 0; i < n; i++) {
                mean += y[i * q + o];
            }
            mean /= n;
            for (int i = 0; i < n; i++) {
                total += (y[i * q + o] - mean) * (y[i * q + o] - mean);
            }
        }
        return total / Math.max(1, n * q);
    }

    /** The stop rule on one step's log-likelihoods: relative change, or last gain against the gain since the start. */
    private boolean converged(int it, double ll, double llNext, double llStart) {
        return stop == Stop.RELATIVE
                ? Math.abs(llNext - ll) <= tolerance * Math.abs(ll)
                : it > 1 && llNext - ll <= tolerance * (llNext - llStart);
    }
}
