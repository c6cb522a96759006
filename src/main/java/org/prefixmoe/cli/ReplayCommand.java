package org.prefixmoe.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.prefixmoe.io.DatasetCsv;
import org.prefixmoe.io.MeasureFiles;
import org.prefixmoe.simulation.ResultRow;
import org.prefixmoe.simulation.ResultsFile;
import org.prefixmoe.simulation.Scenario;
import org.prefixmoe.simulation.ScenarioFiles;
import org.prefixmoe.simulation.Task;
import org.prefixmoe.simulation.Tasks;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code replay}: recomputes one row of a study from its coordinates and compares it with the written one. */
@Command(name = "replay", mixinStandardHelpOptions = true,
        description = {"Rebuild one replicate of a study (its data set and its fit) from its coordinates, print the row"
            + " it recomputes and say whether every deterministic column (all but seconds) matches the existing row.",
            "Exit status " + ReplayCommand.DIFFERS + " when the rows differ; optionally writes the data CSV and the"
                + " estimate JSON.",
            "Also for a mixture-of-experts family scenario and a shared + routed one (their results in"
                + " plots/NAME/results.csv by default; --results may name a committed results.csv.gz)."})
final class ReplayCommand implements Callable<Integer> {
    /** Exit status when the recomputed row differs from the existing one. */
    static final int DIFFERS = 4;

    @Parameters(index = "0", paramLabel = "SCENARIO", description = "Scenario file (YAML or JSON).")
    Path scenarioFile;

    @Option(names = "--study", required = true, description = "Study name (the results' study column).")
    String study;

    @Option(names = "-n", required = true, description = "Sample size of the task.")
    int n;

    @Option(names = "--replicate", required = true, description = "Replicate of the task, from 0 (family scenarios:"
            + " from 1).")
    int replicate;

    @Option(names = "--quick", description = "A task of the scenario's quick grid.")
    boolean quick;

    @Option(names = "--results", paramLabel = "CSV", description = "Results file holding the row to compare with"
            + " (default: plots/NAME/results.csv, or plots/NAME-quick/ with --quick, when it exists).")
    Path results;

    @Option(names = "--data", paramLabel = "CSV", description = "Write the task's data set here.")
    Path dataOut;

    @Option(names = "--estimate", paramLabel = "JSON", description = "Write the task's estimate and fit report here.")
    Path estimateOut;

    @Override
    public Integer call() {
        if (MoeModelCommands.isFamily(scenarioFile)) {
            return MoeModelCommands.replay(scenarioFile, study, n, replicate, quick, results, dataOut, estimateOut);
        }
        Scenario s = ScenarioFiles.read(scenarioFile);
        if (quick) {
            s = s.quick();
        }
        int index = -1;
        List<String> names = new ArrayList<>();
        for (int i = 0; i < s.studies().size(); i++) {
            names.add(s.studies().get(i).name());
            if (s.studies().get(i).name().equals(study)) {
                index = i;
            }
        }
        if (index < 0) {
            throw new IllegalArgumentException("--study: no study '" + study + "' in " + scenarioFile + " (studies: "
                    + String.join(", ", names) + ")");
        }
        Task task = new Task(index, study, n, replicate);
        Path existing = results != null ? results
                : Path.of("plots", s.name() + (quick ? "-quick" : ""), "results.csv");
        if (results != null && !Files.isRegularFile(results)) {
            throw new IllegalArgumentException("--results: " + results + ": no such file");
        }
        ResultRow old = null;
        if (Files.isRegularFile(existing)) {
            for (ResultRow r : ResultsFile.read(existing)) {
                if (r.study().equals(study) && r.n() == n && r.replicate() == replicate) {
                    old = r;
                }
            }
        }
        if (dataOut != null) {
            Outputs.file("--data", dataOut);
        }
        if (estimateOut != null) {
            Outputs.file("--estimate", estimateOut);
        }
        Tasks.Replay replay;
        try {
            replay = Tasks.replay(s, task);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(e.getMessage() + " (" + scenarioFile + ")");
        }
        ResultRow row = replay.row();
        for (int c = 0; c < ResultRow.COLUMNS.size(); c++) {
            String col = ResultRow.COLUMNS.get(c);
            String v = row.get(col);
            if (!v.isEmpty()) {
                System.out.println(col + " = " + v);
            }
        }
        if (dataOut != null && replay.data() != null) {
            DatasetCsv.write(replay.data(), dataOut);
            System.out.println("wrote the data set to " + dataOut);
        }
        if (estimateOut != null && replay.fit() != null) {
            MeasureFiles.write(estimateOut, s.studies().get(index).fitted().model().parameterization().name(),
                    replay.fit());
            System.out.println("wrote the estimate to " + estimateOut);
        }
        if (old == null) {
            System.out.println("no existing row of " + task.key() + " in " + existing + " to compare with");
            return 0;
        }
        List<String> differ = row.differencesFrom(old);
        if (differ.isEmpty()) {
            System.out.println("identical: every deterministic column matches the row in " + existing);
            return 0;
        }
        System.out.println("differs from the row in " + existing + ": " + String.join("; ", differ));
        return DIFFERS;
    }
}
