package org.prefixmoe.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.prefixmoe.simulation.ResultsMerge;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code merge}: one results folder from the folders of the shards of a scenario. */
@Command(name = "merge", mixinStandardHelpOptions = true,
        description = {"Merge the results folders of the shards of one scenario (simulate --shard i/k) into one"
                + " results folder, OUT/results.csv (written atomically) and OUT/runs.log, whose rows are those of an"
                + " unsharded run; summarize, plot, and simulate/figures (which then only draw) read it unchanged."
                + " Refuses inputs of different scenario settings, a task present in two inputs, an input"
                + " that a run is still writing, and (unless --partial) missing shards, missing tasks of a shard"
                + " and cut rows, which the shards' manifests (shard.txt) reveal. Creates nothing in its inputs."})
final class MergeCommand implements Callable<Integer> {
    @Parameters(arity = "1..*", paramLabel = "DIR", description = "Results folders (or their results.csv), or the"
            + " -o folder given to simulate --shard (its NAME-shard-i-of-k folders).")
    List<Path> inputs;

    @Option(names = {"-o", "--output"}, required = true, description = "Output folder.")
    Path output;

    @Option(names = "--partial", description = "Merge what is there although shards or tasks are missing or a"
            + " row is cut (each gap is printed as a warning); without it such a merge is refused.")
    boolean partial;

    @Override
    public Integer call() {
        ResultsMerge.Merged m = ResultsMerge.of(inputs);
        Outputs.folder("--output", output, List.of("results.csv", "results.csv.lock", "runs.log"));
        if (!m.complete() && !partial) {
            throw new IllegalArgumentException("merge: incomplete input: " + String.join("; ", m.gaps())
                    + ". Rerun the missing or unfinished shards (simulate --shard i/k resumes them), or pass"
                    + " --partial to merge what is there; nothing written");
        }
        for (String gap : m.gaps()) {
            System.err.println("warning: " + gap);
        }
        if (!m.checked()) {
            System.err.println("note: the inputs have no shard manifests (" + org.prefixmoe.simulation.Shards.MANIFEST
                    + ", written by simulate --shard): whether shards or tasks are missing was not checked");
        }
        Path file = ResultsMerge.write(m, output);
        StringBuilder log = new StringBuilder();
        for (ResultsMerge.Input in : m.inputs()) {
            System.out.printf(Locale.ROOT, "%s: %d rows%n", in.file(), in.rows());
            Path runs = in.file().resolveSibling("runs.log");
            if (Files.isRegularFile(runs) && !runs.toAbsolutePath().normalize().equals(
                    output.resolve("runs.log").toAbsolutePath().normalize())) {
                try {
                    for (String line : Files.readAllLines(runs, StandardCharsets.UTF_8)) {
                        log.append(line).append("  [").append(in.file().getParent()).append("]\n");
                    }
                } catch (IOException e) {
                    throw new UncheckedIOException("cannot read " + runs + ": " + e.getMessage(), e);
                }
            }
        }
        log.append(String.format(Locale.ROOT, "%s  merged %d rows from %d inputs (fingerprint %s)%s%n",
                java.time.Instant.now().truncatedTo(java.time.temporal.ChronoUnit.SECONDS), m.rows().size(),
                m.inputs().size(), m.fingerprint(), m.complete() ? "" : "  partial: " + m.gaps().size() + " gap(s)"));
        try {
            Files.writeString(output.resolve("runs.log"), log, StandardCharsets.UTF_8,
                    java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + output.resolve("runs.log") + ": " + e.getMessage(), e);
        }
        System.out.printf(Locale.ROOT, "wrote %s: %d rows%n", file, m.rows().size());
        return 0;
    }
}
