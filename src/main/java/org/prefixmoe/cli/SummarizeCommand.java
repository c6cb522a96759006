package org.prefixmoe.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.prefixmoe.io.AtomicFiles;
import org.prefixmoe.simulation.ResultsFile;
import org.prefixmoe.simulation.Summary;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code summarize}: statistics and rates of a results file. */
@Command(name = "summarize", mixinStandardHelpOptions = true,
        description = {"Summarize a results file: per study and n the mean (primary), sd, median and quartiles of"
                + " each loss; per study and loss the log-log slope with 95%% t and bootstrap intervals and the"
                + " theory's slope; per study and n how many fits failed, stopped at the iteration cap, switched"
                + " a redundant atom off or split a true atom. Prints a table and writes summary.csv, rates.csv,"
                + " outcomes.csv and summary.md."})
final class SummarizeCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "RESULTS", description = "results.csv written by simulate.")
    Path results;

    @Option(names = {"-o", "--output"}, description = "Output folder (default: the folder of RESULTS).")
    Path output;

    @Override
    public Integer call() {
        Path dir = output != null ? output : results.toAbsolutePath().getParent();
        AtomicFiles.requireWritableFolder(dir);
        Summary s = Summary.of(ResultsFile.read(results));
        System.out.print(s.table());
        String title = results.toAbsolutePath().getParent().getFileName().toString();
        s.write(dir, title);
        System.out.println("wrote " + dir.resolve("summary.md") + ", summary.csv, rates.csv, outcomes.csv");
        return 0;
    }
}
