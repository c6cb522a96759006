package org.prefixmoe.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.List;
import org.prefixmoe.simulation.ScenarioFiles;
import org.prefixmoe.simulation.ResultsReader;
import org.prefixmoe.simulation.Scenario;
import org.prefixmoe.simulation.Summary;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code summarize}: statistics, rates, ratios and outcomes of a results file. */
@Command(name = "summarize", mixinStandardHelpOptions = true,
        description = {"Summarize a results file: per study and n the mean (primary), sd, median and quartiles of"
                + " each loss and the ratio of each study's mean to the baseline study's (95%% bootstrap interval);"
                + " per study and loss the log-log slopes of the mean and of the median with 95%% bootstrap and t"
                + " intervals, the theory's slope and a verdict decided by the bootstrap interval; per study and n"
                + " how many fits failed, stopped at the iteration cap, switched a redundant atom off, split a true"
                + " atom or ended with D_1 above a threshold, with 95%% Wilson intervals. Prints a table and writes"
                + " summary.csv, rates.csv, outcomes.csv and summary.md."})
final class SummarizeCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "RESULTS", description = "results.csv written by simulate.")
    Path results;

    @Option(names = {"-o", "--output"}, description = "Output folder (default: the folder of RESULTS).")
    Path output;

    @Option(names = "--scenario", paramLabel = "FILE",
            description = "The scenario file of RESULTS: takes r, the baseline (its 'baseline', else its first study)"
                    + " and the D_1 threshold from it (the options below override it); rows must carry its settings,"
                    + " and rows outside its grid (e.g. after lowering replicates) are reported and left out.")
    Path scenario;

    @Option(names = "--baseline", paramLabel = "STUDY",
            description = "Study whose mean loss divides the others' (default: the scenario's, else the first study"
                    + " in name order).")
    String baseline;

    @Option(names = "--r", paramLabel = "R", description = "Exponent r of D_{2,r}, for its theory slope (default: the"
            + " scenario's, else 2).")
    Double r;

    @Option(names = "--margin", paramLabel = "M",
            description = "Equivalence margin of the verdicts: 'agrees' needs the bootstrap interval inside theory"
                    + " slope ± M (default: the scenario's analysis.margin, else "
                    + org.prefixmoe.simulation.Verdict.DEFAULT_MARGIN + ").")
    Double margin;

    @Option(names = "--d1-threshold", paramLabel = "T",
            description = "Count fits with D_1 above T (default: the scenario's, else "
                    + Summary.Options.DEFAULT_D1_THRESHOLD + ").")
    Double d1Threshold;

    @Override
    public Integer call() {
        Path dir = output != null ? output : results.toAbsolutePath().getParent();
        Scenario sc = scenario != null ? ScenarioFiles.read(scenario) : null;
        Summary.Options options = sc != null ? SimulateCommand.summaryOptions(sc) : Summary.Options.DEFAULT;
        if (baseline != null) {
            options = options.withBaseline(baseline);
        }
        double rowsR = options.r();
        if (r != null) {
            options = argument("--r", r, options::withR);
        }
        if (margin != null) {
            options = argument("--margin", margin, options::withMargin);
        }
        if (d1Threshold != null) {
            options = argument("--d1-threshold", d1Threshold, options::withD1Threshold);
        }
        ResultsReader.Results read = sc == null ? ResultsReader.read(results) : ResultsReader.read(results, sc);
        if (!read.outsideGridNote().isEmpty()) {
            System.err.println("note: " + read.outsideGridNote());
        }
        Summary s;
        try {
            s = Summary.of(read.rows(), options);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(results + ": " + e.getMessage(), e);
        }
        Outputs.folder("--output", dir, List.of("summary.md", "summary.csv", "rates.csv", "outcomes.csv"));
        if (sc == null && baseline == null && s.baseline() != null) {
            System.err.println("note: baseline study '" + s.baseline() + "' (that of the file's first row); the"
                    + " scenario's may be another: give --scenario FILE (its baseline, r and threshold) or --baseline"
                    + " STUDY");
        }
        if (r != null && r.doubleValue() != rowsR) {
            s.addNote(rNote(r, rowsR, sc != null));
        }
        System.out.print(s.table());
        String title = results.toAbsolutePath().getParent().getFileName().toString();
        s.write(dir, title);
        System.out.println("wrote " + dir.resolve("summary.md") + ", summary.csv, rates.csv, outcomes.csv");
        return 0;
    }

    /**
     * What {@code --r} changes, said in the output: only the theory slope of {@code d2}; the rows'
     * {@code d2} values were computed with the scenario's r.
     */
    static String rNote(double given, double rowsR, boolean fromScenario) {
        java.util.function.DoubleFunction<String> over = x -> org.prefixmoe.simulation.Theory.of("least-squares",
                "shared-linear", true, "d2", x).text();
        java.util.function.DoubleFunction<String> exact = x -> org.prefixmoe.simulation.Theory.of("least-squares",
                "shared-linear", false, "d2", x).text();
        return String.format(java.util.Locale.ROOT, "--r %s changes only the theory slope of d2 (D_{2,r}), and the"
                        + " verdicts that rest on it: over-specified %s instead of %s, exact-specified %s instead of %s"
                        + " (r = %s, %s). The rows' d2 values were computed with %s and are unchanged; a d2 slope"
                        + " compared with another r's theory is not a test of the theory.", num(given),
                over.apply(given), over.apply(rowsR), exact.apply(given), exact.apply(rowsR), num(rowsR),
                fromScenario ? "the scenario's" : "the default, since no --scenario was given",
                fromScenario ? "the scenario's r = " + num(rowsR) : "the r of the scenario that wrote them (not known"
                        + " here: give --scenario)");
    }

    private static String num(double v) {
        return java.math.BigDecimal.valueOf(v).stripTrailingZeros().toPlainString();
    }

    private static Summary.Options argument(String option, double value,
                                            java.util.function.DoubleFunction<Summary.Options> with) {
        try {
            return with.apply(value);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(option + ": " + e.getMessage().replaceFirst("^[a-z_0-9]+: ", ""), e);
        }
    }
}
