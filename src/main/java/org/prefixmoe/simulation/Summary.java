package org.prefixmoe.simulation;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Supplier;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.rng.UniformRandomProvider;
import org.prefixmoe.estimation.StopReason;
import org.prefixmoe.io.AtomicFiles;
import org.prefixmoe.sampling.RandomStreams;

/**
 * The summary of a results file (docs/theory.md §6):
 * <ul>
 * <li>per study, loss and n: the mean (the primary statistic), sd, median and quartiles, and the
 *     ratio of the study's mean to the baseline study's with a 95% percentile bootstrap interval;</li>
 * <li>per study and loss: the log–log slope of the mean with its 95% bootstrap interval (which
 *     decides the {@link Verdict}) and t interval, the slope of the median with both intervals,
 *     and the theory's slope with its basis ({@link Theory});</li>
 * <li>per study and n: how the fits ended (failed, stopped at the iteration cap, redundant atom
 *     switched off or splitting a true atom, a true atom left without a fitted atom, {@code D_1}
 *     above a threshold), as counts and as fractions with 95% Wilson intervals ({@link Proportion}).</li>
 * </ul>
 * Failed fits are counted but enter no loss statistic.
 */
public final class Summary {
    /** The loss columns summarized. */
    public static final List<String> METRICS = List.of("d1", "d2", "regression", "single", "multi",
            "multi_weighted");
    /** Seed of the bootstrap streams, so that a summary is reproducible. */
    static final long BOOTSTRAP_SEED = 0x5EEDB007L;
    /** Bootstrap resamples of a ratio of means. */
    static final int RATIO_BOOTSTRAP = 2000;

    /**
     * Settings of a summary that the results rows do not carry.
     *
     * @param r the exponent of {@code D_{2,r}} (its theory slope depends on it)
     * @param baseline the study whose mean loss divides the others' ({@code null}: the first study)
     * @param d1Threshold the {@code D_1} value above which a fit counts as far from the truth
     * @param margin the equivalence margin of the verdicts ({@link Verdict})
     */
    public record Options(double r, String baseline, double d1Threshold, double margin) {
        /** Default {@code D_1} threshold of the outcome fractions. */
        public static final double DEFAULT_D1_THRESHOLD = 0.1;
        /** r = 2, the first study as baseline, {@code D_1} threshold 0.1. */
        public static final Options DEFAULT = new Options(2, null, DEFAULT_D1_THRESHOLD, Verdict.DEFAULT_MARGIN);

        /**
         * Settings with the default margin {@value Verdict#DEFAULT_MARGIN}.
         *
         * @param r the exponent of {@code D_{2,r}}
         * @param baseline the baseline study, or null for the first
         * @param d1Threshold the {@code D_1} threshold
         */
        public Options(double r, String baseline, double d1Threshold) {
            this(r, baseline, d1Threshold, Verdict.DEFAULT_MARGIN);
        }

        /**
         * Validates the settings.
         *
         * @param r the exponent of {@code D_{2,r}}, positive
         * @param baseline the baseline study, or null for the first
         * @param d1Threshold the {@code D_1} threshold, finite and {@code >= 0}
         * @param margin the equivalence margin, positive and finite
         */
        public Options {
            if (!(margin > 0) || !Double.isFinite(margin)) {
                throw new IllegalArgumentException("margin: must be positive and finite, got " + margin);
            }
            if (!(r > 0) || !Double.isFinite(r)) {
                throw new IllegalArgumentException("r: must be positive, got " + r);
            }
            if (!(d1Threshold >= 0) || !Double.isFinite(d1Threshold)) {
                throw new IllegalArgumentException("d1_threshold: must be finite and >= 0, got " + d1Threshold);
            }
        }

        /**
         * A copy with another r.
         *
         * @param value the exponent of {@code D_{2,r}}
         * @return the copy
         */
        public Options withR(double value) {
            return new Options(value, baseline, d1Threshold, margin);
        }

        /**
         * A copy with another baseline study.
         *
         * @param value the study's name
         * @return the copy
         */
        public Options withBaseline(String value) {
            return new Options(r, value, d1Threshold, margin);
        }

        /**
         * A copy with another {@code D_1} threshold.
         *
         * @param value the threshold
         * @return the copy
         */
        public Options withD1Threshold(double value) {
            return new Options(r, baseline, value, margin);
        }

        /**
         * A copy with another equivalence margin.
         *
         * @param value the margin
         * @return the copy
         */
        public Options withMargin(double value) {
            return new Options(r, baseline, d1Threshold, value);
        }
    }

    /**
     * Identity of a study, as read from its rows.
     *
     * @param name the study's name
     * @param parameterization its parameterization
     * @param estimator its estimator
     * @param atoms fitted atoms L
     * @param trueAtoms true atoms L*
     */
    public record StudyInfo(String name, String parameterization, String estimator, int atoms, int trueAtoms) {
        /**
         * Whether the fits are over-specified.
         *
         * @return whether L > L*
         */
        public boolean overSpecified() {
            return atoms > trueAtoms;
        }
    }

    /**
     * Statistics of one loss of one study at one n.
     *
     * @param study the study
     * @param n the sample size
     * @param metric the loss
     * @param stats the statistics of its successful replicates
     * @param bootLow lower end of the 95% percentile bootstrap interval of the mean (NaN: none)
     * @param bootHigh upper end of that interval
     */
    public record Cell(StudyInfo study, int n, String metric, Stats stats, double bootLow, double bootHigh) {
    }

    /**
     * The mean {@code D_1} of the over-specified fits of one outcome class at one n (docs/theory.md §6):
     * fits whose redundant atom was switched off, or fits that split a true atom.
     *
     * @param study the study
     * @param n the sample size
     * @param outcome {@code switched-off} or {@code split}
     * @param fits fits of this class
     * @param classified classified fits at this n (the fraction's denominator)
     * @param fraction {@code fits / classified} with its Wilson interval
     * @param mean their mean {@code D_1} (NaN for none)
     * @param bootLow lower end of the 95% percentile bootstrap interval of the mean
     * @param bootHigh upper end
     */
    public record OutcomeCurvePoint(StudyInfo study, int n, String outcome, int fits, int classified,
                                    Proportion fraction, double mean, double bootLow, double bootHigh) {
    }

