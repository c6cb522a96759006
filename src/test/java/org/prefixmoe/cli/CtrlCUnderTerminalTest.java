package org.prefixmoe.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Ctrl-C typed at a terminal during {@code bin/prefixmoe simulate}: the terminal sends SIGINT to
 * the whole foreground process group, the launcher's stderr filter included, and the "N rows are
 * safe ... rerun to resume" line must still reach the terminal, with exit status 130.
 * {@link SimulateInterruptTest} covers the JVM alone (SIGTERM, redirected streams); this one runs
 * the real launcher under a pseudo-terminal ({@code src/test/resources/pty/ctrl_c.py}, python3's
 * {@code pty} module). Skipped where python3 or pseudo-terminals are missing. The launcher is
 * pointed at this build's classes and classpath, so it does not run Maven.
 */
class CtrlCUnderTerminalTest {
    @TempDir
    Path dir;

    @Test
    void ctrlCAtATerminalPrintsTheResumeLineAndExits130() throws Exception {
        Assumptions.assumeTrue(File.separatorChar == '/', "a Unix launcher");
        Assumptions.assumeTrue(works("python3", "-c", "import os, pty; os.openpty()"),
                "python3 with pseudo-terminals");
        Path root = Path.of("").toAbsolutePath();
        Path launcherBuild = launcherBuildDir(root);

        Path scenario = dir.resolve("long.yaml");
        Files.writeString(scenario, "name: long\nseed: 1\nstudies:\n  - {truth: "
                + root.resolve("simulations/models/default-shared-linear.yaml") + ", L: 3}\n"
                + "sizes: [3000]\nreplicates: 400\n");
        Path out = dir.resolve("out");
        Path results = out.resolve("long/results.csv");
        ProcessBuilder pb = new ProcessBuilder("python3", root.resolve("src/test/resources/pty/ctrl_c.py").toString(),
                results.toString(), "2", "180", "--", root.resolve("bin/prefixmoe").toString(), "simulate",
                scenario.toString(), "--threads", "1", "--no-plot", "-o", out.toString())
                .redirectErrorStream(true).redirectOutput(dir.resolve("terminal.txt").toFile());
        Map<String, String> env = pb.environment();
        env.put("PREFIXMOE_BUILD_DIR", root.relativize(launcherBuild).toString());
        env.put("PATH", Path.of(System.getProperty("java.home"), "bin") + File.pathSeparator + env.get("PATH"));
        env.remove("JAVA_OPTS");
        Process p = pb.start();
        try {
            assertTrue(p.waitFor(240, TimeUnit.SECONDS), "the pty helper ended");
        } finally {
            p.destroyForcibly();
        }
        String terminal = Files.readString(dir.resolve("terminal.txt"), StandardCharsets.UTF_8);
        Matcher status = Pattern.compile("EXIT (-?\\d+) SENT (\\d)( TIMEOUT)?\\s*$").matcher(terminal);
        assertTrue(status.find(), terminal);
        assertEquals("1", status.group(2), "Ctrl-C was typed (the run reached 2 rows): " + terminal);
        assertEquals(null, status.group(3), "the run ended after Ctrl-C by itself: " + terminal);
        assertEquals("130", status.group(1), "exit status 128 + SIGINT: " + terminal);
        Matcher safe = Pattern.compile("(\\d+) rows are safe in " + Pattern.quote(results.toString())).matcher(terminal);
        assertTrue(safe.find(), "the resume line reached the terminal: " + terminal);
        assertTrue(terminal.contains("rerun the same command to resume"), terminal);
        int written = Files.readAllLines(results, StandardCharsets.UTF_8).size() - 1;
        assertTrue(Integer.parseInt(safe.group(1)) >= 2 && Integer.parseInt(safe.group(1)) <= written,
                safe.group(1) + " rows said safe, " + written + " in the file");
        assertFalse(terminal.contains("Using incubator modules"), "the launcher drops the JVM's warning");
        assertFalse(Files.exists(out.resolve("long/results.csv.lock")), "no lock file left behind");
    }

    /**
     * A build folder for the launcher inside this build's folder: an empty {@code classes} and a
     * classpath file newer than every source, so the launcher runs this JVM's test classpath as is.
     */
    private static Path launcherBuildDir(Path root) throws Exception {
        Path testClasses = Path.of(CtrlCUnderTerminalTest.class.getProtectionDomain().getCodeSource().getLocation()
                .toURI());
        Path build = testClasses.getParent().resolve("pty-launcher");
        Files.createDirectories(build.resolve("classes"));
        Files.writeString(build.resolve("prefixmoe-classpath.txt"), System.getProperty("java.class.path"),
                StandardCharsets.UTF_8);
        assertTrue(build.startsWith(root), "the launcher's build folder is inside the checkout: " + build);
        return build;
    }

    private static boolean works(String... command) {
        try {
            Process p = new ProcessBuilder(List.of(command)).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            return p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
