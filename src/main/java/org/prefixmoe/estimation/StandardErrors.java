package org.prefixmoe.estimation;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.factory.DecompositionFactory_DDRM;
import org.ejml.interfaces.decomposition.EigenDecomposition_F64;
import org.prefixmoe.model.Evaluator;
import org.prefixmoe.model.MixingMeasure;
import org.prefixmoe.model.Parameterization;
import org.prefixmoe.model.PrefixModel;
import org.prefixmoe.model.PretrainedExperts;

/**
 * Standard errors and 95% Wald intervals of an exact-specified fit (docs/theory.md §9).
 *
 * <ul>
 * <li>Least squares: the observed (Gauss–Newton) information {@code JᵀJ / σ̂²}, covariance
 *     {@code σ̂² (JᵀJ)⁻¹} with {@code σ̂² = Σ||Y − f||² / (nq − P)} ({@link #observed}); and the sandwich
 *     {@code (JᵀJ)⁻¹ (Σ_i J_iᵀ r_i r_iᵀ J_i) (JᵀJ)⁻¹}, which does not assume the noise homoscedastic
 *     ({@link #sandwich}).</li>
 * <li>EM reading ({@code p(y|x) = Σ_c π_c(x) N(y; μ_c(x), σ² I)}): the score of each sample is the
 *     posterior expectation of its complete-data score (Fisher's identity), and the covariance of the
 *     coordinates and σ² the inverse of the empirical information {@code Σ_i s_i s_iᵀ} ({@link #emScore});
 *     or the inverse of the observed information, the central-difference derivative of the analytic total
 *     score ({@link #emObserved}).</li>
 * </ul>
 *
 * <p>All of it assumes an exact-specified fit (L = L*) away from the box. For an over-specified
 * fit the information is singular on the set of measures that give the same regression function
 * (a redundant atom of weight 0 has no location; two atoms sharing a true one can trade weight), so
 * the intervals are invalid: use {@link ParametricBootstrap} instead. Each result carries warnings
 * when the information is nearly singular or an estimate lies on the box.
 */
public final class StandardErrors {
    /**
     * The condition number of the information above which the intervals are flagged as invalid
     * (a nearly singular information: over-specified or unidentified).
     */
    public static final double SINGULAR_CONDITION = 1e8;

    /** What every over-specified fit's inference says. */
    public static final String OVER_SPECIFIED = "Wald intervals are invalid for an over-specified fit (L > L*):"
            + " the information is singular on the flat set of measures with the same regression function;"
            + " use the parametric bootstrap (--bootstrap B) or choose L first (select)";

    private StandardErrors() {
    }

    /**
     * The coordinate names of a fit's packed vector: {@code theta_l_c} and {@code b_l}, 1-based.
     *
     * @param model the model
     * @param atoms L
     * @return P names
     */
    public static List<String> names(PrefixModel model, int atoms) {
        List<String> out = new ArrayList<>();
        for (int l = 1; l <= atoms; l++) {
            for (int c = 1; c <= model.atomDimension(); c++) {
                out.add("theta_" + l + "_" + c);
            }
            if (model.hasBias()) {
                out.add("b_" + l);
            }
        }
        return out;
    }

    /**
     * Least squares, observed information: covariance {@code σ̂² (JᵀJ)⁻¹} at the estimate.
     *
     * @param problem the fitted problem
     * @param estimate the least-squares estimate (L atoms)
     * @return the inference
     */
    public static Inference observed(FitProblem problem, MixingMeasure estimate) {
        LsPieces s = lsPieces(problem, estimate);
        int p = s.p;
        long dof = (long) problem.data().size() * problem.model().outputDimension() - p;
        double sigma2 = s.ssr / Math.max(1, dof);
        Inverse inv = inverse(s.jtj, p);
        double[] cov = inv.inverse.clone();
        for (int k = 0; k < cov.length; k++) {
            cov[k] *= sigma2;
        }
        return Inference.wald("observed", names(problem.model(), problem.atoms()), estimate.pack(), cov,
                inv.condition, warnings(problem, estimate.pack(), inv.condition));
    }

