package org.prefixmoe.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import org.prefixmoe.io.AtomicFiles;
import org.prefixmoe.io.ModelFiles;
import org.prefixmoe.model.TruthModel;
import org.prefixmoe.simulation.CoverageStudy;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code coverage}: the coverage study of the Wald intervals (docs/theory.md §9). */
@Command(name = "coverage", mixinStandardHelpOptions = true,
        description = {"Coverage study of the 95%% Wald intervals of exact-specified fits: per truth and replicate,"
            + " draw n samples, fit L = L* from a near-truth start, compute every interval form and record whether"
            + " it covers each true coordinate; write rows.csv.gz, coverage.csv and coverage.md to the folder."})
final class CoverageCommand implements Callable<Integer> {
    @Option(names = {"-m", "--model"}, split = ",", paramLabel = "MODEL", description = "Model files with a truth"
            + " (default: the three default truths, shared-linear, shared-nonlinear, non-shared).")
    List<Path> models;

    @Option(names = "-n", defaultValue = "10000", description = "Sample size (default: ${DEFAULT-VALUE}).")
    int n;

    @Option(names = "--replicates", defaultValue = "400", description = "Replicates per truth and reading"
            + " (default: ${DEFAULT-VALUE}).")
    int replicates;

    @Option(names = "--seed", required = true, description = "Master seed (choose it before the run).")
    long seed;

    @Option(names = "--readings", split = ",", defaultValue = "least-squares,em", description = "least-squares"
            + " (regression data; observed and sandwich), em (density data; em-score, em-observed, em-sandwich)"
            + " (default: ${DEFAULT-VALUE}).")
    List<String> readings;

    @Option(names = "--threads", description = "Replicates run at once (default: all cores; the rows do not depend"
            + " on it).")
    Integer threads;

    @Option(names = "--method", paramLabel = "METHOD", description = "Least-squares method (default trf-pair-m; lm"
            + " reproduces runs made before issue 23, with --max-iterations 500).")
    String method;

    @Option(names = "--max-iterations", description = "Least-squares iteration cap (default: the solver's, 1000).")
    Integer maxIterations;

    @Option(names = {"-o", "--output"}, required = true, description = "Output folder.")
    Path output;

    @Override
    public Integer call() {
        List<Path> files = models != null ? models : Arrays.asList(Path.of("simulations/models/default-shared-linear.yaml"),
                Path.of("simulations/models/default-shared-nonlinear.yaml"),
                Path.of("simulations/models/default-non-shared.yaml"));
        List<TruthModel> truths = new ArrayList<>();
        for (Path f : files) {
            truths.add(ModelFiles.read(f));
        }
        int cores = threads == null ? Runtime.getRuntime().availableProcessors() : threads;
        CoverageStudy.Settings s = new CoverageStudy.Settings(truths, n, replicates, seed, readings, cores,
                SelectStudyCommand.solver(method, maxIterations));
        AtomicFiles.requireWritableFolder(output);
        long t0 = System.nanoTime();
        List<CoverageStudy.Row> rows = CoverageStudy.run(s);
        double secs = (System.nanoTime() - t0) / 1e9;
        List<CoverageStudy.Cell> cells = CoverageStudy.table(rows);
        CoverageStudy.writeRows(rows, output.resolve("rows.csv.gz"));
        AtomicFiles.writeString(output.resolve("coverage.csv"), CoverageStudy.tableCsv(cells));
        String md = "| study | reading | method | replicates | coverage per coordinate (* : 0.95 outside the 95% Wilson"
                + " interval) |\n|---|---|---|---|---|\n" + CoverageStudy.tableMarkdown(cells);
        AtomicFiles.writeString(output.resolve("coverage.md"), md);
        System.out.print(md);
        System.out.printf(java.util.Locale.ROOT, "%d replicates x %d truths x %d readings at n = %d in %.1f s on %d"
                + " threads; wrote %s%n", replicates, truths.size(), readings.size(), n, secs, cores, output);
        return 0;
    }
}