    /** The outcome classes of {@link OutcomeCurvePoint}. */
    public static final List<String> OUTCOME_CLASSES = List.of("switched-off", "split");

    /**
     * The slopes of one loss of one study, with the theory beside them.
     *
     * @param study the study
     * @param metric the loss
     * @param fit the slope of the mean (primary; its bootstrap interval decides the verdict)
     * @param median the slope of the median
     * @param theory the theory's prediction
     * @param evidence the log-factor forms, lack of fit and further bootstrap seeds of the mean's slope
     * @param margin the equivalence margin of the verdict
     */
    public record Rate(StudyInfo study, String metric, RateFit fit, RateFit median, Theory theory,
                       RateEvidence evidence, double margin) {
        /**
         * The comparison with the theory (docs/theory.md §6): equivalence within the margin, on the
         * plain or the log-factor slope, with the knife-edge check over bootstrap seeds.
         *
         * @return the verdict
         */
        public Verdict verdict() {
            return Verdict.of(theory, fit, evidence, margin);
        }
    }

    /**
     * The ratio of a study's mean loss to the baseline study's at one n, with a 95% percentile
     * bootstrap interval (the replicates of both studies resampled independently).
     *
     * @param study the study
     * @param baseline the baseline study's name
     * @param metric the loss
     * @param n the sample size
     * @param ratio the study's mean over the baseline's
     * @param low lower end of the 95% interval
     * @param high upper end of the 95% interval
     */
    public record Ratio(StudyInfo study, String baseline, String metric, int n, double ratio, double low,
                        double high) {
    }

    /**
     * How the fits of one study at one n ended.
     *
     * @param study the study
     * @param n the sample size
     * @param tasks rows
     * @param failed fits that failed
     * @param capped fits stopped at the iteration cap
     * @param switchedOff successful fits whose redundant atom was switched off
     * @param split successful fits in which a true atom was split
     * @param noneRedundant successful fits with no multi-atom cell
     * @param missed successful fits that left a true atom without a fitted atom
     * @param classified successful fits with a cell classification (the denominator of the fractions)
     * @param d1Above successful fits with {@code D_1} above the threshold
     * @param d1Fits successful fits with a {@code D_1} value (its denominator)
     * @param d1Threshold the threshold
     * @param certificates converged least-squares fits with a recorded Gauss–Newton decrement (column
     *     {@code gauss_newton_decrement}; 0 for other estimators and for results files older than the column)
     * @param notCertified those of them whose decrement exceeds {@code GaussNewtonCertificate.TOLERANCE}: called
     *     converged while the fit's own model still promised a lower objective (likely stopped early on a crawl)
     */
    public record Outcome(StudyInfo study, int n, int tasks, int failed, int capped, int switchedOff, int split,
                          int noneRedundant, int missed, int classified, int d1Above, int d1Fits,
                          double d1Threshold, int certificates, int notCertified) {
        /** {@return the not-certified count as text, or a dash when no fit has a certificate} */
        String notCertifiedText() {
            return certificates == 0 ? "—" : Integer.toString(notCertified);
        }

        /**
         * Fraction of classified fits whose redundant atom was switched off.
         *
         * @return the fraction with its Wilson interval
         */
        public Proportion switchedOffFraction() {
            return Proportion.wilson(switchedOff, classified);
        }

        /**
         * Fraction of classified fits that split a true atom.
         *
         * @return the fraction with its Wilson interval
         */
        public Proportion splitFraction() {
            return Proportion.wilson(split, classified);
        }

        /**
         * Fraction of classified fits that left a true atom without a fitted atom.
         *
         * @return the fraction with its Wilson interval
         */
        public Proportion missedFraction() {
            return Proportion.wilson(missed, classified);
        }

        /**
         * Fraction of fits with {@code D_1 > d1Threshold}.
         *
         * @return the fraction with its Wilson interval
         */
        public Proportion d1AboveFraction() {
            return Proportion.wilson(d1Above, d1Fits);
        }
    }

    private final Map<String, StudyInfo> studies;
    private final List<Cell> cells;
    private final List<Rate> rates;
    private final List<Ratio> ratios;
    private final List<Outcome> outcomes;
    private final List<OutcomeCurvePoint> outcomeCurves;
    private final List<String> notes = new ArrayList<>();
    private final Options options;
    private final String baseline;

    private Summary(Map<String, StudyInfo> studies, List<Cell> cells, List<Rate> rates, List<Ratio> ratios,
                    List<Outcome> outcomes, List<OutcomeCurvePoint> outcomeCurves, Options options, String baseline) {
        this.outcomeCurves = outcomeCurves;
        this.studies = studies;
        this.cells = cells;
        this.rates = rates;
        this.ratios = ratios;
        this.outcomes = outcomes;
        this.options = options;
        this.baseline = baseline;
    }

    /**
     * Summarizes rows with the {@link Options#DEFAULT default options}.
     *
     * @param rows result rows, any order. Not modified.
     * @return the summary
     */
    public static Summary of(List<ResultRow> rows) {
        return of(rows, Options.DEFAULT);
    }

