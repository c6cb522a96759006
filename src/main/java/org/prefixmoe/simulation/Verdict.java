package org.prefixmoe.simulation;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The comparison of a measured slope with the theory's (docs/theory.md §6): an equivalence test
 * (two one-sided tests, TOST, read off a 95% percentile bootstrap interval) with a stated margin,
 * on the theory's own statement, which is {@code Õ(n^{-s})}, a rate up to log factors.
 *
 * <ul>
 * <li><b>agrees</b>: the bootstrap interval of the plain slope (log mean loss on log n) lies
 *     inside {@code [theory − margin, theory + margin]};</li>
 * <li><b>agrees up to a log factor</b>: the plain interval does not, but that of the slope on
 *     {@code log(n / log n)} ({@link RateEvidence}) does;</li>
 * <li><b>steeper</b> / <b>flatter than theory</b>: both intervals lie entirely below
 *     {@code theory − margin} / above {@code theory + margin} (a difference larger than the margin);</li>
 * <li><b>cannot tell</b>: anything else (an interval that reaches across an end of the margin);</li>
 * <li><b>too few fits to tell</b>: fewer than {@value #MIN_REPLICATES} replicates at some size,
 *     fewer than {@value #MIN_SIZES} sizes, or no bootstrap interval;</li>
 * <li><b>no rate predicted</b>: the theory gives no polynomial rate.</li>
 * </ul>
 * The t interval is shown beside the bootstrap interval in every table and never decides. The
 * verdict is recomputed under {@value RateEvidence#SEEDS} further bootstrap seeds; when some seed
 * gives another verdict, the result is a <b>knife edge</b> and is printed as such, with the count
 * of each verdict.
 *
 * @param kind the outcome under the main bootstrap seed
 * @param reason why, for {@link Kind#TOO_FEW} and {@link Kind#CANNOT_TELL} (empty otherwise)
 * @param seedCounts for a knife edge, how many of the seeds (the main one included) gave each
 *     verdict; empty when every seed agreed or none was checked
 */
public record Verdict(Kind kind, String reason, Map<Kind, Integer> seedCounts) {
    /** Fewest replicates per size for a verdict. */
    public static final int MIN_REPLICATES = 10;
    /** Fewest sample sizes for a verdict. */
    public static final int MIN_SIZES = 4;
    /** Default equivalence margin around the theory's slope (a scenario's {@code analysis.margin}). */
    public static final double DEFAULT_MARGIN = 0.1;

    /**
     * A verdict without a knife-edge check.
     *
     * @param kind the outcome
     * @param reason why, or empty
     */
    public Verdict(Kind kind, String reason) {
        this(kind, reason, Map.of());
    }

    /** The possible verdicts. */
    public enum Kind {
        /** The plain slope's bootstrap interval lies inside theory ± margin. */
        AGREES("agrees"),
        /** Only the log-factor slope's bootstrap interval lies inside theory ± margin. */
        AGREES_LOG("agrees up to a log factor"),
        /** Both intervals lie below theory − margin: the loss falls faster by more than the margin. */
        STEEPER("steeper than theory"),
        /** Both intervals lie above theory + margin: the loss falls slower by more than the margin. */
        FLATTER("flatter than theory"),
        /** Neither equivalence nor a difference beyond the margin is shown. */
        CANNOT_TELL("cannot tell"),
        /** Not enough replicates or sizes, or no interval. */
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

        /**
         * Whether the verdict says the data agree with the theory (plainly or up to a log factor).
         *
         * @return for {@link #AGREES} and {@link #AGREES_LOG}
         */
        public boolean agrees() {
            return this == AGREES || this == AGREES_LOG;
        }
    }

    /**
     * The verdict on the plain slope alone, with the default margin (no log-factor form, no knife-edge check).
     *
     * @param theory the prediction
     * @param fit the measured slope with its intervals, sizes and replicates
     * @return the verdict
     */
    public static Verdict of(Theory theory, RateFit fit) {
        return of(theory, fit, Double.NaN, Double.NaN, DEFAULT_MARGIN);
    }

    /**
     * The verdict under the main bootstrap seed.
     *
     * @param theory the prediction
     * @param fit the plain slope with its bootstrap interval, sizes and replicates
     * @param factorLow lower end of the log-factor slope's bootstrap interval (NaN: none)
     * @param factorHigh its upper end
     * @param margin the equivalence margin, positive
     * @return the verdict
     */
    public static Verdict of(Theory theory, RateFit fit, double factorLow, double factorHigh, double margin) {
        if (!theory.hasSlope()) {
            return new Verdict(Kind.NO_RATE, "");
        }
        if (fit.replicates() < MIN_REPLICATES) {
            return new Verdict(Kind.TOO_FEW, fit.replicates() + " replicates < " + MIN_REPLICATES);
        }
        if (fit.points() < MIN_SIZES) {
            return new Verdict(Kind.TOO_FEW, fit.points() + " sizes < " + MIN_SIZES);
        }
        if (!Double.isFinite(fit.bootLow()) || !Double.isFinite(fit.bootHigh())) {
            return new Verdict(Kind.TOO_FEW, "no bootstrap interval");
        }
        Kind k = decide(theory.slope(), margin, fit.bootLow(), fit.bootHigh(), factorLow, factorHigh);
        String reason = k != Kind.CANNOT_TELL ? "" : String.format(Locale.ROOT, "[%.3f, %.3f] not inside %s ± %s",
                fit.bootLow(), fit.bootHigh(), theory.text(), margin(margin));
        return new Verdict(k, reason);
    }

    /**
     * The verdict with its knife-edge check: the main seed's, and the verdicts under the further
     * seeds of {@link RateEvidence#seedIntervals()}.
     *
     * @param theory the prediction
     * @param fit the plain slope (main seed)
     * @param evidence the log-factor slope and the further seeds' intervals
     * @param margin the equivalence margin
     * @return the verdict, marked as a knife edge when the seeds disagree
     */
    public static Verdict of(Theory theory, RateFit fit, RateEvidence evidence, double margin) {
        Verdict main = of(theory, fit, evidence.logFactor().low(), evidence.logFactor().high(), margin);
        if (main.kind == Kind.NO_RATE || main.kind == Kind.TOO_FEW) {
            return main;
        }
        List<Kind> all = new ArrayList<>();
        all.add(main.kind);
        for (double[] s : evidence.seedIntervals()) {
            all.add(Double.isFinite(s[0]) && Double.isFinite(s[1])
                    ? decide(theory.slope(), margin, s[0], s[1], s[2], s[3]) : Kind.TOO_FEW);
        }
        if (all.stream().distinct().count() == 1) {
            return main;
        }
        Map<Kind, Integer> counts = new LinkedHashMap<>();
        for (Kind x : Kind.values()) {
            int c = (int) all.stream().filter(y -> y == x).count();
            if (c > 0) {
                counts.put(x, c);
            }
        }
        return new Verdict(main.kind, main.reason, counts);
    }

    /** The equivalence decision from the two intervals. */
    static Kind decide(double theory, double margin, double low, double high, double fLow, double fHigh) {
        double lo = theory - margin;
        double hi = theory + margin;
        if (low >= lo && high <= hi) {
            return Kind.AGREES;
        }
        boolean factor = Double.isFinite(fLow) && Double.isFinite(fHigh);
        if (factor && fLow >= lo && fHigh <= hi) {
            return Kind.AGREES_LOG;
        }
        if (high < lo && (!factor || fHigh < lo)) {
            return Kind.STEEPER;
        }
        if (low > hi && (!factor || fLow > hi)) {
            return Kind.FLATTER;
        }
        return Kind.CANNOT_TELL;
    }

    private static String margin(double m) {
        return java.math.BigDecimal.valueOf(m).stripTrailingZeros().toPlainString();
    }

    /**
     * Whether the bootstrap seeds disagree on this verdict.
     *
     * @return whether some seed gave another verdict
     */
    public boolean knifeEdge() {
        return !seedCounts.isEmpty();
    }

    /**
     * The verdict as printed.
     *
     * @return its words, the reason when there is one, and the seeds' counts for a knife edge
     *     (e.g. {@code knife edge: agrees 4/6, cannot tell 2/6 bootstrap seeds})
     */
    public String text() {
        if (knifeEdge()) {
            int total = seedCounts.values().stream().mapToInt(Integer::intValue).sum();
            StringBuilder sb = new StringBuilder("knife edge: ");
            int i = 0;
            for (var e : seedCounts.entrySet()) {
                sb.append(i++ == 0 ? "" : ", ").append(e.getKey().label()).append(' ').append(e.getValue())
                        .append('/').append(total);
            }
            return sb.append(" bootstrap seeds").toString();
        }
        return reason.isEmpty() ? kind.label() : kind.label() + " (" + reason + ")";
    }
}
