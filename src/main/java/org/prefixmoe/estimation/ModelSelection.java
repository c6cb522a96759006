package org.prefixmoe.estimation;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.prefixmoe.model.Box;
import org.prefixmoe.model.MixingMeasure;
import org.prefixmoe.model.PrefixModel;
import org.prefixmoe.model.PretrainedPart;
import org.prefixmoe.sampling.Dataset;
import org.prefixmoe.sampling.RandomStreams;

/**
 * Choosing the number L of prompts (docs/theory.md §9): fit every L of a range with random restarts,
 * score each fit by BIC and ICL, and reduce the largest (over-specified) fit by
 * {@link MergeTruncateMerge}.
 *
 * <ul>
 * <li>Log-likelihood: for the EM reading, the fit's own ({@code −n · objective}); for least squares,
 *     the Gaussian regression likelihood at σ̂² = {@code Σ||Y − f||²/(nq)}:
 *     {@code −(nq/2)(log(2πσ̂²) + 1)}.</li>
 * <li>Parameters: {@code k = L · (atom dimension + 1 if biases) + 1} (σ²).</li>
 * <li>{@code BIC = −2ℓ + k log n}; {@code ICL = BIC + 2 EN}, EN the entropy
 *     {@code −Σ_i Σ_c τ_ic log τ_ic} of the EM-reading responsibilities over the N + L experts at the
 *     fit's σ̂². Each picks the L of smallest value.</li>
 * </ul>
 */
public final class ModelSelection {
    private ModelSelection() {
    }

    /**
     * One fitted L.
     *
     * @param atoms L
     * @param fit the best of the restarts (null when every restart failed)
     * @param logLikelihood ℓ (NaN without a fit)
     * @param residualVariance the fit's σ̂²
     * @param parameters k
     * @param bic BIC
     * @param entropy EN
     * @param icl ICL
     */
    public record Candidate(int atoms, FitResult fit, double logLikelihood, double residualVariance, int parameters,
                            double bic, double entropy, double icl) {
    }

    /**
     * The outcome.
     *
     * @param candidates one per L, in increasing L
     * @param byBic the L of smallest BIC
     * @param byIcl the L of smallest ICL
     * @param merged the largest L's fit after merge–truncate–merge
     * @param byMerge its number of atoms
     * @param mergedFrom the L it was reduced from
     */
    public record Result(List<Candidate> candidates, int byBic, int byIcl, MixingMeasure merged, int byMerge,
                         int mergedFrom) {
        /**
         * Checks and copies.
         *
         * @param candidates candidates
         * @param byBic L by BIC
         * @param byIcl L by ICL
         * @param merged the reduced measure
         * @param byMerge its atoms
         * @param mergedFrom the L reduced
         */
        public Result {
            candidates = List.copyOf(candidates);
        }

        /** {@return the candidates as CSV lines with a header, without line breaks} */
        public List<String> csvLines() {
            List<String> out = new ArrayList<>();
            out.add("L,log_likelihood,residual_variance,parameters,bic,entropy,icl,converged,stopped");
            for (Candidate c : candidates) {
                out.add(String.format(java.util.Locale.ROOT, "%d,%.10g,%.10g,%d,%.10g,%.10g,%.10g,%b,%s", c.atoms(),
                        c.logLikelihood(), c.residualVariance(), c.parameters(), c.bic(), c.entropy(), c.icl(),
                        c.fit() != null && c.fit().converged(), c.fit() == null ? "failed" : c.fit().stopReason().label()));
            }
            return out;
        }
    }

    /**
     * Fits L = minL..maxL with random restarts and scores them.
     *
     * @param model the model
     * @param box the box
     * @param data the data
     * @param minL the smallest L, at least 1
     * @param maxL the largest L, at least minL
     * @param estimator the estimator ({@code em} selects the EM reading's likelihood)
     * @param restarts random starts per L
     * @param seed the starts of L are drawn from {@code RandomStreams.stream(seed, L)}
     * @param mtm the merge–truncate–merge thresholds
     * @return the result
     */
    public static Result select(PrefixModel model, Box box, Dataset data, int minL, int maxL, Estimator estimator,
                                int restarts, long seed, MergeTruncateMerge mtm) {
        Objects.requireNonNull(estimator, "estimator");
        Objects.requireNonNull(mtm, "mtm");
        if (minL < 1 || maxL < minL) {
            throw new IllegalArgumentException("L: need 1 <= min <= max, got " + minL + ".." + maxL);
        }
        List<Candidate> cands = new ArrayList<>();
        PretrainedPart part = null;   // the pretrained experts at the data, evaluated once for every L
        for (int l = minL; l <= maxL; l++) {
            FitProblem problem = new FitProblem(model, data, l, box, part);
            part = problem.pretrained();
            FitResult fit;
            try {
                fit = Fitting.fitWithRestarts(estimator, problem, new RandomInitializer(), restarts,
                        RandomStreams.stream(seed, l));
            } catch (ArithmeticException | IllegalStateException e) {
                fit = null;
            }
            cands.add(score(problem, fit, estimator.name()));
        }
        return result(cands, data.size(), mtm);
    }

    /**
     * Scores one fit.
     *
     * @param problem its problem
     * @param fit the fit, or null when it failed
     * @param estimatorName {@code em} or another
     * @return the candidate
     */
    public static Candidate score(FitProblem problem, FitResult fit, String estimatorName) {
        int l = problem.atoms();
        int k = l * problem.model().parametersPerAtom() + 1;
        if (fit == null || fit.stopReason() == StopReason.FAILED || !Double.isFinite(fit.objective())) {
            return new Candidate(l, fit, Double.NaN, Double.NaN, k, Double.NaN, Double.NaN, Double.NaN);
        }
        Dataset d = problem.data();
        int n = d.size();
        int q = problem.model().outputDimension();
        double ll;
        if ("em".equals(estimatorName)) {
            ll = -n * fit.objective();
        } else {
            double s2 = fit.objective() / q;
            ll = -0.5 * n * q * (Math.log(2 * Math.PI * s2) + 1);
        }
        double bic = -2 * ll + k * Math.log(n);
        double[] tau = problem.model().responsibilities(fit.estimate(), d.x(), d.y(),
                Math.max(fit.noiseVariance(), 1e-300));
        double en = 0;
        for (double t : tau) {
            if (t > 0) {
                en -= t * Math.log(t);
            }
        }
        return new Candidate(l, fit, ll, fit.noiseVariance(), k, bic, en, bic + 2 * en);
    }

    /**
     * Picks L by BIC and ICL and reduces the largest fitted L by merge–truncate–merge.
     *
     * @param candidates one per L, in increasing L
     * @param n the sample size
     * @param mtm the thresholds
     * @return the result
     */
    public static Result result(List<Candidate> candidates, int n, MergeTruncateMerge mtm) {
        int byBic = -1;
        int byIcl = -1;
        double bestBic = Double.POSITIVE_INFINITY;
        double bestIcl = Double.POSITIVE_INFINITY;
        Candidate largest = null;
        for (Candidate c : candidates) {
            if (c.bic() < bestBic) {
                bestBic = c.bic();
                byBic = c.atoms();
            }
            if (c.icl() < bestIcl) {
                bestIcl = c.icl();
                byIcl = c.atoms();
            }
            if (c.fit() != null && !Double.isNaN(c.bic())) {
                largest = c;
            }
        }
        MixingMeasure merged = largest == null ? null : mtm.apply(largest.fit().estimate(), n);
        return new Result(candidates, byBic, byIcl, merged, merged == null ? -1 : merged.size(),
                largest == null ? -1 : largest.atoms());
    }
}
