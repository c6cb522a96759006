package org.prefixmoe.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.prefixmoe.io.AtomicFiles;
import org.prefixmoe.plotting.StudyReport;
import org.prefixmoe.simulation.ResultRow;
import org.prefixmoe.simulation.ResultsReader;
import org.prefixmoe.simulation.Scenario;
import org.prefixmoe.simulation.ScenarioFiles;
import org.prefixmoe.simulation.Summary;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code report}: one self-contained HTML page of a study folder, from its committed rows and figures. */
@Command(name = "report", mixinStandardHelpOptions = true,
        description = {"Write DIR/report.html: one self-contained page of a study folder (its figures inline, the"
                + " verdicts with their intervals, log-factor slopes and lack of fit, outcomes and fits at the"
                + " iteration cap, mean D_1 by outcome class, scenario and solver settings, versions and the command"
                + " that regenerates the folder). Reads DIR/results.csv and the scenario named by its rows; refits"
                + " nothing. A folder of the mixture-of-experts family (its scenario SCENARIOS/moe/NAME.yaml, or"
                + " --scenario) gets its summary.md, figures and scenario."})
final class ReportCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "DIR", description = "A study folder with results.csv (e.g."
            + " paper-figures/over-specified).")
    Path dir;

    @Option(names = "--scenario", paramLabel = "FILE",
            description = "The scenario of the folder (default: SCENARIOS/NAME.yaml, NAME from the rows; for a"
                    + " family folder SCENARIOS/moe/DIRNAME.yaml).")
    Path scenario;

    @Option(names = "--scenarios", defaultValue = "simulations",
            description = "Folder of scenario files (default: ${DEFAULT-VALUE}).")
    Path scenarioDir;

    @Override
    public Integer call() {
        Path family = scenario != null ? scenario : scenarioDir.resolve("moe").resolve(dir.getFileName() + ".yaml");
        if (Files.isRegularFile(family) && SimulateCommand.isFamily(family)) {
            MoeSimulate.report(family, dir);
            System.out.println("wrote " + dir.resolve("report.html"));
            return 0;
        }
        Path results = dir.resolve("results.csv");
        if (!Files.isRegularFile(results)) {
            throw new IllegalArgumentException("DIR: " + dir + " has no results.csv");
        }
        Path file = scenario;
        if (file == null) {
            java.util.List<ResultRow> rows = ResultsReader.read(results).rows();
            if (rows.isEmpty()) {
                throw new IllegalArgumentException(results + ": no rows");
            }
            file = scenarioDir.resolve(rows.get(0).get("scenario") + ".yaml");
            if (!Files.isRegularFile(file)) {
                throw new IllegalArgumentException("--scenario: the rows name scenario '" + rows.get(0).get("scenario")
                        + "' and " + file + " does not exist; give --scenario FILE");
            }
        }
        Scenario s = ScenarioFiles.read(file);
        write(s, dir, command(s, file, dir));
        System.out.println("wrote " + dir.resolve("report.html"));
        return 0;
    }

    /** The command that regenerates a folder of {@code s}. */
    static String command(Scenario s, Path file, Path dir) {
        return s.figures().isEmpty() ? "bin/prefixmoe simulate " + file + " -o " + dir.toAbsolutePath().getParent()
                : "bin/prefixmoe figures --only " + s.name() + " --fresh";
    }

    /**
     * Summarizes the folder's rows and writes its report.html.
     *
     * @param s the scenario
     * @param dir the folder
     * @param command the command that regenerates it
     */
    static void write(Scenario s, Path dir, String command) {
        ResultsReader.Results read = ResultsReader.read(dir.resolve("results.csv"), s);
        Summary sum = Summary.of(read.rows(), SimulateCommand.summaryOptions(s));
        write(s, sum, dir, command);
    }

    /** Writes report.html from a summary already made. */
    static void write(Scenario s, Summary sum, Path dir, String command) {
        StudyReport.Versions v = new StudyReport.Versions(Main.version(), System.getProperty("java.version") + " ("
                + System.getProperty("java.vendor") + ")", StudyReport.kernels(dir));
        AtomicFiles.writeString(dir.resolve("report.html"), StudyReport.html(s, sum, dir, command, v));
    }
}
