package org.prefixmoe.simulation;

import java.util.Locale;
import java.util.Set;
import org.prefixmoe.estimation.LeastSquaresEstimator;
import org.prefixmoe.model.NonShared;
import org.prefixmoe.model.SharedLinear;
import org.prefixmoe.model.SharedNonlinear;

/**
 * The slope the theory predicts (docs/theory.md §5) for the log–log plot of a loss against n, and on what
 * it rests. Log factors hidden by Õ are ignored.
 *
 * <p>The table of docs/theory.md §5 is a theorem for the least-squares estimator under the
 * {@code shared-linear}, {@code shared-nonlinear} and {@code non-shared} maps ({@link Basis#THEORY});
 * for EM and for the {@code shared-mlp} and {@code prompt-tuning} maps the same slopes are an
 * extrapolation ({@link Basis#EXTRAPOLATED}). Where the theory gives no polynomial rate (an
 * over-specified non-shared fit: slower than any {@code n^{-1/(2r)}}, possibly as slow as
 * {@code 1/log^τ n}, and not identifiable) the basis is
 * {@link Basis#NONE}, the slope NaN, and no power law is fitted on a figure.
 *
 * @param slope the predicted exponent, or NaN
 * @param text how to print the prediction (e.g. {@code -1/2}, {@code slower than any n^-1/(2r)})
 * @param basis theorem, extrapolation, or no rate predicted
 */
public record Theory(double slope, String text, Basis basis) {

    /** What a predicted slope rests on. */
    public enum Basis {
        /** A theorem of docs/theory.md §5 for this estimator, map and loss. */
        THEORY,
        /** The theorem's slope carried over to an estimator or map it does not cover. */
        EXTRAPOLATED,
        /** No polynomial rate is predicted: a slope is descriptive only, and no line is drawn. */
        NONE;

        /**
         * The lower-case label written to tables and legends.
         *
         * @return {@code theory}, {@code extrapolated} or {@code none}
         */
        public String label() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /**
     * The prediction for the parameter losses of over-specified non-shared fits (docs/theory.md §5):
     * slower than any {@code n^{-1/(2r)}}, and possibly as slow as {@code 1/log^τ n}.
     */
    public static final String NON_SHARED_TEXT = "slower than any n^-1/(2r), can be as slow as 1/log^τ n";

    /** Parameterizations for which docs/theory.md §5 is a theorem (with the least-squares estimator). */
    private static final Set<String> COVERED = Set.of(SharedLinear.NAME, SharedNonlinear.NAME, NonShared.NAME);

    /**
     * The prediction for a loss ({@link Summary#METRICS}) of a fit.
     *
     * @param estimator the estimator's name ({@code least-squares}, {@code em}, ...)
     * @param parameterization the parameterization's name
     * @param overSpecified whether {@code L > L*}
     * @param metric the loss column
     * @param r the exponent of {@code D_{2,r}}
     * @return the predicted slope, its text and its basis
     */
    public static Theory of(String estimator, String parameterization, boolean overSpecified, String metric,
                            double r) {
        boolean nonShared = parameterization.equals(NonShared.NAME);
        Basis basis = estimator.equals(LeastSquaresEstimator.NAME) && COVERED.contains(parameterization)
                ? Basis.THEORY : Basis.EXTRAPOLATED;
        Theory none = new Theory(Double.NaN, NON_SHARED_TEXT, Basis.NONE);
        if (metric.equals("multi")) {
            // The plain error of an atom whose weight vanished is not identifiable (docs/theory.md §4).
            return new Theory(Double.NaN, "not identifiable if switched off", Basis.NONE);
        }
        if (!overSpecified) {
            return switch (metric) {
                // Every atom alone in its cell at n^{-1/2}: D_{2,r} adds ||Δθ||^r = n^{-r/2}.
                case "d2" -> slope(-Math.min(0.5, r / 2), basis);
                case "d1", "regression", "single" -> slope(-0.5, basis);
                case "multi_weighted" -> new Theory(Double.NaN, "no multi-atom cells", Basis.NONE);
                default -> new Theory(Double.NaN, "no prediction", Basis.NONE);
            };
        }
        return switch (metric) {
            case "regression" -> slope(-0.5, basis);
            case "d1", "single" -> nonShared ? none : slope(-0.5, basis);
            // Atoms sharing a cell are n^{-1/4} away, so w·||Δθ||^r is n^{-r/4}; the rest is n^{-1/2}.
            case "d2" -> nonShared ? none : slope(-Math.min(0.5, r / 4), basis);
            case "multi_weighted" -> nonShared ? none : slope(-0.25, basis);
            default -> new Theory(Double.NaN, "no prediction", Basis.NONE);
        };
    }

    private static Theory slope(double s, Basis basis) {
        return new Theory(s, fraction(s), basis);
    }

    /** A slope as a short fraction ({@code -1/2}, {@code -1/4}, {@code -3/8}) or decimal. */
    static String fraction(double s) {
        for (int den : new int[] {1, 2, 4, 8}) {
            double num = s * den;
            if (Math.abs(num - Math.rint(num)) < 1e-12) {
                long k = Math.round(num);
                return den == 1 ? Long.toString(k) : k + "/" + den;
            }
        }
        return String.format(Locale.ROOT, "%.3g", s);
    }

    /**
     * Whether a polynomial slope is predicted (by a theorem or by extrapolation).
     *
     * @return false for {@link Basis#NONE}
     */
    public boolean hasSlope() {
        return basis != Basis.NONE && Double.isFinite(slope);
    }

    /**
     * The prediction with its basis, as printed in tables.
     *
     * @return e.g. {@code -1/2 (theory)}, {@code -1/2 (extrapolated)}, {@link #NON_SHARED_TEXT}
     */
    public String describe() {
        return hasSlope() ? text + " (" + basis.label() + ")" : text;
    }
}
