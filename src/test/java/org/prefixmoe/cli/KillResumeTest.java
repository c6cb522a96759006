package org.prefixmoe.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.prefixmoe.simulation.ResultRow;
import org.prefixmoe.simulation.ResultsFile;

/**
 * A real {@code simulate} process killed mid-run ({@code destroyForcibly}, SIGKILL on Unix) and
 * rerun computes only the missing tasks, and its rows equal an uninterrupted run's (every column
 * but the timing).
 */
class KillResumeTest {
    @TempDir
    Path dir;

    private static final String SCENARIO = "name: killed\nseed: 11\nstudies:\n  - {truth: "
            + Path.of("simulations/models/default-shared-linear.yaml").toAbsolutePath() + ", L: 3}\n"
            + "sizes: [200, 400]\nreplicates: 6\nsolver: {max_iterations: 100}\n";

    private static Map<String, List<String>> rows(Path file) {
        Map<String, List<String>> out = new TreeMap<>();
        for (ResultRow r : ResultsFile.read(file)) {
            out.put(r.key(), r.deterministicValues());
        }
        return out;
    }

    @Test
    void killedRunResumesToTheRowsOfAnUninterruptedRun() throws IOException, InterruptedException {
        Path scenario = dir.resolve("killed.yaml");
        Files.writeString(scenario, SCENARIO);
        Path killedOut = dir.resolve("killed-out");
        Path results = killedOut.resolve("killed/results.csv");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        // The child gets this JVM's module and kernel flags: the vector and scalar kernels of the
        // fused pass may differ in the last bits, and the comparison is with an in-process run.
        List<String> cmd = new ArrayList<>(List.of(java, "-Djava.awt.headless=true"));
        for (String a : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
            if (a.startsWith("--add-modules") || a.startsWith("-Dprefixmoe.")) {
                cmd.add(a);
            }
        }
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), "org.prefixmoe.cli.Main", "simulate",
                scenario.toString(), "-q", "--no-plot", "--threads", "1", "-o", killedOut.toString()));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(dir.resolve("log.txt").toFile())
                .start();
        long rowsAtKill = 0;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (System.nanoTime() < deadline && p.isAlive()) {
            if (Files.exists(results)) {
                rowsAtKill = Files.readAllLines(results).size() - 1;
                if (rowsAtKill >= 2) {
                    break;
                }
            }
            Thread.sleep(10);
        }
        assertTrue(p.isAlive(), "the run ended before it could be killed (" + rowsAtKill + " rows); "
                + Files.readString(dir.resolve("log.txt")));
        p.destroyForcibly();
        assertTrue(p.waitFor(30, TimeUnit.SECONDS));
        int partial = ResultsFile.read(results).size();
        assertTrue(partial >= 2 && partial < 12, partial + " rows after the kill");

        assertEquals(0, HostileInputTest.run(dir, "simulate", scenario.toString(), "-q", "--no-plot", "--threads", "2",
                "-o", killedOut.toString()).status());
        assertEquals(0, HostileInputTest.run(dir, "simulate", scenario.toString(), "-q", "--no-plot", "--threads", "2",
                "-o", dir.resolve("whole").toString()).status());
        Map<String, List<String>> resumed = rows(results);
        assertEquals(12, resumed.size());
        assertEquals(12, Files.readAllLines(results).size() - 1, "no task has two rows");
        assertEquals(rows(dir.resolve("whole/killed/results.csv")), resumed);
        assertTrue(Files.readString(killedOut.resolve("killed/runs.log")).contains("present before"),
                "the rerun's log says what it found");
    }
}
