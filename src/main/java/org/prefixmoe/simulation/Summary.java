package org.prefixmoe.simulation;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import org.apache.commons.csv.CSVFormat;
import org.prefixmoe.estimation.StopReason;
import org.prefixmoe.io.AtomicFiles;
import org.prefixmoe.sampling.RandomStreams;

/**
 * The summary of a results file (SPEC §6): per study and n, the mean (the primary statistic), sd,
 * median and quartiles of each loss; per study and loss, the log–log slope with its 95% t and
 * bootstrap intervals beside the theory's slope; per study and n, the outcomes of the fits
 * (failed, stopped at the iteration cap, redundant atom switched off or splitting a true atom).
 * Failed fits are counted but enter no loss statistic.
 */
public final class Summary {
    /** The loss columns summarized. */
    public static final List<String> METRICS = List.of("d1", "d2", "regression", "single", "multi",
            "multi_weighted");
    /** Seed of the bootstrap streams, so that a summary is reproducible. */
    static final long BOOTSTRAP_SEED = 0x5EEDB007L;

    /** Identity of a study, as read from its rows. */
    public record StudyInfo(String name, String parameterization, int atoms, int trueAtoms) {
        /** Whether L > L*. */
        public boolean overSpecified() {
            return atoms > trueAtoms;
        }
    }

    /** Statistics of one loss of one study at one n. */
    public record Cell(StudyInfo study, int n, String metric, Stats stats) {
    }

    /** The slope of one loss of one study, with the theory beside it. */
    public record Rate(StudyInfo study, String metric, RateFit fit, Theory theory) {
        /** Plain words on agreement with the theory. */
        public String verdict() {
            if (!theory.hasSlope()) {
                return "theory: " + theory.text();
            }
            if (!Double.isFinite(fit.slope())) {
                return "too few sizes";
            }
            if (fit.covers(theory.slope())) {
                return "agrees";
            }
            return fit.slope() < theory.slope() ? "disagrees (steeper than theory)" : "disagrees (flatter than theory)";
        }
    }

    /** How the fits of one study at one n ended. */
    public record Outcome(StudyInfo study, int n, int tasks, int failed, int capped, int switchedOff, int split,
                          int noneRedundant) {
    }

    private final Map<String, StudyInfo> studies;
    private final List<Cell> cells;
    private final List<Rate> rates;
    private final List<Outcome> outcomes;

    private Summary(Map<String, StudyInfo> studies, List<Cell> cells, List<Rate> rates, List<Outcome> outcomes) {
        this.studies = studies;
        this.cells = cells;
        this.rates = rates;
        this.outcomes = outcomes;
    }

    /** Summarizes rows (any order; rows are sorted by study, n and replicate first). */
    public static Summary of(List<ResultRow> rows) {
        List<ResultRow> sorted = new ArrayList<>(rows);
        sorted.sort(Comparator.comparing((ResultRow r) -> r.get("study"))
                .thenComparingInt(r -> Integer.parseInt(r.get("n")))
                .thenComparingInt(r -> Integer.parseInt(r.get("replicate"))));
        Map<String, StudyInfo> studies = new LinkedHashMap<>();
        Map<String, TreeMap<Integer, List<ResultRow>>> byStudy = new LinkedHashMap<>();
        for (ResultRow r : sorted) {
            String s = r.get("study");
            studies.putIfAbsent(s, new StudyInfo(s, r.get("parameterization"), Integer.parseInt(r.get("L")),
                    Integer.parseInt(r.get("L_star"))));
            byStudy.computeIfAbsent(s, k -> new TreeMap<>()).computeIfAbsent(Integer.parseInt(r.get("n")),
                    k -> new ArrayList<>()).add(r);
        }
        List<Cell> cells = new ArrayList<>();
        List<Rate> rates = new ArrayList<>();
        List<Outcome> outcomes = new ArrayList<>();
        for (var e : byStudy.entrySet()) {
            StudyInfo info = studies.get(e.getKey());
            TreeMap<Integer, List<ResultRow>> byN = e.getValue();
            double[] ns = byN.keySet().stream().mapToDouble(Integer::doubleValue).toArray();
            for (String metric : METRICS) {
                double[][] values = new double[ns.length][];
                int i = 0;
                boolean any = false;
                for (var ne : byN.entrySet()) {
                    values[i] = ne.getValue().stream().filter(ResultRow::ok).mapToDouble(r -> r.number(metric))
                            .toArray();
                    Stats st = Stats.of(values[i]);
                    any |= st.count() > 0;
                    cells.add(new Cell(info, ne.getKey(), metric, st));
                    i++;
                }
                if (any) {
                    RateFit fit = RateFit.of(ns, values,
                            RandomStreams.stream(BOOTSTRAP_SEED, Task.code(info.name()), Task.code(metric)));
                    rates.add(new Rate(info, metric, fit, Theory.of(info.parameterization(), info.overSpecified(),
                            metric)));
                }
            }
            for (var ne : byN.entrySet()) {
                List<ResultRow> rs = ne.getValue();
                int failed = 0;
                int capped = 0;
                int off = 0;
                int split = 0;
                int none = 0;
                for (ResultRow r : rs) {
                    failed += r.ok() ? 0 : 1;
                    capped += r.get("stop_reason").equals(StopReason.MAX_ITERATIONS.label()) ? 1 : 0;
                    switch (r.get("redundancy")) {
                        case "switched-off" -> off++;
                        case "split" -> split++;
                        case "none" -> none++;
                        default -> { }
                    }
                }
                outcomes.add(new Outcome(info, ne.getKey(), rs.size(), failed, capped, off, split, none));
            }
        }
        cells.removeIf(c -> c.stats().count() == 0 && cells.stream().noneMatch(
                o -> o.study().equals(c.study()) && o.metric().equals(c.metric()) && o.stats().count() > 0));
        return new Summary(studies, cells, rates, outcomes);
    }

