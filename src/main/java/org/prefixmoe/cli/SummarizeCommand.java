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
        if (r != null) {
            options = argument("--r", r, options::withR);
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
        System.out.print(s.table());
        String title = results.toAbsolutePath().getParent().getFileName().toString();
        s.write(dir, title);
        System.out.println("wrote " + dir.resolve("summary.md") + ", summary.csv, rates.csv, outcomes.csv");
        return 0;
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
