package org.prefixmoe.simulation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EngineTest {
    @TempDir
    Path dir;

    private static List<List<String>> sortedRows(Path file) {
        return ResultsFile.read(file).stream().map(ResultRow::deterministicValues)
                .sorted((a, b) -> String.join(",", a).compareTo(String.join(",", b))).toList();
    }

    @Test
    void rowsAreIdenticalForOneAndTwoThreads() throws IOException {
        Scenario s = SmallScenarios.small(dir);
        Path one = dir.resolve("one/results.csv");
        Path two = dir.resolve("two/results.csv");
        Engine.Report r1 = new Engine(1, null).run(s, one);
        Engine.Report r2 = new Engine(2, null).run(s, two);
        assertEquals(s.taskCount(), r1.ran());
        assertEquals(s.taskCount(), r2.ran());
        List<List<String>> a = sortedRows(one);
        assertEquals(12, a.size());
        assertEquals(a, sortedRows(two));
        assertTrue(a.stream().allMatch(r -> r.get(ResultRow.COLUMNS.indexOf("status")).equals("ok")));
    }

    @Test
    void resumeAfterInterruptionGivesTheRowsOfAnUninterruptedRun() throws IOException {
        Scenario s = SmallScenarios.small(dir);
        Path full = dir.resolve("full/results.csv");
        new Engine(2, null).run(s, full);
        List<String> lines = Files.readAllLines(full, StandardCharsets.UTF_8);

        // A run killed after 5 rows, in the middle of writing the 6th.
        Path cut = dir.resolve("cut/results.csv");
        Files.createDirectories(cut.getParent());
        String partial = lines.get(6).substring(0, lines.get(6).length() / 2);
        Files.writeString(cut, String.join("\n", lines.subList(0, 6)) + "\n" + partial, StandardCharsets.UTF_8);

        Engine.Report resumed = new Engine(2, null).run(s, cut);
        assertEquals(5, resumed.skipped());
        assertEquals(s.taskCount() - 5, resumed.ran());
        assertEquals(sortedRows(full), sortedRows(cut));
        List<ResultRow> rows = ResultsFile.read(cut);
        Set<String> keys = rows.stream().map(ResultRow::key).collect(Collectors.toSet());
        assertEquals(rows.size(), keys.size(), "no task has two rows");

        // A second rerun computes nothing and adds nothing.
        Engine.Report again = new Engine(2, null).run(s, cut);
        assertEquals(0, again.ran());
        assertEquals(rows.size(), ResultsFile.read(cut).size());
    }

    @Test
    void aResultsFileOfOtherSettingsIsRefused() throws IOException {
        Scenario s = SmallScenarios.small(dir);
        Path file = dir.resolve("r/results.csv");
        Files.createDirectories(file.getParent());
        Files.writeString(file, String.join(",", ResultRow.COLUMNS) + "\n"
                + "small,000000000000,shared-linear,shared-linear,3,2,150,0,least-squares,near-truth,ok,"
                + "objective-change,true,3,4,0.1,0.1,0.1,0.1,0.1,0.1,0.1,0.1,0,split,,0.1,,\n");
        IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> new Engine(1, null).run(s, file));
        assertTrue(e.getMessage().contains("settings"), e.getMessage());
    }

    @Test
    void aSecondRunOnTheSameResultsFileIsRefusedWhileTheFirstHoldsIt() throws IOException {
        Scenario s = SmallScenarios.small(dir);
        Path file = dir.resolve("locked/results.csv");
        try (ResultsFile first = ResultsFile.open(file, s.fingerprint())) {
            IllegalStateException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalStateException.class,
                    () -> new Engine(1, null).run(s, file));
            assertTrue(e.getMessage().contains("another run"), e.getMessage());
        }
        // Once the first run has closed the file, the same command runs.
        Engine.Report report = new Engine(1, null).run(s, file);
        assertTrue(report.ran() > 0);
    }
}