    /**
     * Summarizes rows (any order; rows are sorted by study, n and replicate first).
     *
     * @param rows result rows. Not modified.
     * @param options r, baseline and {@code D_1} threshold
     * @return the summary
     * @throws IllegalArgumentException if the options name a baseline study the rows do not have
     */
    public static Summary of(List<ResultRow> rows, Options options) {
        List<ResultRow> sorted = new ArrayList<>(rows);
        sorted.sort(Comparator.comparing((ResultRow r) -> r.get("study"))
                .thenComparingInt(r -> Integer.parseInt(r.get("n")))
                .thenComparingInt(r -> Integer.parseInt(r.get("replicate"))));
        Map<String, StudyInfo> studies = new LinkedHashMap<>();
        Map<String, TreeMap<Integer, List<ResultRow>>> byStudy = new LinkedHashMap<>();
        for (ResultRow r : sorted) {
            String s = r.get("study");
            studies.putIfAbsent(s, new StudyInfo(s, r.get("parameterization"), r.get("estimator"),
                    Integer.parseInt(r.get("L")), Integer.parseInt(r.get("L_star"))));
            byStudy.computeIfAbsent(s, k -> new TreeMap<>()).computeIfAbsent(Integer.parseInt(r.get("n")),
                    k -> new ArrayList<>()).add(r);
        }
        String baseline = options.baseline() != null ? options.baseline()
                : studies.isEmpty() ? null : studies.keySet().iterator().next();
        if (baseline != null && !studies.isEmpty() && !studies.containsKey(baseline)) {
            throw new IllegalArgumentException("baseline: no study named '" + baseline + "' (studies: "
                    + String.join(", ", studies.keySet()) + ")");
        }
        List<Cell> cells = new ArrayList<>();
        List<Rate> rates = new ArrayList<>();
        List<Outcome> outcomes = new ArrayList<>();
        List<OutcomeCurvePoint> curves = new ArrayList<>();
        // study -> loss -> n -> successful replicate values
        Map<String, Map<String, TreeMap<Integer, double[]>>> values = new LinkedHashMap<>();
        List<Supplier<Rate>> rateJobs = new ArrayList<>();
        for (var e : byStudy.entrySet()) {
            StudyInfo info = studies.get(e.getKey());
            TreeMap<Integer, List<ResultRow>> byN = e.getValue();
            double[] ns = byN.keySet().stream().mapToDouble(Integer::doubleValue).toArray();
            for (String metric : METRICS) {
                double[][] v = new double[ns.length][];
                int i = 0;
                boolean any = false;
                TreeMap<Integer, double[]> kept = new TreeMap<>();
                for (var ne : byN.entrySet()) {
                    v[i] = ne.getValue().stream().filter(ResultRow::ok).mapToDouble(r -> r.number(metric))
                            .filter(Double::isFinite).toArray();
                    Stats st = Stats.of(v[i]);
                    any |= st.count() > 0;
                    double[] ci = meanInterval(v[i], RandomStreams.stream(BOOTSTRAP_SEED, Task.code(info.name()),
                            Task.code(metric), ne.getKey(), 3));
                    cells.add(new Cell(info, ne.getKey(), metric, st, ci[0], ci[1]));
                    kept.put(ne.getKey(), v[i]);
                    i++;
                }
                values.computeIfAbsent(info.name(), k -> new LinkedHashMap<>()).put(metric, kept);
                if (any) {
                    long s = Task.code(info.name());
                    long m = Task.code(metric);
                    // The bootstraps are most of the summary's time: run on all cores below, each on its own stream.
                    rateJobs.add(() -> {
                        RateFit mean = RateFit.of(ns, v, RandomStreams.stream(BOOTSTRAP_SEED, s, m));
                        RateFit median = RateFit.of(ns, v, RandomStreams.stream(BOOTSTRAP_SEED, s, m, 1),
                                RateFit.Centre.MEDIAN);
                        RateEvidence ev = RateEvidence.of(ns, v,
                                j -> RandomStreams.stream(BOOTSTRAP_SEED, s, m, 10 + j));
                        return new Rate(info, metric, mean, median, Theory.of(info.estimator(),
                                info.parameterization(), info.overSpecified(), metric, options.r()), ev,
                                options.margin());
                    });
                }
            }
            for (var ne : byN.entrySet()) {
                outcomes.add(outcome(info, ne.getKey(), ne.getValue(), options.d1Threshold()));
                if (info.overSpecified()) {
                    curves.addAll(outcomeCurve(info, ne.getKey(), ne.getValue()));
                }
            }
        }
        // In the jobs' order whatever the thread count: each draws only from its own fixed random streams.
        rates.addAll(rateJobs.parallelStream().map(Supplier::get).toList());
        cells.removeIf(c -> c.stats().count() == 0 && cells.stream().noneMatch(
                o -> o.study().equals(c.study()) && o.metric().equals(c.metric()) && o.stats().count() > 0));
        List<Ratio> ratios = baseline == null ? List.of() : ratios(studies, values, baseline);
        return new Summary(studies, cells, rates, ratios, outcomes, curves, options, baseline);
    }

    /** The mean D_1 of the switched-off and of the split fits at one n, with bootstrap intervals. */
    private static List<OutcomeCurvePoint> outcomeCurve(StudyInfo info, int n, List<ResultRow> rs) {
        List<OutcomeCurvePoint> out = new ArrayList<>();
        int classified = (int) rs.stream().filter(ResultRow::ok)
                .filter(r -> List.of("switched-off", "split", "none").contains(r.get("redundancy"))).count();
        for (String cls : OUTCOME_CLASSES) {
            double[] d = rs.stream().filter(ResultRow::ok).filter(r -> r.get("redundancy").equals(cls))
                    .mapToDouble(r -> r.number("d1")).filter(Double::isFinite).toArray();
            int fits = (int) rs.stream().filter(ResultRow::ok).filter(r -> r.get("redundancy").equals(cls)).count();
            double[] ci = meanInterval(d, RandomStreams.stream(BOOTSTRAP_SEED, Task.code(info.name()),
                    Task.code(cls), n, 4));
            out.add(new OutcomeCurvePoint(info, n, cls, fits, classified, Proportion.wilson(fits, classified),
                    d.length == 0 ? Double.NaN : RateFit.Centre.MEAN.of(d), ci[0], ci[1]));
        }
        return out;
    }