    /**
     * Least squares, sandwich form {@code (JᵀJ)⁻¹ (Σ_i J_iᵀ r_i r_iᵀ J_i) (JᵀJ)⁻¹} at the estimate.
     *
     * @param problem the fitted problem
     * @param estimate the least-squares estimate (L atoms)
     * @return the inference
     */
    public static Inference sandwich(FitProblem problem, MixingMeasure estimate) {
        LsPieces s = lsPieces(problem, estimate);
        Inverse inv = inverse(s.jtj, s.p);
        double[] cov = sandwich(inv.inverse, s.meat, s.p);
        return Inference.wald("sandwich", names(problem.model(), problem.atoms()), estimate.pack(), cov,
                inv.condition, warnings(problem, estimate.pack(), inv.condition));
    }

    /**
     * The EM reading, empirical information: the inverse of {@code Σ_i s_i s_iᵀ}, with {@code s_i} the
     * score of sample i in the packed coordinates and σ² (Fisher's identity: the posterior
     * expectation of the complete-data score).
     *
     * @param problem the fitted problem
     * @param estimate the EM estimate
     * @param sigma2 the fit's σ²
     * @return the inference, σ² last
     */
    public static Inference emScore(FitProblem problem, MixingMeasure estimate, double sigma2) {
        double[] s = emScores(problem.model(), estimate, sigma2, problem.data().x(), problem.data().y());
        int p = s.length / problem.data().size();
        double[] opg = outer(s, p);
        Inverse inv = inverse(opg, p);
        return Inference.wald("em-score", emNames(problem), emVector(estimate, sigma2), inv.inverse, inv.condition,
                warnings(problem, estimate.pack(), inv.condition));
    }

    /**
     * The EM reading, observed information: the inverse of minus the Hessian of the log-likelihood,
     * computed as the central-difference derivative of the analytic total score.
     *
     * @param problem the fitted problem
     * @param estimate the EM estimate
     * @param sigma2 the fit's σ²
     * @return the inference, σ² last
     */
    public static Inference emObserved(FitProblem problem, MixingMeasure estimate, double sigma2) {
        double[] h = emObservedInformation(problem, estimate, sigma2);
        int p = (int) Math.round(Math.sqrt(h.length));
        Inverse inv = inverse(h, p);
        return Inference.wald("em-observed", emNames(problem), emVector(estimate, sigma2), inv.inverse,
                inv.condition, warnings(problem, estimate.pack(), inv.condition));
    }

    /**
     * Minus the Hessian of the EM reading's log-likelihood in the packed coordinates and σ²,
     * by central differences of the analytic total score, symmetrized.
     *
     * @param problem the fitted problem
     * @param estimate the point
     * @param sigma2 σ² at the point
     * @return the (P + 1) × (P + 1) observed information, row-major
     */
    public static double[] emObservedInformation(FitProblem problem, MixingMeasure estimate, double sigma2) {
        PrefixModel model = problem.model();
        double[] phi = emVector(estimate, sigma2);
        int p = phi.length;
        double[] h = new double[p * p];
        for (int c = 0; c < p; c++) {
            double step = 1e-5 * Math.max(1, Math.abs(phi[c]));
            double[] plus = phi.clone();
            double[] minus = phi.clone();
            plus[c] += step;
            minus[c] -= step;
            double[] sp = totalScore(model, plus, problem);
            double[] sm = totalScore(model, minus, problem);
            for (int r = 0; r < p; r++) {
                h[r * p + c] = -(sp[r] - sm[r]) / (2 * step);
            }
        }
        for (int r = 0; r < p; r++) {
            for (int c = r + 1; c < p; c++) {
                double m = 0.5 * (h[r * p + c] + h[c * p + r]);
                h[r * p + c] = m;
                h[c * p + r] = m;
            }
        }
        return h;
    }

    /**
     * The EM reading's robust (sandwich) covariance {@code H⁻¹ (Σ_i s_i s_iᵀ) H⁻¹}, with H the observed
     * information: valid when the density is misspecified (e.g. data from the regression model).
     *
     * @param problem the fitted problem
     * @param estimate the EM estimate
     * @param sigma2 the fit's σ²
     * @return the inference, σ² last
     */
    public static Inference emSandwich(FitProblem problem, MixingMeasure estimate, double sigma2) {
        double[] s = emScores(problem.model(), estimate, sigma2, problem.data().x(), problem.data().y());
        int p = s.length / problem.data().size();
        Inverse inv = inverse(emObservedInformation(problem, estimate, sigma2), p);
        double[] cov = sandwich(inv.inverse, outer(s, p), p);
        return Inference.wald("em-sandwich", emNames(problem), emVector(estimate, sigma2), cov, inv.condition,
                warnings(problem, estimate.pack(), inv.condition));
    }

