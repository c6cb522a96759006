package org.prefixmoe.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import picocli.CommandLine;

/** What the command-line tests share: a tiny scenario file and an in-process run of the CLI. */
final class TinyCli {
    private TinyCli() {
    }

    /** Writes {@code tiny.yaml} (default shared-linear truth, L = 2, n = 100, 200, 400, 2 replicates) into dir. */
    static Path scenario(Path dir) throws IOException {
        Path f = dir.resolve("tiny.yaml");
        Files.writeString(f, "name: tiny\nseed: 1\nstudies:\n  - {truth: "
                + Path.of("simulations/models/default-shared-linear.yaml").toAbsolutePath() + ", L: 2}\n"
                + "sizes: [100, 200, 400]\nreplicates: 2\n");
        return f;
    }

    /** Runs the command line in-process with stderr captured into err; returns the exit status. */
    static int run(StringWriter err, String... args) {
        CommandLine cl = Main.commandLine();
        cl.setErr(new PrintWriter(err));
        return cl.execute(args);
    }
}