    /** The 95% percentile bootstrap interval of a mean (NaN with fewer than 2 values). */
    static double[] meanInterval(double[] v, UniformRandomProvider rng) {
        if (v.length < 2) {
            return new double[] {Double.NaN, Double.NaN};
        }
        double[] means = new double[RATIO_BOOTSTRAP];
        for (int k = 0; k < RATIO_BOOTSTRAP; k++) {
            double s = 0;
            for (int j = 0; j < v.length; j++) {
                s += v[rng.nextInt(v.length)];
            }
            means[k] = s / v.length;
        }
        Arrays.sort(means);
        return new double[] {Stats.quantile(means, 0.025), Stats.quantile(means, 0.975)};
    }

    private static Outcome outcome(StudyInfo info, int n, List<ResultRow> rs, double threshold) {
        int failed = 0;
        int capped = 0;
        int off = 0;
        int split = 0;
        int none = 0;
        int missed = 0;
        int classified = 0;
        int above = 0;
        int d1Fits = 0;
        int certificates = 0;
        int notCertified = 0;
        for (ResultRow r : rs) {
            failed += r.ok() ? 0 : 1;
            certificates += r.hasCertificate() ? 1 : 0;
            notCertified += r.notCertified() ? 1 : 0;
            capped += r.get("stop_reason").equals(StopReason.MAX_ITERATIONS.label()) ? 1 : 0;
            if (!r.ok()) {
                continue;
            }
            boolean known = true;
            switch (r.get("redundancy")) {
                case "switched-off" -> off++;
                case "split" -> split++;
                case "none" -> none++;
                default -> known = false;
            }
            if (known) {
                classified++;
                double empty = r.number("empty_cells");
                missed += empty > 0 ? 1 : 0;
            }
            double d1 = r.number("d1");
            if (Double.isFinite(d1)) {
                d1Fits++;
                above += d1 > threshold ? 1 : 0;
            }
        }
        return new Outcome(info, n, rs.size(), failed, capped, off, split, none, missed, classified, above, d1Fits,
                threshold, certificates, notCertified);
    }

    /** Ratios of every other study's mean loss to the baseline's, at the sizes both have. */
    private static List<Ratio> ratios(Map<String, StudyInfo> studies,
                                      Map<String, Map<String, TreeMap<Integer, double[]>>> values, String baseline) {
        List<Ratio> out = new ArrayList<>();
        Map<String, TreeMap<Integer, double[]>> base = values.get(baseline);
        for (StudyInfo st : studies.values()) {
            if (st.name().equals(baseline)) {
                continue;
            }
            for (String metric : METRICS) {
                TreeMap<Integer, double[]> mine = values.get(st.name()).get(metric);
                TreeMap<Integer, double[]> theirs = base.get(metric);
                for (var e : mine.entrySet()) {
                    double[] b = theirs.get(e.getKey());
                    if (b == null || b.length == 0 || e.getValue().length == 0) {
                        continue;
                    }
                    UniformRandomProvider rng = RandomStreams.stream(BOOTSTRAP_SEED, Task.code(st.name()),
                            Task.code(metric), e.getKey(), 2);
                    double[] ci = ratioInterval(e.getValue(), b, rng);
                    double ratio = RateFit.Centre.MEAN.of(e.getValue()) / RateFit.Centre.MEAN.of(b);
                    out.add(new Ratio(st, baseline, metric, e.getKey(), ratio, ci[0], ci[1]));
                }
            }
        }
        return out;
    }

    /**
     * The 95% percentile bootstrap interval of {@code mean(a) / mean(b)}, resampling a and b
     * independently (their replicates come from independent streams).
     */
    static double[] ratioInterval(double[] a, double[] b, UniformRandomProvider rng) {
        double[] r = new double[RATIO_BOOTSTRAP];
        int good = 0;
        for (int k = 0; k < RATIO_BOOTSTRAP; k++) {
            double sa = 0;
            for (int j = 0; j < a.length; j++) {
                sa += a[rng.nextInt(a.length)];
            }
            double sb = 0;
            for (int j = 0; j < b.length; j++) {
                sb += b[rng.nextInt(b.length)];
            }
            double q = (sa / a.length) / (sb / b.length);
            if (Double.isFinite(q)) {
                r[good++] = q;
            }
        }
        if (good < 10) {
            return new double[] {Double.NaN, Double.NaN};
        }
        double[] sorted = Arrays.copyOf(r, good);
        Arrays.sort(sorted);
        return new double[] {Stats.quantile(sorted, 0.025), Stats.quantile(sorted, 0.975)};
    }

    /**
     * The studies.
     *
     * @return the studies, in name order
     */
    public List<StudyInfo> studies() {
        return List.copyOf(studies.values());
    }

    /**
     * Per (study, loss, n) statistics.
     *
     * @return the cells, by study, loss and n
     */
    public List<Cell> cells() {
        return cells;
    }

    /**
     * Per (study, loss) slopes.
     *
     * @return the rates, by study and loss
     */
    public List<Rate> rates() {
        return rates;
    }

    /**
     * Per (study, loss, n) ratios of mean losses to the baseline study's.
     *
     * @return the ratios (the baseline itself has none)
     */
    public List<Ratio> ratios() {
        return ratios;
    }

    /**
     * Per (study, n) outcomes.
     *
     * @return the outcomes, by study and n
     */
    public List<Outcome> outcomes() {
        return outcomes;
    }

    /**
     * Per over-specified study, n and outcome class, the mean {@code D_1} of that class's fits.
     *
     * @return the points, by study, n and class
     */
    public List<OutcomeCurvePoint> outcomeCurves() {
        return outcomeCurves;
    }