    /**
     * Every form that applies to a fit of this estimator: {@code observed} and {@code sandwich} for
     * least squares; {@code em-score}, {@code em-observed} and {@code em-sandwich} for EM.
     *
     * @param problem the fitted problem
     * @param fit the fit
     * @param estimatorName {@code least-squares} or {@code em}
     * @return the inferences
     */
    public static List<Inference> all(FitProblem problem, FitResult fit, String estimatorName) {
        Objects.requireNonNull(fit, "fit");
        if ("em".equals(estimatorName)) {
            return List.of(emScore(problem, fit.estimate(), fit.noiseVariance()),
                    emObserved(problem, fit.estimate(), fit.noiseVariance()),
                    emSandwich(problem, fit.estimate(), fit.noiseVariance()));
        }
        return List.of(observed(problem, fit.estimate()), sandwich(problem, fit.estimate()));
    }

    /**
     * The per-sample scores of the EM reading's log-likelihood {@code log Σ_c π_c(x) N(y; μ_c(x), σ² I)}
     * with respect to the packed coordinates {@code (θ_1, b_1, ...)} and σ² (last): for prompt l,
     * {@code ∂/∂θ_l = (τ_l − π_l) (B ∂key/∂θ)ᵀx + τ_l (∂value/∂θ)ᵀ(y − value_l)/σ²},
     * {@code ∂/∂b_l = τ_l − π_l}, and {@code ∂/∂σ² = Σ_c τ_c (||y − μ_c||²/(2σ⁴) − q/(2σ²))},
     * with {@code τ} the responsibilities.
     *
     * @param model the model
     * @param g the measure
     * @param sigma2 σ² &gt; 0
     * @param x inputs, n × D row-major
     * @param y responses, n × q row-major
     * @return the scores, n × (P + 1) row-major
     */
    public static double[] emScores(PrefixModel model, MixingMeasure g, double sigma2, double[] x, double[] y) {
        int d = model.inputDimension();
        int q = model.outputDimension();
        int n = x.length / d;
        int atoms = g.size();
        int pa = model.atomDimension();
        int stride = model.parametersPerAtom();
        int p = atoms * stride + 1;
        int nExp = model.pretrained().count();
        int k = nExp + atoms;
        double[] gates = model.predict(g, x).gates();
        double[] tau = model.responsibilities(g, x, y, sigma2);
        Parameterization map = model.parameterization();
        double[][] b = model.gatingProjection();
        int r = model.keyDimension();
        double[][] slope = new double[atoms][d * pa];   // B ∂key/∂θ, D × p
        double[][] value = new double[atoms][q];
        double[][] dValue = new double[atoms][q * pa];
        for (int l = 0; l < atoms; l++) {
            double[] dKey = new double[r * pa];
            map.map(g.atom(l), 0, new double[r], value[l], dKey, dValue[l]);
            for (int u = 0; u < d; u++) {
                for (int c = 0; c < pa; c++) {
                    double s = 0;
                    for (int kk = 0; kk < r; kk++) {
                        s += b[u][kk] * dKey[kk * pa + c];
                    }
                    slope[l][u * pa + c] = s;
                }
            }
        }
        PretrainedExperts pre = model.pretrained();
        double[] out = new double[n * p];
        double[] mean = new double[q];
        for (int i = 0; i < n; i++) {
            int o = i * p;
            double ds2 = 0;
            for (int c = 0; c < k; c++) {
                if (c < nExp) {
                    pre.output(c, x, i * d, mean, 0);
                } else {
                    System.arraycopy(value[c - nExp], 0, mean, 0, q);
                }
                double ss = 0;
                for (int a = 0; a < q; a++) {
                    double e = y[i * q + a] - mean[a];
                    ss += e * e;
                }
                ds2 += tau[i * k + c] * (ss / (2 * sigma2 * sigma2) - q / (2 * sigma2));
            }
            out[o + p - 1] = ds2;
            for (int l = 0; l < atoms; l++) {
                double t = tau[i * k + nExp + l];
                double dg = t - gates[i * k + nExp + l];
                int at = o + l * stride;
                for (int c = 0; c < pa; c++) {
                    double sx = 0;
                    for (int u = 0; u < d; u++) {
                        sx += slope[l][u * pa + c] * x[i * d + u];
                    }
                    double sv = 0;
                    for (int a = 0; a < q; a++) {
                        sv += dValue[l][a * pa + c] * (y[i * q + a] - value[l][a]);
                    }
                    out[at + c] = dg * sx + t * sv / sigma2;
                }
                if (model.hasBias()) {
                    out[at + pa] = dg;
                }
            }
        }
        return out;
    }

