package org.prefixmoe.estimation;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * Standard errors and 95% Wald intervals of a fit's parameters (docs/theory.md §9): the packed
 * coordinates {@code (θ_1, b_1, ..., θ_L, b_L)} and, for the EM reading, σ² last. Immutable.
 *
 * @param method how the covariance was estimated: {@code observed} (Gauss–Newton {@code σ̂² (JᵀJ)⁻¹}),
 *     {@code sandwich} (least squares, heteroscedasticity-robust), {@code em-score} (the EM reading, inverse
 *     empirical information of the per-sample scores), {@code em-observed} (the EM reading, inverse observed
 *     information) or {@code bootstrap} (parametric bootstrap; percentile intervals)
 * @param names one name per coordinate: {@code theta_l_c}, {@code b_l} (1-based), {@code sigma2}
 * @param estimate the estimate of each coordinate
 * @param standardErrors the standard error of each coordinate (NaN where it could not be computed)
 * @param lower the lower end of the 95% interval of each coordinate
 * @param upper the upper end of the 95% interval of each coordinate
 * @param conditionNumber the condition number of the information matrix (largest over smallest
 *     eigenvalue; infinite when singular, NaN for the bootstrap)
 * @param warnings what makes the intervals doubtful (singular information, estimates on the box), empty if nothing
 */
public record Inference(String method, List<String> names, double[] estimate, double[] standardErrors,
                        double[] lower, double[] upper, double conditionNumber, List<String> warnings) {

    /** The 0.975 quantile of the standard normal: a 95% Wald interval is estimate ± Z95 · se. */
    public static final double Z95 = 1.959963984540054;

    /**
     * Copies the arrays and checks their lengths.
     *
     * @param method the method's name
     * @param names coordinate names
     * @param estimate estimates
     * @param standardErrors standard errors
     * @param lower lower interval ends
     * @param upper upper interval ends
     * @param conditionNumber condition number of the information
     * @param warnings warnings
     */
    public Inference {
        Objects.requireNonNull(method, "method");
        names = List.copyOf(names);
        int p = names.size();
        estimate = check("estimate", estimate, p);
        standardErrors = check("standardErrors", standardErrors, p);
        lower = check("lower", lower, p);
        upper = check("upper", upper, p);
        warnings = List.copyOf(warnings);
    }

    private static double[] check(String field, double[] v, int p) {
        Objects.requireNonNull(v, field);
        if (v.length != p) {
            throw new IllegalArgumentException(field + ": " + v.length + " entries for " + p + " coordinates");
        }
        return v.clone();
    }

    /**
     * Wald intervals {@code estimate ± Z95 · se}.
     *
     * @param method the method's name
     * @param names coordinate names
     * @param estimate estimates
     * @param covariance the estimated covariance, P × P row-major
     * @param conditionNumber condition number of the information
     * @param warnings warnings
     * @return the inference
     */
    static Inference wald(String method, List<String> names, double[] estimate, double[] covariance,
                          double conditionNumber, List<String> warnings) {
        int p = estimate.length;
        double[] se = new double[p];
        double[] lo = new double[p];
        double[] hi = new double[p];
        for (int c = 0; c < p; c++) {
            double v = covariance[c * p + c];
            se[c] = v >= 0 && Double.isFinite(v) ? Math.sqrt(v) : Double.NaN;
            lo[c] = estimate[c] - Z95 * se[c];
            hi[c] = estimate[c] + Z95 * se[c];
        }
        return new Inference(method, names, estimate, se, lo, hi, conditionNumber, warnings);
    }

    /** {@return the number of coordinates} */
    public int size() {
        return names.size();
    }

    /** {@return the estimates, a copy} */
    @Override
    public double[] estimate() {
        return estimate.clone();
    }

    /** {@return the standard errors, a copy} */
    @Override
    public double[] standardErrors() {
        return standardErrors.clone();
    }

    /** {@return the lower interval ends, a copy} */
    @Override
    public double[] lower() {
        return lower.clone();
    }

    /** {@return the upper interval ends, a copy} */
    @Override
    public double[] upper() {
        return upper.clone();
    }

    /**
     * Whether the interval of a coordinate holds a value.
     *
     * @param c the coordinate, from 0
     * @param value the value (e.g. the truth's)
     * @return {@code lower ≤ value ≤ upper}; false when the interval is not finite
     */
    public boolean covers(int c, double value) {
        return lower[c] <= value && value <= upper[c];
    }

    /**
     * The table as CSV lines with a header: {@code method,parameter,estimate,se,lower,upper}.
     *
     * @return the lines, without line breaks
     */
    public List<String> csvLines() {
        List<String> out = new ArrayList<>();
        out.add("method,parameter,estimate,se,lower,upper");
        for (int c = 0; c < size(); c++) {
            out.add(method + "," + names.get(c) + "," + num(estimate[c]) + "," + num(standardErrors[c]) + ","
                    + num(lower[c]) + "," + num(upper[c]));
        }
        return out;
    }

    private static String num(double v) {
        return Double.isNaN(v) ? "NaN" : String.format(java.util.Locale.ROOT, "%.10g", v);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Inference i && method.equals(i.method) && names.equals(i.names)
                && Arrays.equals(estimate, i.estimate) && Arrays.equals(standardErrors, i.standardErrors)
                && Arrays.equals(lower, i.lower) && Arrays.equals(upper, i.upper)
                && Double.compare(conditionNumber, i.conditionNumber) == 0 && warnings.equals(i.warnings);
    }

    @Override
    public int hashCode() {
        return Objects.hash(method, names, Arrays.hashCode(estimate), Arrays.hashCode(standardErrors));
    }

    /** {@return the table as text: one line per coordinate with its estimate, se and interval, no warnings} */
    public String table() {
        StringBuilder sb = new StringBuilder(method).append(" standard errors (95% intervals)\n");
        for (int c = 0; c < size(); c++) {
            sb.append(String.format(java.util.Locale.ROOT, "  %-10s %12.6f  se %10.3g  [%.6f, %.6f]%n", names.get(c),
                    estimate[c], standardErrors[c], lower[c], upper[c]));
        }
        return sb.toString();
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder(table());
        for (String w : warnings) {
            sb.append("  warning: ").append(w).append('\n');
        }
        return sb.toString();
    }
}
