package org.prefixmoe.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.prefixmoe.plotting.RatePlot;
import org.prefixmoe.simulation.ResultsReader;
import org.prefixmoe.simulation.Summary;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code plot}: log-log rate charts of one or more results files. */
@Command(name = "plot", mixinStandardHelpOptions = true,
        description = {"Plot the mean loss against n on log-log axes for every study of the RESULTS files"
                + " (one series per study and loss), with 95%% error bars, fitted lines labelled with their slopes"
                + " and dashed theory reference lines; writes NAME.png and NAME.svg."})
final class PlotCommand implements Callable<Integer> {
    @Parameters(arity = "1..*", paramLabel = "RESULTS", description = "results.csv files written by simulate.")
    List<Path> results;

    @Option(names = {"-l", "--loss"}, defaultValue = "d1", split = ",",
            description = "Losses to plot: d1, d2, regression, single, multi, multi_weighted (default: ${DEFAULT-VALUE}).")
    List<String> losses;

    @Option(names = {"-o", "--output"}, defaultValue = "plots", description = "Output folder (default: ${DEFAULT-VALUE}).")
    Path output;

    @Option(names = "--name", description = "File base name (default: the losses joined by '-').")
    String name;

    @Option(names = "--title", description = "Chart title.")
    String title;

    @Option(names = "--r", paramLabel = "R", defaultValue = "2",
            description = "Exponent r of D_{2,r}, for its theory slope (default: ${DEFAULT-VALUE}).")
    double r;

    @Override
    public Integer call() {
        for (String l : losses) {
            if (!Summary.METRICS.contains(l)) {
                throw new IllegalArgumentException("--loss: unknown loss '" + l + "' (known: "
                        + String.join(", ", Summary.METRICS) + ")");
            }
        }
        Summary.Options options;
        try {
            options = Summary.Options.DEFAULT.withR(r);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--r: must be positive, got " + r, e);
        }
        String base = Outputs.baseName("--name", name != null ? name : String.join("-", losses));
        List<Summary> summaries = new ArrayList<>();
        java.util.Map<Path, Path> seen = new java.util.HashMap<>();
        for (Path file : results) {
            Path before = seen.putIfAbsent(org.prefixmoe.io.InputFiles.realPath(file), file);
            if (before != null) {
                throw new IllegalArgumentException("RESULTS: " + file + " is given twice (also as " + before
                        + "); each results file is one set of curves");
            }
        }
        List<String> prefixes = new ArrayList<>();
        for (Path file : results) {
            Path parent = file.toAbsolutePath().getParent();
            prefixes.add(results.size() > 1 && parent.getFileName() != null ? parent.getFileName() + "/" : "");
        }
        if (new java.util.HashSet<>(prefixes).size() < prefixes.size()) { // folders of one name: number them
            for (int i = 0; i < prefixes.size(); i++) {
                prefixes.set(i, (i + 1) + ":" + prefixes.get(i));
            }
        }
        for (Path file : results) {
            summaries.add(Summary.of(ResultsReader.read(file).rows(), options));
        }
        Outputs.folder("--output", output, List.of(base + ".png", base + ".svg"));
        List<RatePlot.Series> series = new ArrayList<>();
        for (int i = 0; i < results.size(); i++) {
            series.addAll(RatePlot.series(summaries.get(i), losses, prefixes.get(i)));
        }
        if (series.isEmpty()) {
            throw new IllegalArgumentException("no data for " + String.join(", ", losses) + " in " + results);
        }
        String t = title != null ? title : "mean " + String.join(", ", losses.stream().map(RatePlot::lossShort)
                .toList()) + " against n";
        String y = losses.size() == 1 ? RatePlot.lossLabel(losses.get(0)) : "mean loss";
        RatePlot.write(RatePlot.chart(t, y, series), output.resolve(base));
        System.out.println("wrote " + output.resolve(base) + ".png and .svg");
        return 0;
    }
}
