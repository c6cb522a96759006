package org.prefixmoe.simulation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ProgressTest {
    @TempDir
    Path dir;

    private static String run(Progress.Mode mode, int tasks, Path log) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
             Progress p = new Progress(out, mode, tasks, 100.0 * tasks, 0, Path.of("results.csv"), log)) {
            for (int i = 0; i < tasks; i++) {
                p.step(100, i != 3);
            }
        }
        return bytes.toString(StandardCharsets.UTF_8);
    }

    @Test
    void aRedirectedStreamGetsOnePlainLinePerTenth() {
        String text = run(Progress.Mode.LINES, 200, null);
        assertFalse(text.contains("\r"), "no carriage returns in a log");
        List<String> lines = text.lines().toList();
        assertEquals(10, lines.size(), text);
        assertTrue(lines.get(0).startsWith("progress: 10% 20/200 fits"), lines.get(0));
        assertTrue(lines.get(9).startsWith("progress: 100% 200/200 fits"), lines.get(9));
        assertTrue(lines.get(9).contains("failed 1"), lines.get(9));
    }

    @Test
    void aTerminalGetsABarRedrawnInPlace() {
        String text = run(Progress.Mode.BAR, 5, null);
        assertTrue(text.startsWith("\r["), text);
        assertTrue(text.contains("5/5 fits"), text);
        assertFalse(text.contains("progress:"), text);
    }

    @Test
    void autoOutsideATerminalMeansLines() {
        // tests run without a console (surefire pipes the streams)
        assertEquals(System.console() == null ? Progress.Mode.LINES : Progress.Mode.BAR, Progress.Mode.AUTO.resolve());
    }

    @Test
    void theRunLogGetsTheLinesAsTheRunGoes() throws IOException {
        Path log = dir.resolve("runs.log");
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        Progress p = new Progress(new PrintStream(bytes, true, StandardCharsets.UTF_8), Progress.Mode.BAR, 20, 2000,
                5, Path.of("out/results.csv"), log);
        assertTrue(Files.readString(log).contains("start: 20 tasks to compute, 5 rows already in out/results.csv"));
        for (int i = 0; i < 4; i++) {
            p.step(100, true);
        }
        // before the end: the log already has the first fifth
        assertTrue(Files.readString(log).contains("progress: 20% 4/20 fits"), Files.readString(log));
        assertEquals("interrupted after 0:00: 9 rows are safe in out/results.csv (4 computed now, 5 before); rerun the"
                + " same command to resume (only the 16 missing tasks are computed)", p.interruptedLine());
        p.close();
    }
}
