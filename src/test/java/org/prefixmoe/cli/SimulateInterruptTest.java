package org.prefixmoe.cli;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Stopping {@code simulate} as Ctrl-C does (the JVM's shutdown hooks run; here SIGTERM, which runs
 * them the same way) leaves the rows written so far, a line saying how to resume, and no lock file.
 */
class SimulateInterruptTest {
    @TempDir
    Path dir;

    @Test
    void interruptedRunSaysHowToResumeAndLeavesNoLockFile() throws Exception {
        Path scenario = dir.resolve("long.yaml");
        Files.writeString(scenario, "name: long\nseed: 1\nstudies:\n  - {truth: "
                + Path.of("simulations/models/default-shared-linear.yaml").toAbsolutePath() + ", L: 3}\n"
                + "sizes: [3000]\nreplicates: 400\n");
        Path out = dir.resolve("out");
        Path err = dir.resolve("err.txt");
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), "org.prefixmoe.cli.Main", "simulate", scenario.toString(),
                "--threads", "1", "--no-plot", "--progress", "lines", "-o", out.toString())
                .redirectOutput(dir.resolve("out.txt").toFile()).redirectError(err.toFile()).start();
        Path results = out.resolve("long/results.csv");
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (rows(results) < 2 && System.nanoTime() < deadline && p.isAlive()) {
                Thread.sleep(50);
            }
            assertTrue(p.isAlive(), "the run ended before it could be interrupted");
            assertTrue(Files.exists(out.resolve("long/results.csv.lock")), "the lock file exists while running");
            p.destroy();
            assertTrue(p.waitFor(30, TimeUnit.SECONDS));
        } finally {
            p.destroyForcibly();
        }
        String text = Files.readString(err, StandardCharsets.UTF_8);
        int safe = rows(results);
        assertTrue(safe >= 2, "rows written before the interruption");
        assertTrue(text.contains(" rows are safe in " + results) && text.contains("rerun the same command to resume"), text);
        assertFalse(text.contains("\r"), text);
        assertTrue(Files.readString(out.resolve("long/runs.log")).contains("interrupted after"));
        assertFalse(Files.exists(out.resolve("long/results.csv.lock")), "no lock file left behind");
    }

    private static int rows(Path results) throws IOException {
        if (!Files.exists(results)) {
            return 0;
        }
        List<String> lines = Files.readAllLines(results, StandardCharsets.UTF_8);
        return Math.max(0, lines.size() - 1);
    }
}
