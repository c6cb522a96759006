package org.prefixmoe.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import org.prefixmoe.io.AtomicFiles;
import org.prefixmoe.plotting.MoePlots;
import org.prefixmoe.plotting.StudyReport;
import org.prefixmoe.simulation.Progress;
import org.prefixmoe.simulation.moe.FamilyStudy;
import org.prefixmoe.simulation.moe.MoeRow;
import org.prefixmoe.simulation.moe.MoeRunner;
import org.prefixmoe.simulation.moe.MoeScenario;
import org.prefixmoe.simulation.moe.MoeScenarioFiles;
import org.prefixmoe.simulation.moe.MoeSummary;
import org.prefixmoe.simulation.moe.SharedRoutedScenario;
import org.prefixmoe.simulation.moe.SharedRoutedScenarioFiles;

/**
 * {@code simulate} for a scenario of the mixture-of-experts family (one mixture, or the shared + routed
 * model): run, summarize, plot.
 */
final class MoeSimulate {
    private MoeSimulate() {
    }

    /** The files a family run writes into its folder. */
    static List<String> writtenFiles(FamilyStudy s) {
        return List.of("results.csv", "results.csv.lock", "summary.md", "summary.csv", "rates.csv",
                s.name() + "-loss.png", s.name() + "-loss.svg", s.name() + "-loss-normalized.png",
                s.name() + "-loss-normalized.svg", "report.html");
    }

    /**
     * Runs a family scenario file into {@code OUT/NAME/}.
     *
     * @param file the scenario file
     * @param output the parent folder
     * @param threads worker threads
     * @param quiet no progress
     * @param mode progress mode
     * @param fresh recompute every task
     * @param plot summarize and plot afterwards
     * @param quick run the quick grid ({@link FamilyStudy#quick()}) into {@code OUTPUT/NAME-quick}
     */
    static void run(Path file, Path output, int threads, boolean quiet, Progress.Mode mode, boolean fresh, boolean plot,
                    boolean quick) {
        FamilyStudy s;
        String model;
        if (SharedRoutedScenarioFiles.isSharedRoutedScenario(file)) {
            SharedRoutedScenario sr = SharedRoutedScenarioFiles.read(file);
            s = sr;
            model = sr.model().toString();
        } else {
            MoeScenario ms = MoeScenarioFiles.read(file);
            s = ms;
            model = ms.model().toString();
        }
        if (quick) {
            s = s.quick();
        }
        Path dir = output.resolve(s.name() + (quick ? "-quick" : ""));
        Outputs.folder("--output", dir, writtenFiles(s));
        Path results = dir.resolve("results.csv");
        System.out.printf(Locale.ROOT, "%s: %s, %d studies x %d sizes x %d replicates = %d tasks on %d thread(s) -> %s%n",
                s.name(), model, s.studies().size(), s.sizes().size(), s.replicates(), s.taskCount(), threads, results);
        MoeRunner.Report rep = new MoeRunner(threads, quiet ? null : System.err, mode).run(s, results, fresh);
        System.out.printf(Locale.ROOT, "%s: %d computed, %d already present, %d failed, %d at the iteration cap%s; %.1f s%n",
                s.name(), rep.ran(), rep.skipped(), rep.failed(), rep.capped(), rep.skipped() > 0 ? " in this run" : "",
                rep.seconds());
        if (!plot) {
            return;
        }
        List<MoeRow> rows = MoeRunner.read(results, s);
        MoeSummary summary = MoeSummary.of(s.header(), rows);
        AtomicFiles.writeString(dir.resolve("summary.csv"), summary.summaryCsv());
        AtomicFiles.writeString(dir.resolve("rates.csv"), summary.ratesCsv());
        AtomicFiles.writeString(dir.resolve("summary.md"), summary.markdown());
        MoePlots.write(summary, dir);
        report(file, dir);
        System.out.println(summary.markdown());
    }

    /**
     * Writes {@code DIR/report.html} from the folder's summary.md and figures.
     *
     * @param file the family scenario file of the folder
     * @param dir the folder
     */
    static void report(Path file, Path dir) {
        FamilyStudy s = SharedRoutedScenarioFiles.isSharedRoutedScenario(file) ? SharedRoutedScenarioFiles.read(file)
                : MoeScenarioFiles.read(file);
        Path md = dir.resolve("summary.md");
        if (!Files.isRegularFile(md)) {
            throw new IllegalArgumentException("DIR: " + dir + " has no summary.md (run simulate " + file + " first)");
        }
        try {
            StudyReport.Versions v = new StudyReport.Versions(Main.version(), System.getProperty("java.version")
                    + " (" + System.getProperty("java.vendor") + ")", "");
            boolean quick = dir.getFileName() != null && dir.getFileName().toString().equals(s.name() + "-quick");
            String command = "bin/prefixmoe simulate " + file + (quick ? " --quick" : "") + " -o "
                    + dir.toAbsolutePath().getParent();
            AtomicFiles.writeString(dir.resolve("report.html"), StudyReport.familyHtml(s.name(), s.fingerprint(),
                    Files.readString(md), file, Files.readString(file), dir, command, v));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + md + " or " + file + ": " + e.getMessage(), e);
        }
    }
}
