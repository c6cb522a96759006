package org.prefixmoe.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.prefixmoe.simulation.Certification;
import org.prefixmoe.simulation.Scenario;
import org.prefixmoe.simulation.ScenarioFiles;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code certify}: adds the Gauss–Newton decrement to results written before the column existed. */
@Command(name = "certify", mixinStandardHelpOptions = true,
        description = {"Add the gauss_newton_decrement column to the results of a least-squares study written before it"
            + " existed, without refitting: each row's data set is drawn again from its seed and the Gauss-Newton"
            + " certificate taken at its stored estimate (one pass per row; the same bits a run computes). Every other"
            + " column is kept; the file is rewritten atomically. Then summarize or figures shows, per study and n, the"
            + " converged fits that are not certified (likely stopped early on a crawl)."})
final class CertifyCommand implements Callable<Integer> {
    @Parameters(arity = "1..*", paramLabel = "SCENARIO", description = "Scenario files (YAML or JSON).")
    List<Path> scenarios;

    @Option(names = {"-o", "--output"}, defaultValue = "plots",
            description = "Parent folder of the results, as for simulate: OUT/NAME/results.csv (default: ${DEFAULT-VALUE}).")
    Path output;

    @Option(names = "--threads", description = "Worker threads (default: all cores, ${sys:prefixmoe.cores}).")
    Integer threads;

    @Option(names = "--quick", description = "The results of the scenario's quick grid, OUT/NAME-quick/.")
    boolean quick;

    @Override
    public Integer call() {
        int t = threads == null ? Runtime.getRuntime().availableProcessors() : threads;
        if (t < 1) {
            throw new IllegalArgumentException("--threads: must be >= 1, got " + t);
        }
        for (Path file : scenarios) {
            Scenario s = ScenarioFiles.read(file);
            if (quick) {
                s = s.quick();
            }
            Path results = output.resolve(s.name() + (quick ? "-quick" : "")).resolve("results.csv");
            if (!Files.isRegularFile(results)) {
                throw new IllegalArgumentException(file + ": no results file " + results + " (run simulate first, or"
                        + " give its -o folder)");
            }
            Certification.Report r = Certification.certify(s, results, t);
            System.out.printf(Locale.ROOT, "%s: %d rows, %d decrements computed, %d already present; %d of %d"
                    + " converged fits not certified (Gauss-Newton model promises more than 1e-9)%s%n", results,
                    r.rows(), r.computed(), r.present(), r.notCertified(), r.converged(),
                    r.computed() > 0 ? "" : r.present() > 0 ? "; file unchanged" : "; file unchanged: no row is a"
                            + " least-squares fit with a stored estimate (scenario option store_estimates)");
        }
        return 0;
    }
}