    /**
     * The descriptive slope of an outcome class's mean {@code D_1} on log n: only for a study whose
     * {@code D_1} has a theory slope (no power law is fitted through a curve the theory gives none).
     *
     * @param study the study's name
     * @param outcome {@code switched-off} or {@code split}
     * @return the least-squares slope (no interval), or NaN
     */
    public double outcomeCurveSlope(String study, String outcome) {
        boolean rate = rate(study, "d1").map(r -> r.theory().hasSlope()).orElse(false);
        if (!rate) {
            return Double.NaN;
        }
        List<OutcomeCurvePoint> ps = outcomeCurves.stream().filter(p -> p.study().name().equals(study)
                && p.outcome().equals(outcome) && p.mean() > 0).toList();
        return ps.size() < 2 ? Double.NaN : RateFit.ols(ps.stream().mapToDouble(OutcomeCurvePoint::n).toArray(),
                ps.stream().mapToDouble(OutcomeCurvePoint::mean).toArray()).slope();
    }

    /**
     * Adds a note printed at the top of {@code summary.md} and in {@link #table()} (e.g. what a
     * command-line option changed).
     *
     * @param note the text
     */
    public void addNote(String note) {
        notes.add(note);
    }

    /**
     * The notes added by {@link #addNote}.
     *
     * @return the notes, unmodifiable
     */
    public List<String> notes() {
        return List.copyOf(notes);
    }

    /**
     * The options the summary was made with.
     *
     * @return the options
     */
    public Options options() {
        return options;
    }

    /**
     * The baseline study of the ratios.
     *
     * @return its name (null without rows)
     */
    public String baseline() {
        return baseline;
    }

    /**
     * The rate of a study and loss.
     *
     * @param study the study's name
     * @param metric the loss
     * @return the rate, if any
     */
    public Optional<Rate> rate(String study, String metric) {
        return rates.stream().filter(r -> r.study().name().equals(study) && r.metric().equals(metric)).findFirst();
    }

    /**
     * The ratio of a study's mean loss to the baseline's at n.
     *
     * @param study the study's name
     * @param metric the loss
     * @param n the sample size
     * @return the ratio, if any
     */
    public Optional<Ratio> ratio(String study, String metric, int n) {
        return ratios.stream().filter(r -> r.study().name().equals(study) && r.metric().equals(metric)
                && r.n() == n).findFirst();
    }

    /**
     * The statistics of a study and loss over n.
     *
     * @param study the study's name
     * @param metric the loss
     * @return the cells with data, in increasing n
     */
    public List<Cell> series(String study, String metric) {
        return cells.stream().filter(c -> c.study().name().equals(study) && c.metric().equals(metric))
                .filter(c -> c.stats().count() > 0).toList();
    }

    /**
     * The outcomes of a study over n.
     *
     * @param study the study's name
     * @return its outcomes, in increasing n
     */
    public List<Outcome> outcomes(String study) {
        return outcomes.stream().filter(o -> o.study().name().equals(study)).toList();
    }

    /**
     * Whether some study is over-specified (its outcomes are worth a figure).
     *
     * @return whether some study has L > L*
     */
    public boolean hasOverSpecified() {
        return studies.values().stream().anyMatch(StudyInfo::overSpecified);
    }

    static String num(double v) {
        return Double.isFinite(v) ? String.format(Locale.ROOT, "%.4g", v) : "";
    }

    static String slope(double v) {
        return Double.isFinite(v) ? String.format(Locale.ROOT, "%.3f", v) : "—";
    }

    static String interval(double lo, double hi) {
        return Double.isFinite(lo) && Double.isFinite(hi)
                ? String.format(Locale.ROOT, "[%.3f, %.3f]", lo, hi) : "—";
    }

    private static String interval4(double lo, double hi) {
        return Double.isFinite(lo) && Double.isFinite(hi)
                ? String.format(Locale.ROOT, "[%.4g, %.4g]", lo, hi) : "—";
    }

    private static String fraction(Proportion p) {
        return p.trials() == 0 ? "—" : String.format(Locale.ROOT, "%d/%d = %.2f [%.2f, %.2f]", p.successes(),
                p.trials(), p.estimate(), p.low(), p.high());
    }

    private static String margin(double m) {
        return java.math.BigDecimal.valueOf(m).stripTrailingZeros().toPlainString();
    }

    /** The lack of fit as printed: chi-square / degrees of freedom and its p-value. */
    static String lackOfFit(RateEvidence e) {
        return Double.isFinite(e.chiSquare()) && e.degreesOfFreedom() > 0
                ? String.format(Locale.ROOT, "%.2g/%d p=%s", e.chiSquare(), e.degreesOfFreedom(),
                        e.lackOfFitP() < 0.001 ? "<.001" : String.format(Locale.ROOT, "%.2f", e.lackOfFitP()))
                : "—";
    }

    private static String threshold(double t) {
        return java.math.BigDecimal.valueOf(t).stripTrailingZeros().toPlainString();
    }

    /**
     * The rates and outcomes as a plain-text table for the terminal.
     *
     * @return the table
     */
    public String table() {
        StringBuilder sb = new StringBuilder();
        notes.forEach(n -> sb.append("note: ").append(n).append('\n'));
        String fmt = "%-20s %-15s %8s %17s %17s %8s %17s %12s %-32s %s%n";
        sb.append(String.format(Locale.ROOT, fmt, "study", "loss", "slope", "95% CI (boot)", "95% CI (t)",
                "n/log n", "n/log n CI", "lack of fit", "theory", "verdict (margin " + margin(options.margin())
                        + ")"));
        for (Rate r : rates) {
            RateEvidence e = r.evidence();
            sb.append(String.format(Locale.ROOT, fmt, r.study().name(), r.metric(), slope(r.fit().slope()),
                    interval(r.fit().bootLow(), r.fit().bootHigh()), interval(r.fit().low(), r.fit().high()),
                    slope(e.logFactor().value()), interval(e.logFactor().low(), e.logFactor().high()),
                    lackOfFit(e), r.theory().describe(), r.verdict().text()));
        }
        sb.append(String.format(Locale.ROOT, "%n%-20s %8s %5s %6s %6s %13s %12s %6s %7s %9s%n", "study", "n", "fits",
                "failed", "at cap", "not certified", "switched off", "split", "missed",
                "D_1 > " + threshold(options.d1Threshold())));
        for (Outcome o : outcomes) {
            sb.append(String.format(Locale.ROOT, "%-20s %8d %5d %6d %6d %13s %12d %6d %7d %9d%n", o.study().name(),
                    o.n(), o.tasks(), o.failed(), o.capped(), o.notCertifiedText(), o.switchedOff(), o.split(),
                    o.missed(), o.d1Above()));
        }
        return sb.toString();
    }

