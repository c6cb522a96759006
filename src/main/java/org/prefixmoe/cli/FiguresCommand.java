package org.prefixmoe.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import org.prefixmoe.simulation.ScenarioFiles;
import org.prefixmoe.simulation.Engine;
import org.prefixmoe.simulation.Scenario;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code figures}: regenerates the committed figures. Every scenario file under the scenarios
 * folder that declares {@code figures:} is run into {@code OUT/NAME/} (results, summary, settings
 * README and its figures).
 */
@Command(name = "figures", mixinStandardHelpOptions = true,
        description = {"Regenerate the paper figures: run every scenario under --scenarios that declares"
                + " 'figures:' into OUT/NAME/ (results.csv, summary.md/csv, rates.csv, outcomes.csv, README.md with"
                + " the solver settings and timing, and each figure as PNG and SVG). Existing results are resumed,"
                + " not recomputed, unless --fresh. --quick runs each scenario's reduced grid into"
                + " plots/quick-figures/ and never touches the committed figures."})
final class FiguresCommand implements Callable<Integer> {
    @Option(names = "--scenarios", defaultValue = "simulations",
            description = "Folder of scenario files (default: ${DEFAULT-VALUE}).")
    Path scenarioDir;

    @Option(names = {"-o", "--output"},
            description = "Output folder (default: paper-figures, or plots/quick-figures with --quick).")
    Path output;

    @Option(names = "--only", description = "Only this figure (or every figure of this scenario).")
    String only;

    @Option(names = "--quick", description = "Reduced grid of each scenario ('quick:'), into plots/quick-figures.")
    boolean quick;

    @Option(names = "--fresh", description = "Delete existing results first and recompute every task.")
    boolean fresh;

    @Option(names = "--threads", description = "Worker threads (default: all cores).")
    Integer threads;

    @Option(names = {"-q", "--quiet"}, description = "No progress bar.")
    boolean quiet;

    @Override
    public Integer call() {
        Path out = output != null ? output : quick ? Path.of("plots", "quick-figures") : Path.of("paper-figures");
        List<Path> files;
        try (Stream<Path> s = Files.list(scenarioDir)) {
            files = s.filter(p -> p.toString().endsWith(".yaml") || p.toString().endsWith(".yml")).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list scenarios in " + scenarioDir + ": " + e.getMessage(), e);
        }
        List<Scenario> chosen = new ArrayList<>();
        List<List<Scenario.Figure>> figs = new ArrayList<>();
        for (Path f : files) {
            Scenario s = ScenarioFiles.read(f);
            if (s.figures().isEmpty()) {
                continue;
            }
            List<Scenario.Figure> want = only == null || only.equals(s.name()) ? s.figures()
                    : s.figures().stream().filter(x -> x.name().equals(only)).toList();
            if (!want.isEmpty()) {
                chosen.add(quick ? s.quick() : s);
                figs.add(want);
            }
        }
        if (chosen.isEmpty()) {
            throw new IllegalArgumentException(only == null ? "no scenario under " + scenarioDir + " declares figures"
                    : "--only: no figure or scenario named '" + only + "' under " + scenarioDir);
        }
        List<Path> dirs = chosen.stream().map(s -> out.resolve(s.name())).toList();
        for (int i = 0; i < chosen.size(); i++) {
            Outputs.folder("--output", dirs.get(i), SimulateCommand.writtenFiles(chosen.get(i), figs.get(i)));
        }
        int t = threads == null ? Runtime.getRuntime().availableProcessors() : threads;
        long t0 = System.nanoTime();
        for (int i = 0; i < chosen.size(); i++) {
            Scenario s = chosen.get(i);
            String cmd = "bin/prefixmoe figures --only " + (figs.get(i).size() == 1 ? figs.get(i).get(0).name()
                    : s.name()) + (quick ? " --quick" : "") + " --fresh";
            // --fresh deletes the old rows only once the run holds the results lock.
            Engine.Report rep = SimulateCommand.run(s, dirs.get(i), t, quiet, false, cmd, figs.get(i), fresh);
            System.out.printf(Locale.ROOT, "%s done in %.1f s%n%n", s.name(), rep.seconds());
        }
        System.out.printf(Locale.ROOT, "figures: %.1f s in all%n", (System.nanoTime() - t0) / 1e9);
        return 0;
    }
}
