package org.prefixmoe.simulation.moe;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.ToDoubleFunction;
import org.prefixmoe.loss.BlockVoronoiLoss;
import org.prefixmoe.sampling.RandomStreams;
import org.prefixmoe.simulation.RateFit;
import org.prefixmoe.simulation.Stats;

/**
 * Rate summaries of a family study: per study, metric and n the mean, median and 10% trimmed
 * mean over replicates, and the slope of each centre's logarithm on log n with its t and bootstrap
 * intervals; plus how often each Voronoi-cell configuration occurred. Metrics: {@code loss} (the
 * published codes' loss), {@code loss_normalized} (weights normalized to sum 1), and per block
 * {@code c_<block>} (its part of the loss) and {@code e_<block>} (its largest plain error).
 *
 * @param scenario what the summary prints about its scenario
 * @param studies per study, its summary
 */
public record MoeSummary(Header scenario, List<StudySummary> studies) {

    /**
     * What a summary needs of its scenario: a {@link MoeScenario}, or the shared + routed model's
     * {@link SharedRoutedScenario}, whose loss is the sum of its blocks' losses.
     *
     * @param name the scenario's name
     * @param description free text
     * @param seed the master seed (the bootstrap streams derive from it)
     * @param studies its studies (K: all fitted components)
     * @param terms the loss's block names, in order
     * @param trueComponents K*, all true components
     * @param theorySlope the predicted slope against n (NaN for none)
     * @param theoryText how to print the prediction
     * @param logFactor whether to fit the losses against {@code log(n)/n} too (rates for a loss that
     *     the theory bounds by {@code (log(n)/n)^a})
     */
    public record Header(String name, String description, long seed, List<MoeScenario.Study> studies,
                         List<String> terms, int trueComponents, double theorySlope, String theoryText,
                         boolean logFactor) {
        /**
         * Validates the components.
         *
         * @param name the scenario's name
         * @param description free text
         * @param seed the master seed
         * @param studies its studies
         * @param terms the loss's block names
         * @param trueComponents K*
         * @param theorySlope the predicted slope
         * @param theoryText how to print the prediction
         * @param logFactor whether to fit against log(n)/n too
         */
        public Header {
            studies = List.copyOf(studies);
            terms = List.copyOf(terms);
        }

        /**
         * The header of a family scenario.
         *
         * @param s the scenario
         * @return its header
         */
        public static Header of(MoeScenario s) {
            return new Header(s.name(), s.description(), s.seed(), s.studies(),
                    s.loss().terms().stream().map(BlockVoronoiLoss.Term::name).toList(), s.model().components(),
                    s.theorySlope(), s.theoryText(), false);
        }
    }

    /**
     * One study.
     *
     * @param study the study
     * @param sizes the sample sizes present
     * @param metrics per metric, its statistics and rates
     * @param cells per cell configuration (e.g. {@code 1|2}), the number of fits
     * @param byCells per cell configuration, the median losses and their slopes
     * @param iterations the EM iterations of the successful fits (median and quartiles)
     * @param maxIterations the most EM iterations of a fit
     * @param failed failed fits
     * @param capped fits at the iteration cap
     * @param fits fits in all
     */
    public record StudySummary(MoeScenario.Study study, double[] sizes, Map<String, Metric> metrics,
                               Map<String, Integer> cells, Map<String, CellRates> byCells, int failed, int capped,
                               int fits, Stats iterations, double maxIterations) {
    }

    /**
     * The fits of one cell configuration (e.g. {@code 1|2}) of a study: an over-specified fit either
     * splits a true atom or not, and the configurations can fall at different rates.
     *
     * @param fits how many fits ended in it
     * @param medianLoss the median loss over them
     * @param medianNormalized the median normalized loss over them
     * @param loss slope of the per-n median loss over the sizes where the configuration occurs (t interval)
     * @param normalized the same for the normalized loss
     */
    public record CellRates(int fits, double medianLoss, double medianNormalized, RateFit loss, RateFit normalized) {
    }

    /**
     * One metric of a study.
     *
     * @param values per size, the replicates' values
     * @param stats per size, mean, sd, median, quartiles
     * @param trimmed per size, the 10% trimmed mean
     * @param rates per centre (mean, median, trimmed), the fitted slope
     */
    public record Metric(double[][] values, Stats[] stats, double[] trimmed, Map<RateFit.Centre, RateFit> rates) {
    }

    /**
     * {@return the metric columns of a scenario, in order}
     *
     * @param s the scenario
     */
    public static List<String> metrics(MoeScenario s) {
        return metrics(Header.of(s));
    }