    /**
     * The summary as Markdown: slopes, ratios, outcomes, and the per-n statistics of every loss.
     *
     * @param title the document's title
     * @return the Markdown text
     */
    public String markdown(String title) {
        StringBuilder sb = new StringBuilder();
        sb.append("# ").append(title).append("\n\n");
        for (String n : notes) {
            sb.append("**Note:** ").append(n).append("\n\n");
        }
        sb.append("## Slopes of log(mean loss) against log n, and the theory's Õ form\n\n");
        sb.append("The theory's rates hold up to log factors (`Õ`, docs/theory.md §5). Each loss gets the slope of"
                + " log(mean) on log n (plain), the slope on log(n / log n) (the `Õ` form with the log factor of"
                + " `(log n / n)^s`), and, descriptively, b and c of log(mean) = a + b log n + c log log n. Intervals:"
                + " 95% percentile bootstrap over replicates (2000 resamples within each n); the t interval is shown"
                + " beside the plain slope and never decides. Lack of fit of the plain line: the squared residuals"
                + " of the log means, each over its replicate standard error sd/(√R·mean), summed (χ²) against"
                + " chi-square with sizes − 2 degrees of freedom (a small p: the means do not lie on a line within"
                + " their replicate error).\n\n");
        sb.append("**Verdict** (docs/theory.md §6, equivalence with margin ").append(margin(options.margin()))
                .append("): *agrees* when the plain slope's bootstrap interval lies inside theory ± ")
                .append(margin(options.margin())).append("; *agrees up to a log factor* when only the log(n / log n)"
                        + " slope's does; *steeper*/*flatter* when both lie beyond the margin on one side; otherwise"
                        + " *cannot tell*. It is recomputed under ").append(RateEvidence.SEEDS)
                .append(" further bootstrap seeds; a *knife edge* is a verdict some seed changes (counts of each"
                        + " verdict over the 6 seeds). Verdicts need at least ").append(Verdict.MIN_REPLICATES)
                .append(" replicates and ").append(Verdict.MIN_SIZES).append(" sizes. Theory: a theorem of"
                        + " docs/theory.md §5; extrapolated: the same slope for an estimator or map the theorem does"
                        + " not cover; no slope where the theory gives no polynomial rate (the slope is then"
                        + " descriptive, in parentheses). r = ").append(num(options.r())).append(".\n\n");
        sb.append("| study | L / L* | loss | slope | 95% CI (bootstrap) | 95% CI (t) | slope on n/log n [bootstrap]"
                + " | b + c·log log n: b [bootstrap], c | lack of fit χ²/df (p); rms residual / rms replicate error"
                + " | median slope [bootstrap] | theory | verdict |\n");
        sb.append("|---|---|---|---|---|---|---|---|---|---|---|---|\n");
        for (Rate r : rates) {
            RateEvidence e = r.evidence();
            boolean descriptive = !r.theory().hasSlope();
            sb.append("| ").append(r.study().name()).append(" | ").append(r.study().atoms()).append(" / ")
                    .append(r.study().trueAtoms()).append(" | ").append(r.metric()).append(" | ")
                    .append(descriptive ? "(" + slope(r.fit().slope()) + ")" : slope(r.fit().slope())).append(" | ")
                    .append(interval(r.fit().bootLow(), r.fit().bootHigh())).append(" | ")
                    .append(interval(r.fit().low(), r.fit().high())).append(" | ")
                    .append(slope(e.logFactor().value())).append(' ')
                    .append(interval(e.logFactor().low(), e.logFactor().high())).append(" | ")
                    .append(slope(e.logLogB().value())).append(' ')
                    .append(interval(e.logLogB().low(), e.logLogB().high())).append(", ")
                    .append(slope(e.logLogC().value())).append(" | ")
                    .append(lackOfFit(e)).append(Double.isFinite(e.rmsResidual())
                            ? String.format(Locale.ROOT, "; %.3f / %.3f", e.rmsResidual(), e.rmsReplicateError()) : "")
                    .append(" | ").append(slope(r.median().slope())).append(' ')
                    .append(interval(r.median().bootLow(), r.median().bootHigh())).append(" | ")
                    .append(r.theory().describe()).append(" | ").append(r.verdict().text()).append(" |\n");
        }
        if (!ratios.isEmpty()) {
            List<Integer> ns = ratios.stream().map(Ratio::n).distinct().sorted().toList();
            sb.append("\n## Mean loss relative to ").append(baseline).append("\n\n")
                    .append("Ratio of means at each n with a 95% percentile bootstrap interval (replicates of both"
                            + " studies resampled independently).\n\n| study | loss |");
            ns.forEach(n -> sb.append(" n = ").append(n).append(" |"));
            sb.append("\n|---|---|").append("---|".repeat(ns.size())).append('\n');
            for (StudyInfo st : studies.values()) {
                for (String metric : METRICS) {
                    List<Ratio> rs = ratios.stream().filter(x -> x.study().equals(st) && x.metric().equals(metric))
                            .toList();
                    if (rs.isEmpty()) {
                        continue;
                    }
                    sb.append("| ").append(st.name()).append(" | ").append(metric).append(" |");
                    for (int n : ns) {
                        sb.append(' ').append(rs.stream().filter(x -> x.n() == n).findFirst()
                                .map(x -> String.format(Locale.ROOT, "%.3g [%.3g, %.3g]", x.ratio(), x.low(),
                                        x.high())).orElse("—")).append(" |");
                    }
                    sb.append('\n');
                }
            }
        }
        sb.append("\n## Outcomes of the fits\n\n")
                .append("Fractions of the successful fits with a 95% Wilson interval. Switched off: in every"
                        + " multi-atom Voronoi cell some atom carries under 1% of the cell's weight; split: a"
                        + " multi-atom cell whose atoms all carry weight; missed: a true atom with no fitted atom."
                        + " Not certified: converged least-squares fits whose Gauss–Newton model still promised more"
                        + " than 1e-9 (relative) lower objective, likely stopped early on a crawl (— where no fit"
                        + " has a certificate).\n\n");
        sb.append("| study | n | fits | failed | at iteration cap | not certified | switched off | split | missed a true"
                + " atom | D_1 > ").append(threshold(options.d1Threshold()))
                .append(" |\n|---|---|---|---|---|---|---|---|---|---|\n");
        for (Outcome o : outcomes) {
            sb.append(String.format(Locale.ROOT, "| %s | %d | %d | %d | %d | %s | %s | %s | %s | %s |%n",
                    o.study().name(), o.n(), o.tasks(), o.failed(), o.capped(), o.notCertifiedText(),
                    fraction(o.switchedOffFraction()),
                    fraction(o.splitFraction()), fraction(o.missedFraction()), fraction(o.d1AboveFraction())));
        }
        if (!outcomeCurves.isEmpty()) {
            sb.append("\n## Mean D_1 by outcome class\n\n")
                    .append("The over-specified fits split into those whose redundant atom was switched off and those"
                            + " that split a true atom; the mean `D_1` of each class at each n with a 95% percentile"
                            + " bootstrap interval, and the class's fraction with a Wilson interval. The theory gives no"
                            + " rate for a class; the slopes below are descriptive (least squares on log n, no interval)"
                            + " and given only for studies whose `D_1` has a theory slope.\n\n")
                    .append("| study | n | switched off: fraction | mean D_1 [bootstrap] | split: fraction"
                            + " | mean D_1 [bootstrap] |\n|---|---|---|---|---|---|\n");
            List<String> names = outcomeCurves.stream().map(p -> p.study().name()).distinct().toList();
            for (String st : names) {
                List<Integer> ns = outcomeCurves.stream().filter(p -> p.study().name().equals(st))
                        .map(OutcomeCurvePoint::n).distinct().toList();
                for (int n : ns) {
                    sb.append("| ").append(st).append(" | ").append(n);
                    for (String cls : OUTCOME_CLASSES) {
                        OutcomeCurvePoint p = outcomeCurves.stream().filter(q -> q.study().name().equals(st)
                                && q.n() == n && q.outcome().equals(cls)).findFirst().orElseThrow();
                        sb.append(" | ").append(fraction(p.fraction())).append(" | ").append(num(p.mean()))
                                .append(' ').append(interval4(p.bootLow(), p.bootHigh()));
                    }
                    sb.append(" |\n");
                }
            }
            sb.append("\n| study | descriptive slope, switched off | descriptive slope, split |\n|---|---|---|\n");
            for (String st : names) {
                double a = outcomeCurveSlope(st, "switched-off");
                double b = outcomeCurveSlope(st, "split");
                sb.append("| ").append(st).append(" | ")
                        .append(Double.isFinite(a) ? slope(a) : "none (no rate predicted)").append(" | ")
                        .append(Double.isFinite(b) ? slope(b) : "none (no rate predicted)").append(" |\n");
            }
        }
        for (String metric : METRICS) {
            List<Cell> cs = cells.stream().filter(c -> c.metric().equals(metric) && c.stats().count() > 0).toList();
            if (cs.isEmpty()) {
                continue;
            }
            sb.append("\n## ").append(metric).append("\n\n| study | n | count | mean | mean 95% CI (bootstrap)"
                    + " | sd | median | q1 | q3 |\n").append("|---|---|---|---|---|---|---|---|---|\n");
            for (Cell c : cs) {
                Stats s = c.stats();
                sb.append("| ").append(c.study().name()).append(" | ").append(c.n()).append(" | ").append(s.count())
                        .append(" | ").append(num(s.mean())).append(" | ").append(interval4(c.bootLow(), c.bootHigh()))
                        .append(" | ").append(num(s.sd())).append(" | ")
                        .append(num(s.median())).append(" | ").append(num(s.q1())).append(" | ")
                        .append(num(s.q3())).append(" |\n");
            }
        }
        return sb.toString();
    }

