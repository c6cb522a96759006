package org.prefixmoe.simulation;

import org.prefixmoe.model.NonShared;

/**
 * The slopes the theory predicts (SPEC §5) for the log–log plot of a loss against n. Log factors
 * hidden by Õ are ignored. Where the theory gives no polynomial rate the slope is NaN and the
 * text says why.
 *
 * @param slope the predicted exponent, or NaN
 * @param text how to print it
 */
public record Theory(double slope, String text) {

    /**
     * The prediction for a loss ({@link Summary#METRICS}) of a parameterization, over-specified
     * ({@code L > L*}) or exact-specified.
     */
    public static Theory of(String parameterization, boolean overSpecified, String metric) {
        boolean nonShared = parameterization.equals(NonShared.NAME);
        Theory half = new Theory(-0.5, "-1/2");
        Theory slow = new Theory(Double.NaN, "slower than any polynomial");
        return switch (metric) {
            case "regression" -> half;
            case "d1", "single" -> !overSpecified || !nonShared ? half
                    : metric.equals("d1") ? slow : new Theory(Double.NaN, "no prediction");
            // D_{2,2}: mass term n^{-1/2}; in multi-atom cells Σ w d² = (weighted error)² = n^{-1/2}.
            case "d2" -> !overSpecified || !nonShared ? half : slow;
            case "multi_weighted" -> !overSpecified ? new Theory(Double.NaN, "no multi-atom cells")
                    : nonShared ? slow : new Theory(-0.25, "-1/4");
            case "multi" -> new Theory(Double.NaN, "not identifiable if switched off");
            default -> new Theory(Double.NaN, "no prediction");
        };
    }

    /** Whether a polynomial slope is predicted. */
    public boolean hasSlope() {
        return Double.isFinite(slope);
    }
}
