package org.prefixmoe.simulation;

import java.util.Locale;

/**
 * The comparison of a measured slope with the theory's (docs/theory.md §6). One interval decides: the 95%
 * percentile bootstrap interval over replicates of the mean-loss slope. The t interval is shown
 * beside it in every table and never enters the decision. With fewer than
 * {@value #MIN_REPLICATES} replicates at some size, fewer than {@value #MIN_SIZES} sizes, or a
 * bootstrap interval wider than {@value #MAX_WIDTH}, the answer is "too few fits to tell".
 *
 * @param kind the outcome
 * @param reason why, for {@link Kind#TOO_FEW} (empty otherwise)
 */
public record Verdict(Kind kind, String reason) {
    /** Fewest replicates per size for a verdict. */
    public static final int MIN_REPLICATES = 10;
    /** Fewest sample sizes for a verdict. */
    public static final int MIN_SIZES = 4;
    /** Widest deciding interval for a verdict. */
    public static final double MAX_WIDTH = 0.5;
    /** Default equivalence margin around the theory's slope (a scenario's {@code analysis.margin}). */
    public static final double DEFAULT_MARGIN = 0.1;

    /** The possible verdicts. */
    public enum Kind {
        /** The theory's slope lies in the bootstrap interval. */
        AGREES("agrees"),
        /** The whole bootstrap interval lies below the theory's slope: the loss falls faster. */
        STEEPER("steeper than theory"),
        /** The whole bootstrap interval lies above the theory's slope: the loss falls slower. */
        FLATTER("flatter than theory"),
        /** Not enough replicates or sizes, or an interval too wide to decide. */
        TOO_FEW("too few fits to tell"),
        /** The theory predicts no polynomial rate: the slope is descriptive only. */
        NO_RATE("no rate predicted");

        private final String label;

        Kind(String label) {
            this.label = label;
        }

        /**
         * The words printed in tables.
         *
         * @return e.g. {@code agrees}, {@code too few fits to tell}
         */
        public String label() {
            return label;
        }
    }

    /**
     * The verdict on a mean-loss slope against the theory's.
     *
     * @param theory the prediction
     * @param fit the measured slope with its intervals, sizes and replicates
     * @return the verdict
     */
    public static Verdict of(Theory theory, RateFit fit) {
        if (!theory.hasSlope()) {
            return new Verdict(Kind.NO_RATE, "");
        }
        if (fit.replicates() < MIN_REPLICATES) {
            return tooFew(fit.replicates() + " replicates < " + MIN_REPLICATES);
        }
        if (fit.points() < MIN_SIZES) {
            return tooFew(fit.points() + " sizes < " + MIN_SIZES);
        }
        if (!Double.isFinite(fit.bootLow()) || !Double.isFinite(fit.bootHigh())) {
            return tooFew("no bootstrap interval");
        }
        if (fit.bootstrapWidth() > MAX_WIDTH) {
            return tooFew(String.format(Locale.ROOT, "interval width %.2f > %.1f", fit.bootstrapWidth(), MAX_WIDTH));
        }
        if (fit.bootstrapCovers(theory.slope())) {
            return new Verdict(Kind.AGREES, "");
        }
        return new Verdict(fit.bootHigh() < theory.slope() ? Kind.STEEPER : Kind.FLATTER, "");
    }

    private static Verdict tooFew(String reason) {
        return new Verdict(Kind.TOO_FEW, reason);
    }

    /**
     * The verdict as printed.
     *
     * @return its words, and the reason when there are too few fits
     */
    public String text() {
        return reason.isEmpty() ? kind.label() : kind.label() + " (" + reason + ")";
    }
}