    private static String f(double v) {
        return ResultRow.format(v);
    }

    /**
     * {@code summary.csv}: per (study, loss, n) statistics and the ratio to the baseline.
     *
     * @return the CSV text
     */
    public String summaryCsv() {
        CSVFormat fm = csv();
        StringBuilder s = new StringBuilder(fm.format("study", "parameterization", "L", "L_star", "loss", "n",
                "count", "mean", "sd", "median", "q1", "q3", "ci_half_width", "mean_boot_low", "mean_boot_high",
                "baseline", "ratio", "ratio_low", "ratio_high")).append('\n');
        for (Cell c : cells) {
            Stats st = c.stats();
            Optional<Ratio> q = ratio(c.study().name(), c.metric(), c.n());
            s.append(fm.format(c.study().name(), c.study().parameterization(), c.study().atoms(),
                    c.study().trueAtoms(), c.metric(), c.n(), st.count(), f(st.mean()), f(st.sd()), f(st.median()),
                    f(st.q1()), f(st.q3()), f(st.meanHalfWidth95()), f(c.bootLow()), f(c.bootHigh()),
                    baseline == null ? "" : baseline,
                    q.map(x -> f(x.ratio())).orElse(""), q.map(x -> f(x.low())).orElse(""),
                    q.map(x -> f(x.high())).orElse(""))).append('\n');
        }
        return s.toString();
    }