    /**
     * The log-likelihood of the EM reading, {@code Σ_i log Σ_c π_c(x_i) N(y_i; μ_c(x_i), σ² I)}.
     *
     * @param model the model
     * @param g the measure
     * @param sigma2 σ² &gt; 0
     * @param x inputs, n × D row-major
     * @param y responses, n × q row-major
     * @return the log-likelihood
     */
    public static double emLogLikelihood(PrefixModel model, MixingMeasure g, double sigma2, double[] x, double[] y) {
        int d = model.inputDimension();
        int q = model.outputDimension();
        int n = x.length / d;
        int nExp = model.pretrained().count();
        int k = nExp + g.size();
        double[] gates = model.predict(g, x).gates();
        double[][] values = new double[g.size()][];
        var comps = model.components(g);
        for (int l = 0; l < g.size(); l++) {
            values[l] = comps.expert()[l];
        }
        double[] mean = new double[q];
        double[] terms = new double[k];
        double total = 0;
        for (int i = 0; i < n; i++) {
            double max = Double.NEGATIVE_INFINITY;
            for (int c = 0; c < k; c++) {
                if (c < nExp) {
                    model.pretrained().output(c, x, i * d, mean, 0);
                } else {
                    System.arraycopy(values[c - nExp], 0, mean, 0, q);
                }
                double ss = 0;
                for (int a = 0; a < q; a++) {
                    double e = y[i * q + a] - mean[a];
                    ss += e * e;
                }
                terms[c] = Math.log(gates[i * k + c]) - 0.5 * ss / sigma2;
                max = Math.max(max, terms[c]);
            }
            double s = 0;
            for (int c = 0; c < k; c++) {
                s += Math.exp(terms[c] - max);
            }
            total += max + Math.log(s) - 0.5 * q * Math.log(2 * Math.PI * sigma2);
        }
        return total;
    }

    private static double[] totalScore(PrefixModel model, double[] phi, FitProblem problem) {
        int p = phi.length;
        MixingMeasure g = MixingMeasure.unpack(java.util.Arrays.copyOf(phi, p - 1), model.atomDimension(),
                model.hasBias());
        double[] s = emScores(model, g, phi[p - 1], problem.data().x(), problem.data().y());
        double[] t = new double[p];
        int n = s.length / p;
        for (int i = 0; i < n; i++) {
            for (int c = 0; c < p; c++) {
                t[c] += s[i * p + c];
            }
        }
        return t;
    }

    private static List<String> emNames(FitProblem problem) {
        List<String> names = new ArrayList<>(names(problem.model(), problem.atoms()));
        names.add("sigma2");
        return names;
    }

    private static double[] emVector(MixingMeasure g, double sigma2) {
        double[] packed = g.pack();
        double[] out = java.util.Arrays.copyOf(packed, packed.length + 1);
        out[packed.length] = sigma2;
        return out;
    }

    /** Gauss–Newton pieces: JᵀJ, Σ_i (J_iᵀ r_i)(J_iᵀ r_i)ᵀ and the residual sum of squares. */
    private record LsPieces(int p, double[] jtj, double[] meat, double ssr) {
    }

    private static LsPieces lsPieces(FitProblem problem, MixingMeasure estimate) {
        Objects.requireNonNull(estimate, "estimate");
        Evaluator ev = problem.evaluator();
        ev.setMeasure(estimate);
        int p = ev.dimension();
        int q = problem.model().outputDimension();
        int n = problem.data().size();
        double[] y = problem.data().y();
        double[] f = new double[q];
        double[] jac = new double[q * p];
        double[] g = new double[p];
        double[] jtj = new double[p * p];
        double[] meat = new double[p * p];
        double ssr = 0;
        for (int i = 0; i < n; i++) {
            ev.valueAndJacobian(i, f, jac);
            java.util.Arrays.fill(g, 0);
            for (int a = 0; a < q; a++) {
                double res = f[a] - y[i * q + a];
                ssr += res * res;
                for (int c = 0; c < p; c++) {
                    g[c] += jac[a * p + c] * res;
                }
                for (int c1 = 0; c1 < p; c1++) {
                    double j1 = jac[a * p + c1];
                    for (int c2 = 0; c2 < p; c2++) {
                        jtj[c1 * p + c2] += j1 * jac[a * p + c2];
                    }
                }
            }
            for (int c1 = 0; c1 < p; c1++) {
                for (int c2 = 0; c2 < p; c2++) {
                    meat[c1 * p + c2] += g[c1] * g[c2];
                }
            }
        }
        return new LsPieces(p, jtj, meat, ssr);
    }

