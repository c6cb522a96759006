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
import java.util.concurrent.atomic.AtomicLong;
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

    /** A bar on a clock the test moves: {@code at[i]} seconds after the start for task i. */
    private static List<String> bars(int total, double... at) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        AtomicLong now = new AtomicLong(1_000_000_000L);
        long start = now.get();
        try (PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
             Progress p = new Progress(out, Progress.Mode.BAR, total, 100.0 * total, 0, null, null, now::get)) {
            for (double t : at) {
                now.set(start + (long) (t * 1e9));
                p.step(100, true);
            }
        }
        String text = bytes.toString(StandardCharsets.UTF_8);
        assertTrue(text.startsWith("\r"), text);
        return List.of(text.substring(1).split("\r", -1));
    }

    @Test
    void aShorterBarLeavesNoStaleCharacters() {
        // 1 fit in 0.1 s (10.0 fits/s), then 2 in 1 s (2.0 fits/s): the second line is one character shorter
        List<String> bars = bars(100, 0.1, 1.0);
        assertEquals(2, bars.size(), bars.toString());
        assertTrue(bars.get(0).contains("10.0 fits/s") && bars.get(1).contains(" 2.0 fits/s"), bars.toString());
        assertEquals(bars.get(0).length(), bars.get(1).length(), "padded to the line before: " + bars);
        assertTrue(bars.get(1).endsWith("--:-- "), bars.toString());
    }

    @Test
    void theTimeLeftWaitsForAFewTasksAndSomeSeconds() {
        List<String> bars = bars(100, 1, 2, 3, 4.5, 6, 7);
        assertTrue(bars.get(0).contains("1/100 fits") && bars.get(0).contains("left --:--"), bars.get(0));
        assertTrue(bars.get(3).contains("4/100 fits") && bars.get(3).contains("left --:--"), "4 tasks, 4.5 s: "
                + bars.get(3));
        // 5 tasks in 6 s: 6 · 95 / 5 = 114 s left
        assertTrue(bars.get(4).contains("5/100 fits") && bars.get(4).contains("left 1:54"), bars.get(4));
        List<String> quick = bars(3, 0.5, 0.9, 1.3);
        assertTrue(quick.get(2).contains("3/3 fits") && quick.get(2).contains("left 0:00"), "the last task: " + quick);
    }
}