    /** The studies, in name order. */
    public List<StudyInfo> studies() {
        return List.copyOf(studies.values());
    }

    /** Per (study, loss, n) statistics. */
    public List<Cell> cells() {
        return cells;
    }

    /** Per (study, loss) slopes. */
    public List<Rate> rates() {
        return rates;
    }

    /** Per (study, n) outcomes. */
    public List<Outcome> outcomes() {
        return outcomes;
    }

    /** The rate of a study and loss, if any. */
    public java.util.Optional<Rate> rate(String study, String metric) {
        return rates.stream().filter(r -> r.study().name().equals(study) && r.metric().equals(metric)).findFirst();
    }

    /** The statistics of a study and loss over n, in increasing n. */
    public List<Cell> series(String study, String metric) {
        return cells.stream().filter(c -> c.study().name().equals(study) && c.metric().equals(metric))
                .filter(c -> c.stats().count() > 0).toList();
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

    /** The rates and outcomes as a plain-text table for the terminal. */
    public String table() {
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "%-22s %-15s %8s %18s %18s %-28s %s%n", "study", "loss", "slope",
                "95% CI (t)", "95% CI (bootstrap)", "theory", "verdict"));
        for (Rate r : rates) {
            sb.append(String.format(Locale.ROOT, "%-22s %-15s %8s %18s %18s %-28s %s%n", r.study().name(),
                    r.metric(), slope(r.fit().slope()), interval(r.fit().low(), r.fit().high()),
                    interval(r.fit().bootLow(), r.fit().bootHigh()), r.theory().text(), r.verdict()));
        }
        sb.append(String.format(Locale.ROOT, "%n%-22s %8s %7s %7s %7s %13s %7s%n", "study", "n", "fits", "failed",
                "at cap", "switched off", "split"));
        for (Outcome o : outcomes) {
            sb.append(String.format(Locale.ROOT, "%-22s %8d %7d %7d %7d %13d %7d%n", o.study().name(), o.n(),
                    o.tasks(), o.failed(), o.capped(), o.switchedOff(), o.split()));
        }
        return sb.toString();
    }

    /** The summary as Markdown: slopes, outcomes, and the per-n statistics of every loss. */
    public String markdown(String title) {
        StringBuilder sb = new StringBuilder();
        sb.append("# ").append(title).append("\n\n");
        sb.append("## Slopes of log(mean loss) against log n\n\n");
        sb.append("| study | L / L* | loss | slope | 95% CI (t) | 95% CI (bootstrap) | theory | verdict |\n");
        sb.append("|---|---|---|---|---|---|---|---|\n");
        for (Rate r : rates) {
            sb.append("| ").append(r.study().name()).append(" | ").append(r.study().atoms()).append(" / ")
                    .append(r.study().trueAtoms()).append(" | ").append(r.metric()).append(" | ")
                    .append(slope(r.fit().slope())).append(" | ").append(interval(r.fit().low(), r.fit().high()))
                    .append(" | ").append(interval(r.fit().bootLow(), r.fit().bootHigh())).append(" | ")
                    .append(r.theory().text()).append(" | ").append(r.verdict()).append(" |\n");
        }
        sb.append("\n## Outcomes of the fits\n\n");
        sb.append("| study | n | fits | failed | stopped at iteration cap | redundant atom switched off"
                + " | true atom split | no shared cell |\n|---|---|---|---|---|---|---|---|\n");
        for (Outcome o : outcomes) {
            sb.append(String.format(Locale.ROOT, "| %s | %d | %d | %d | %d | %d | %d | %d |%n", o.study().name(),
                    o.n(), o.tasks(), o.failed(), o.capped(), o.switchedOff(), o.split(), o.noneRedundant()));
        }
        for (String metric : METRICS) {
            List<Cell> cs = cells.stream().filter(c -> c.metric().equals(metric) && c.stats().count() > 0).toList();
            if (cs.isEmpty()) {
                continue;
            }
            sb.append("\n## ").append(metric).append("\n\n| study | n | count | mean | sd | median | q1 | q3 |\n")
                    .append("|---|---|---|---|---|---|---|---|\n");
            for (Cell c : cs) {
                Stats s = c.stats();
                sb.append("| ").append(c.study().name()).append(" | ").append(c.n()).append(" | ").append(s.count())
                        .append(" | ").append(num(s.mean())).append(" | ").append(num(s.sd())).append(" | ")
                        .append(num(s.median())).append(" | ").append(num(s.q1())).append(" | ")
                        .append(num(s.q3())).append(" |\n");
            }
        }
        return sb.toString();
    }

    /** Writes {@code summary.csv}, {@code rates.csv}, {@code outcomes.csv} and {@code summary.md} into {@code dir}. */
    public void write(Path dir, String title) {
        CSVFormat f = CSVFormat.DEFAULT.builder().setRecordSeparator("\n").get();
        StringBuilder s = new StringBuilder(f.format("study", "parameterization", "L", "L_star", "loss", "n",
                "count", "mean", "sd", "median", "q1", "q3")).append('\n');
        for (Cell c : cells) {
            Stats st = c.stats();
            s.append(f.format(c.study().name(), c.study().parameterization(), c.study().atoms(),
                    c.study().trueAtoms(), c.metric(), c.n(), st.count(), ResultRow.format(st.mean()),
                    ResultRow.format(st.sd()), ResultRow.format(st.median()), ResultRow.format(st.q1()),
                    ResultRow.format(st.q3()))).append('\n');
        }
        StringBuilder r = new StringBuilder(f.format("study", "parameterization", "L", "L_star", "loss", "sizes",
                "slope", "std_err", "ci_low", "ci_high", "boot_low", "boot_high", "theory_slope", "theory",
                "verdict")).append('\n');
        for (Rate x : rates) {
            RateFit q = x.fit();
            r.append(f.format(x.study().name(), x.study().parameterization(), x.study().atoms(),
                    x.study().trueAtoms(), x.metric(), q.points(), ResultRow.format(q.slope()),
                    ResultRow.format(q.stdErr()), ResultRow.format(q.low()), ResultRow.format(q.high()),
                    ResultRow.format(q.bootLow()), ResultRow.format(q.bootHigh()),
                    ResultRow.format(x.theory().slope()), x.theory().text(), x.verdict())).append('\n');
        }
        StringBuilder o = new StringBuilder(f.format("study", "n", "fits", "failed", "at_cap", "switched_off",
                "split", "no_shared_cell")).append('\n');
        for (Outcome x : outcomes) {
            o.append(f.format(x.study().name(), x.n(), x.tasks(), x.failed(), x.capped(), x.switchedOff(),
                    x.split(), x.noneRedundant())).append('\n');
        }
        AtomicFiles.writeString(dir.resolve("summary.csv"), s.toString());
        AtomicFiles.writeString(dir.resolve("rates.csv"), r.toString());
        AtomicFiles.writeString(dir.resolve("outcomes.csv"), o.toString());
        AtomicFiles.writeString(dir.resolve("summary.md"), markdown(title));
    }

    /** Names of the losses with data. */
    public java.util.Set<String> metricsWithData() {
        TreeSet<String> out = new TreeSet<>();
        cells.stream().filter(c -> c.stats().count() > 0).forEach(c -> out.add(c.metric()));
        return out;
    }
}