    /**
     * {@return the metric columns of a scenario, in order}
     *
     * @param s the scenario's header
     */
    public static List<String> metrics(Header s) {
        List<String> m = new ArrayList<>(List.of("loss", "loss_normalized"));
        for (String t : s.terms()) {
            m.add("c_" + t);
        }
        for (String t : s.terms()) {
            m.add("e_" + t);
        }
        return m;
    }

    /**
     * Summarizes rows.
     *
     * @param s the scenario
     * @param rows its rows (failed rows are counted and left out of the statistics)
     * @return the summary
     */
    public static MoeSummary of(MoeScenario s, List<MoeRow> rows) {
        return of(Header.of(s), rows);
    }

    /**
     * Summarizes rows.
     *
     * @param s the scenario's header
     * @param rows its rows (failed rows are counted and left out of the statistics)
     * @return the summary
     */
    public static MoeSummary of(Header s, List<MoeRow> rows) {
        List<StudySummary> out = new ArrayList<>();
        for (int st = 0; st < s.studies().size(); st++) {
            MoeScenario.Study study = s.studies().get(st);
            List<MoeRow> mine = rows.stream().filter(r -> r.study().equals(study.name())).toList();
            TreeMap<Integer, List<MoeRow>> byN = new TreeMap<>();
            Map<String, Integer> cells = new TreeMap<>();
            int failed = 0;
            int capped = 0;
            for (MoeRow r : mine) {
                if (!r.ok()) {
                    failed++;
                    continue;
                }
                capped += r.stopReason().equals("max-iterations") ? 1 : 0;
                byN.computeIfAbsent(r.n(), k -> new ArrayList<>()).add(r);
                cells.merge(r.cells(), 1, Integer::sum);
            }
            double[] sizes = byN.keySet().stream().mapToDouble(Integer::doubleValue).toArray();
            Map<String, Metric> metrics = new LinkedHashMap<>();
            int mi = 0;
            for (String m : metrics(s)) {
                ToDoubleFunction<MoeRow> f = value(m);
                double[][] values = new double[sizes.length][];
                Stats[] stats = new Stats[sizes.length];
                double[] trimmed = new double[sizes.length];
                int i = 0;
                for (List<MoeRow> at : byN.values()) {
                    values[i] = at.stream().mapToDouble(f).filter(Double::isFinite).toArray();
                    stats[i] = Stats.of(values[i]);
                    trimmed[i] = RateFit.Centre.TRIMMED.of(values[i]);
                    i++;
                }
                Map<RateFit.Centre, RateFit> rates = new LinkedHashMap<>();
                for (RateFit.Centre c : RateFit.Centre.values()) {
                    // a bootstrap stream per (study, metric, centre): tables are reproducible
                    rates.put(c, RateFit.of(sizes, values, RandomStreams.stream(s.seed(), 977, st, mi, c.ordinal()), c));
                }
                metrics.put(m, new Metric(values, stats, trimmed, rates));
                mi++;
            }
            Map<String, CellRates> byCells = new TreeMap<>();
            for (String config : cells.keySet()) {
                List<MoeRow> in = mine.stream().filter(r -> r.ok() && r.cells().equals(config)).toList();
                byCells.put(config, cellRates(in));
            }
            double[] its = mine.stream().filter(MoeRow::ok).mapToDouble(MoeRow::iterations).toArray();
            out.add(new StudySummary(study, sizes, metrics, cells, byCells, failed, capped, mine.size(), Stats.of(its),
                    java.util.Arrays.stream(its).max().orElse(Double.NaN)));
        }
        return new MoeSummary(s, out);
    }

    private static CellRates cellRates(List<MoeRow> rows) {
        TreeMap<Integer, List<MoeRow>> byN = new TreeMap<>();
        rows.forEach(r -> byN.computeIfAbsent(r.n(), k -> new ArrayList<>()).add(r));
        double[] n = byN.keySet().stream().mapToDouble(Integer::doubleValue).toArray();
        double[] loss = new double[n.length];
        double[] norm = new double[n.length];
        int i = 0;
        for (List<MoeRow> at : byN.values()) {
            loss[i] = RateFit.Centre.MEDIAN.of(at.stream().mapToDouble(MoeRow::loss).toArray());
            norm[i] = RateFit.Centre.MEDIAN.of(at.stream().mapToDouble(MoeRow::lossNormalized).toArray());
            i++;
        }
        return new CellRates(rows.size(), RateFit.Centre.MEDIAN.of(rows.stream().mapToDouble(MoeRow::loss).toArray()),
                RateFit.Centre.MEDIAN.of(rows.stream().mapToDouble(MoeRow::lossNormalized).toArray()),
                RateFit.ols(n, loss), RateFit.ols(n, norm));
    }