    /**
     * {@code rates.csv}: per (study, loss) slopes of the mean and the median, theory and verdict.
     *
     * @return the CSV text
     */
    public String ratesCsv() {
        CSVFormat fm = csv();
        StringBuilder r = new StringBuilder(fm.format("study", "parameterization", "estimator", "L", "L_star",
                "loss", "sizes", "replicates", "slope", "std_err", "ci_low", "ci_high", "boot_low", "boot_high",
                "median_slope", "median_ci_low", "median_ci_high", "median_boot_low", "median_boot_high",
                "logfactor_slope", "logfactor_boot_low", "logfactor_boot_high", "loglog_b", "loglog_b_boot_low",
                "loglog_b_boot_high", "loglog_c", "loglog_c_boot_low", "loglog_c_boot_high", "lack_of_fit_chi2",
                "lack_of_fit_df", "lack_of_fit_p", "rms_residual", "rms_replicate_error", "theory_slope", "theory",
                "theory_basis", "margin", "verdict", "knife_edge")).append('\n');
        for (Rate x : rates) {
            RateFit q = x.fit();
            RateFit m = x.median();
            r.append(fm.format(x.study().name(), x.study().parameterization(), x.study().estimator(),
                    x.study().atoms(), x.study().trueAtoms(), x.metric(), q.points(), q.replicates(), f(q.slope()),
                    f(q.stdErr()), f(q.low()), f(q.high()), f(q.bootLow()), f(q.bootHigh()), f(m.slope()), f(m.low()),
                    f(m.high()), f(m.bootLow()), f(m.bootHigh()), f(x.evidence().logFactor().value()),
                    f(x.evidence().logFactor().low()), f(x.evidence().logFactor().high()),
                    f(x.evidence().logLogB().value()), f(x.evidence().logLogB().low()),
                    f(x.evidence().logLogB().high()), f(x.evidence().logLogC().value()),
                    f(x.evidence().logLogC().low()), f(x.evidence().logLogC().high()), f(x.evidence().chiSquare()),
                    x.evidence().degreesOfFreedom(), f(x.evidence().lackOfFitP()), f(x.evidence().rmsResidual()),
                    f(x.evidence().rmsReplicateError()), f(x.theory().slope()), x.theory().text(),
                    x.theory().hasSlope() ? x.theory().basis().label() : "none (slope descriptive)",
                    f(x.margin()), x.verdict().text(), x.verdict().knifeEdge())).append('\n');
        }
        return r.toString();
    }

    /**
     * {@code outcomes.csv}: per (study, n) counts and fractions of the fits' outcomes.
     *
     * @return the CSV text
     */
    public String outcomesCsv() {
        CSVFormat fm = csv();
        StringBuilder o = new StringBuilder(fm.format("study", "n", "fits", "failed", "at_cap", "switched_off",
                "split", "no_shared_cell", "missed_atom", "classified", "switched_off_frac", "switched_off_low",
                "switched_off_high", "split_frac", "split_low", "split_high", "missed_frac", "missed_low",
                "missed_high", "d1_threshold", "d1_fits", "d1_above", "d1_above_frac", "d1_above_low",
                "d1_above_high", "decrement_fits", "not_certified")).append('\n');
        for (Outcome x : outcomes) {
            Proportion so = x.switchedOffFraction();
            Proportion sp = x.splitFraction();
            Proportion mi = x.missedFraction();
            Proportion d = x.d1AboveFraction();
            o.append(fm.format(x.study().name(), x.n(), x.tasks(), x.failed(), x.capped(), x.switchedOff(),
                    x.split(), x.noneRedundant(), x.missed(), x.classified(), f(so.estimate()), f(so.low()),
                    f(so.high()), f(sp.estimate()), f(sp.low()), f(sp.high()), f(mi.estimate()), f(mi.low()),
                    f(mi.high()), f(x.d1Threshold()), x.d1Fits(), x.d1Above(), f(d.estimate()), f(d.low()),
                    f(d.high()), x.certificates(), x.notCertified())).append('\n');
        }
        return o.toString();
    }

    /**
     * {@code outcome-curves.csv}: per over-specified study, n and outcome class, the class's
     * fraction and mean {@code D_1} with their intervals.
     *
     * @return the CSV text
     */
    public String outcomeCurvesCsv() {
        CSVFormat fm = csv();
        StringBuilder o = new StringBuilder(fm.format("study", "n", "outcome", "fits", "classified", "fraction",
                "fraction_low", "fraction_high", "mean_d1", "mean_d1_boot_low", "mean_d1_boot_high")).append('\n');
        for (OutcomeCurvePoint p : outcomeCurves) {
            o.append(fm.format(p.study().name(), p.n(), p.outcome(), p.fits(), p.classified(),
                    f(p.fraction().estimate()), f(p.fraction().low()), f(p.fraction().high()), f(p.mean()),
                    f(p.bootLow()), f(p.bootHigh()))).append('\n');
        }
        return o.toString();
    }

    private static CSVFormat csv() {
        return CSVFormat.DEFAULT.builder().setRecordSeparator("\n").get();
    }

    /**
     * Writes {@code summary.csv}, {@code rates.csv}, {@code outcomes.csv}, {@code summary.md} and, with
     * an over-specified study, {@code outcome-curves.csv}, each atomically.
     *
     * @param dir the folder
     * @param title the title of {@code summary.md}
     */
    public void write(Path dir, String title) {
        AtomicFiles.writeString(dir.resolve("summary.csv"), summaryCsv());
        AtomicFiles.writeString(dir.resolve("rates.csv"), ratesCsv());
        AtomicFiles.writeString(dir.resolve("outcomes.csv"), outcomesCsv());
        if (!outcomeCurves.isEmpty()) {
            AtomicFiles.writeString(dir.resolve("outcome-curves.csv"), outcomeCurvesCsv());
        }
        AtomicFiles.writeString(dir.resolve("summary.md"), markdown(title));
    }

    /**
     * Names of the losses with data.
     *
     * @return the loss columns with at least one value
     */
    public java.util.Set<String> metricsWithData() {
        TreeSet<String> out = new TreeSet<>();
        cells.stream().filter(c -> c.stats().count() > 0).forEach(c -> out.add(c.metric()));
        return out;
    }
}