    private static double[] outer(double[] s, int p) {
        int n = s.length / p;
        double[] m = new double[p * p];
        for (int i = 0; i < n; i++) {
            for (int c1 = 0; c1 < p; c1++) {
                double a = s[i * p + c1];
                for (int c2 = 0; c2 < p; c2++) {
                    m[c1 * p + c2] += a * s[i * p + c2];
                }
            }
        }
        return m;
    }

    private static double[] sandwich(double[] bread, double[] meat, int p) {
        DMatrixRMaj a = DMatrixRMaj.wrap(p, p, bread);
        DMatrixRMaj m = DMatrixRMaj.wrap(p, p, meat);
        DMatrixRMaj t = new DMatrixRMaj(p, p);
        DMatrixRMaj out = new DMatrixRMaj(p, p);
        org.ejml.dense.row.CommonOps_DDRM.mult(a, m, t);
        org.ejml.dense.row.CommonOps_DDRM.mult(t, a, out);
        return out.data;
    }

    /** The inverse of a symmetric matrix and its condition number (infinite when not positive definite). */
    private record Inverse(double[] inverse, double condition) {
    }

    private static Inverse inverse(double[] sym, int p) {
        EigenDecomposition_F64<DMatrixRMaj> eig = DecompositionFactory_DDRM.eig(p, true, true);
        if (!eig.decompose(new DMatrixRMaj(p, p, true, sym))) {
            double[] nan = new double[p * p];
            java.util.Arrays.fill(nan, Double.NaN);
            return new Inverse(nan, Double.POSITIVE_INFINITY);
        }
        double min = Double.POSITIVE_INFINITY;
        double max = 0;
        for (int k = 0; k < p; k++) {
            double v = eig.getEigenvalue(k).getReal();
            min = Math.min(min, v);
            max = Math.max(max, v);
        }
        double[] inv = new double[p * p];
        if (!(min > 0)) {
            java.util.Arrays.fill(inv, Double.NaN);
            return new Inverse(inv, Double.POSITIVE_INFINITY);
        }
        for (int k = 0; k < p; k++) {
            double v = eig.getEigenvalue(k).getReal();
            DMatrixRMaj vec = eig.getEigenVector(k);
            double norm2 = 0;
            for (int c = 0; c < p; c++) {
                norm2 += vec.get(c) * vec.get(c);
            }
            for (int r = 0; r < p; r++) {
                for (int c = 0; c < p; c++) {
                    inv[r * p + c] += vec.get(r) * vec.get(c) / (v * norm2);
                }
            }
        }
        return new Inverse(inv, max / min);
    }

    private static List<String> warnings(FitProblem problem, double[] packed, double condition) {
        List<String> w = new ArrayList<>();
        if (!(condition <= SINGULAR_CONDITION)) {
            w.add(String.format(java.util.Locale.ROOT, "the information is nearly singular (condition number %.3g"
                    + " > %.0e): the fit is over-specified or not identified and these intervals are invalid;"
                    + " use the parametric bootstrap (--bootstrap B) or choose L first (select)", condition,
                    SINGULAR_CONDITION));
        }
        double[] lo = problem.lower();
        double[] hi = problem.upper();
        List<String> names = names(problem.model(), problem.atoms());
        List<String> on = new ArrayList<>();
        for (int c = 0; c < lo.length; c++) {
            double tol = 1e-6 * Math.max(1, hi[c] - lo[c]);
            if (packed[c] <= lo[c] + tol || packed[c] >= hi[c] - tol) {
                on.add(names.get(c));
            }
        }
        if (!on.isEmpty()) {
            w.add("estimates on the box's bound (" + String.join(", ", on) + "): Wald intervals assume an interior"
                    + " optimum and are invalid for these");
        }
        return w;
    }
}