    private static ToDoubleFunction<MoeRow> value(String metric) {
        return switch (metric) {
            case "loss" -> MoeRow::loss;
            case "loss_normalized" -> MoeRow::lossNormalized;
            default -> metric.startsWith("c_") ? r -> r.contributions().getOrDefault(metric.substring(2), Double.NaN)
                    : r -> r.errors().getOrDefault(metric.substring(2), Double.NaN);
        };
    }

    /**
     * The slope of the log centre against {@code log(n / log n)}: minus the exponent a of a centre that
     * falls as {@code (log(n)/n)^a}, as the shared + routed experts' paper fits its losses.
     *
     * @param sizes the sample sizes; not modified
     * @param values per size, the replicates' values; not modified
     * @param rng the bootstrap's stream
     * @param centre the mean or the median of the replicates at each n
     * @return the fit against {@code n / log n} (its slope is −a)
     */
    public static RateFit logFactorRate(double[] sizes, double[][] values, org.apache.commons.rng.UniformRandomProvider rng,
                                        RateFit.Centre centre) {
        double[] x = new double[sizes.length];
        for (int i = 0; i < sizes.length; i++) {
            x[i] = sizes[i] / Math.log(sizes[i]);
        }
        return RateFit.of(x, values, rng, centre);
    }

    /** {@return summary.csv: one line per study, metric and n} */
    public String summaryCsv() {
        StringBuilder sb = new StringBuilder("study,K,metric,n,count,mean,sd,median,q1,q3,trimmed_mean\n");
        for (StudySummary st : studies) {
            for (var e : st.metrics().entrySet()) {
                Metric m = e.getValue();
                for (int i = 0; i < st.sizes().length; i++) {
                    Stats x = m.stats()[i];
                    sb.append(String.format(Locale.ROOT, "%s,%d,%s,%d,%d,%s,%s,%s,%s,%s,%s%n", st.study().name(),
                            st.study().components(), e.getKey(), (int) st.sizes()[i], x.count(), x.mean(), x.sd(),
                            x.median(), x.q1(), x.q3(), m.trimmed()[i]));
                }
            }
        }
        return sb.toString();
    }

    /** {@return rates.csv: one line per study, metric and centre} */
    public String ratesCsv() {
        StringBuilder sb = new StringBuilder("study,K,K_star,metric,centre,sizes,replicates,slope,ci_low,ci_high,boot_low,"
                + "boot_high,theory_slope\n");
        for (StudySummary st : studies) {
            for (var e : st.metrics().entrySet()) {
                for (var r : e.getValue().rates().entrySet()) {
                    RateFit f = r.getValue();
                    boolean theory = e.getKey().equals("loss") || e.getKey().equals("loss_normalized");
                    sb.append(String.format(Locale.ROOT, "%s,%d,%d,%s,%s,%d,%d,%s,%s,%s,%s,%s,%s%n", st.study().name(),
                            st.study().components(), scenario.trueComponents(), e.getKey(),
                            r.getKey().name().toLowerCase(Locale.ROOT), f.points(), f.replicates(), f.slope(), f.low(),
                            f.high(), f.bootLow(), f.bootHigh(), theory ? scenario.theorySlope() : Double.NaN));
                }
            }
        }
        return sb.toString();
    }

    /** {@return summary.md: the slopes of both losses by centre, and the cell configurations} */
    public String markdown() {
        StringBuilder sb = new StringBuilder();
        sb.append("# ").append(scenario.name()).append("\n\n");
        if (!scenario.description().isBlank()) {
            sb.append(scenario.description().strip()).append("\n\n");
        }
        sb.append("Slope of log(centre of the loss over replicates) on log n, OLS over the sizes, with the 95% t and")
                .append(" bootstrap (over replicates) intervals. Theory: ").append(scenario.theoryText()).append(".\n\n");
        sb.append("| study | K | loss | centre | slope | 95% t | 95% bootstrap | sizes | replicates |\n");
        sb.append("|---|---|---|---|---|---|---|---|---|\n");
        for (StudySummary st : studies) {
            for (String m : List.of("loss", "loss_normalized")) {
                for (var r : st.metrics().get(m).rates().entrySet()) {
                    RateFit f = r.getValue();
                    sb.append(String.format(Locale.ROOT, "| %s | %d | %s | %s | %.3f | [%.3f, %.3f] | [%.3f, %.3f] | %d | %d |%n",
                            st.study().name(), st.study().components(), m, r.getKey().name().toLowerCase(Locale.ROOT),
                            f.slope(), f.low(), f.high(), f.bootLow(), f.bootHigh(), f.points(), f.replicates()));
                }
            }
        }
        if (scenario.logFactor()) {
            sb.append("\nExponent a of the centre against log(n)/n (centre ~ (log(n)/n)^a: OLS of log(centre) on")
                    .append(" log(log(n)/n), 95% bootstrap over replicates), beside the slope of the mean against n:\n\n");
            sb.append("| study | K | metric | a (mean) | 95% bootstrap | a (median) | 95% bootstrap | slope of the mean")
                    .append(" against n | 95% bootstrap |\n");
            sb.append("|---|---|---|---|---|---|---|---|---|\n");
            for (int si = 0; si < studies.size(); si++) {
                StudySummary st = studies.get(si);
                int mi = 0;
                for (var e : st.metrics().entrySet()) {
                    if (e.getKey().startsWith("c_")) {
                        mi++;
                        continue;
                    }
                    RateFit a = logFactorRate(st.sizes(), e.getValue().values(),
                            RandomStreams.stream(scenario.seed(), 978, si, mi), RateFit.Centre.MEAN);
                    RateFit m = logFactorRate(st.sizes(), e.getValue().values(),
                            RandomStreams.stream(scenario.seed(), 979, si, mi), RateFit.Centre.MEDIAN);
                    RateFit n = e.getValue().rates().get(RateFit.Centre.MEAN);
                    sb.append(String.format(Locale.ROOT,
                            "| %s | %d | %s | %.3f | [%.3f, %.3f] | %.3f | [%.3f, %.3f] | %.3f | [%.3f, %.3f] |%n",
                            st.study().name(), st.study().components(), e.getKey(), -a.slope(), -a.bootHigh(),
                            -a.bootLow(), -m.slope(), -m.bootHigh(), -m.bootLow(), n.slope(), n.bootLow(), n.bootHigh()));
                    mi++;
                }
            }
        }
        sb.append("\nVoronoi-cell configurations (fitted atoms per true atom), failed fits and fits at the iteration cap:\n\n");
        sb.append("| study | cells: fits | failed | at cap | fits | EM iterations: median [quartiles], max |\n"
                + "|---|---|---|---|---|---|\n");
        for (StudySummary st : studies) {
            StringBuilder c = new StringBuilder();
            st.cells().forEach((k, v) -> c.append(c.length() == 0 ? "" : ", ").append(k).append(": ").append(v));
            Stats it = st.iterations();
            sb.append(String.format(Locale.ROOT, "| %s | %s | %d | %d | %d | %.0f [%.0f, %.0f], %.0f |%n", st.study().name(),
                    c, st.failed(), st.capped(), st.fits(), it.median(), it.q1(), it.q3(), st.maxIterations()));
        }
        sb.append("\nBy cell configuration (slope of the per-n median over the sizes where it occurs, 95% t interval):\n\n");
        sb.append("| study | cells | fits | median loss | slope | median normalized loss | slope |\n");
        sb.append("|---|---|---|---|---|---|---|\n");
        for (StudySummary st : studies) {
            for (var e : st.byCells().entrySet()) {
                CellRates c = e.getValue();
                sb.append(String.format(Locale.ROOT, "| %s | %s | %d | %.4g | %.3f [%.3f, %.3f] | %.4g | %.3f [%.3f, %.3f] |%n",
                        st.study().name(), e.getKey(), c.fits(), c.medianLoss(), c.loss().slope(), c.loss().low(),
                        c.loss().high(), c.medianNormalized(), c.normalized().slope(), c.normalized().low(),
                        c.normalized().high()));
            }
        }
        sb.append("\nPer block (slope of the mean of its plain error e_ and of its part of the loss c_):\n\n");
        sb.append("| study | block | error slope (mean) | 95% bootstrap | contribution slope (mean) | 95% bootstrap |\n");
        sb.append("|---|---|---|---|---|---|\n");
        for (StudySummary st : studies) {
            for (String t : scenario.terms()) {
                RateFit e = st.metrics().get("e_" + t).rates().get(RateFit.Centre.MEAN);
                RateFit c = st.metrics().get("c_" + t).rates().get(RateFit.Centre.MEAN);
                sb.append(String.format(Locale.ROOT, "| %s | %s | %.3f | [%.3f, %.3f] | %.3f | [%.3f, %.3f] |%n",
                        st.study().name(), t, e.slope(), e.bootLow(), e.bootHigh(), c.slope(), c.bootLow(),
                        c.bootHigh()));
            }
        }
        return sb.toString();
    }
}
