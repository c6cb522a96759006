package org.prefixmoe.simulation.moe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.prefixmoe.simulation.Progress;

class MoeRunnerTest {

    private static List<String> rowsWithoutSeconds(Path file, MoeScenario s) {
        return MoeRunner.read(file, s).stream().sorted(Comparator.comparing(MoeRow::key))
                .map(r -> r.values(s.name(), s.fingerprint(), List.of()).toString().replaceAll(", [0-9.]+, ([^,]*)\\]$",
                        ", $1]") + r.contributions() + r.errors())
                .toList();
    }

    /** Rows are the same for 1 and 2 threads, and a resumed run (cut last line) completes them identically. */
    @Test
    void rowsAreIndependentOfThreadsAndResume(@TempDir Path dir) throws IOException {
        MoeScenario s = MoeScenarioFilesTest.tiny();
        Path one = dir.resolve("one/results.csv");
        Path two = dir.resolve("two/results.csv");
        MoeRunner.Report r1 = new MoeRunner(1, null, Progress.Mode.LINES).run(s, one, false);
        assertEquals(12, r1.ran());
        new MoeRunner(2, null, Progress.Mode.LINES).run(s, two, false);
        List<String> expected = rowsWithoutSeconds(one, s);
        assertEquals(12, expected.size());
        assertEquals(expected, rowsWithoutSeconds(two, s));
        // keep the header and 5 rows, cut the 6th in the middle: a resume drops it and computes the rest
        List<String> lines = Files.readAllLines(two, StandardCharsets.UTF_8);
        Files.writeString(two, String.join("\n", lines.subList(0, 6)) + "\n" + lines.get(6).substring(0, 30),
                StandardCharsets.UTF_8);
        MoeRunner.Report resumed = new MoeRunner(2, null, Progress.Mode.LINES).run(s, two, false);
        assertEquals(5, resumed.skipped());
        assertEquals(7, resumed.ran());
        assertEquals(expected, rowsWithoutSeconds(two, s));
        assertEquals(0, new MoeRunner(1, null, Progress.Mode.LINES).run(s, two, false).ran());
        assertTrue(Files.notExists(dir.resolve("two/results.csv.lock")));
    }

    /** Every study fits the same data set at (n, replicate): the fitted K's are compared on the same data. */
    @Test
    void studiesShareTheDataOfEachReplicate() {
        MoeScenario s = MoeScenarioFilesTest.tiny();
        assertTrue(java.util.Arrays.equals(MoeRunner.data(s, 300, 2).y(), MoeRunner.data(s, 300, 2).y()));
        assertTrue(!java.util.Arrays.equals(MoeRunner.data(s, 300, 2).y(), MoeRunner.data(s, 300, 3).y()));
    }

    @Test
    void refusesAnotherScenariosFile(@TempDir Path dir) throws IOException {
        MoeScenario s = MoeScenarioFilesTest.tiny();
        Path f = dir.resolve("results.csv");
        Files.writeString(f, "x1,y1\n0.5,1.0");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new MoeRunner(1, null, Progress.Mode.LINES).run(s, f, false));
        assertTrue(e.getMessage().contains("not a results file of this scenario"), e.getMessage());
        assertEquals("x1,y1\n0.5,1.0", Files.readString(f), "the file is left as it was");
    }

    /** The summary's slopes and cell counts come from the rows; failed fits are counted apart. */
    @Test
    void summaryCountsCellsAndFits(@TempDir Path dir) {
        MoeScenario s = MoeScenarioFilesTest.tiny();
        Path f = dir.resolve("results.csv");
        new MoeRunner(2, null, Progress.Mode.LINES).run(s, f, false);
        MoeSummary sum = MoeSummary.of(s, MoeRunner.read(f, s));
        assertEquals(2, sum.studies().size());
        MoeSummary.StudySummary k2 = sum.studies().get(0);
        assertEquals(6, k2.fits());
        assertEquals(6, k2.cells().values().stream().mapToInt(Integer::intValue).sum());
        assertEquals(2, k2.sizes().length);
        assertTrue(sum.markdown().contains("| k3 | 3 | loss | mean |"), sum.markdown());
        assertEquals(6, k2.byCells().values().stream().mapToInt(MoeSummary.CellRates::fits).sum());
        assertTrue(sum.markdown().contains("By cell configuration"), sum.markdown());
        assertTrue(sum.ratesCsv().lines().count() > 1);
    }

    /** A member with part-2 parts (tempered tanh softmax gate, GELU FFN experts) runs end to end: every fit ends, every loss is finite. */
    @Test
    void runsAMemberWithPart2Parts(@TempDir Path dir) {
        MoeScenario s = MoeScenarioFilesTest.ffn();
        Path f = dir.resolve("results.csv");
        MoeRunner.Report r = new MoeRunner(2, null, Progress.Mode.LINES).run(s, f, false);
        assertEquals(s.taskCount(), r.ran());
        List<MoeRow> rows = MoeRunner.read(f, s);
        assertEquals(s.taskCount(), rows.size());
        for (MoeRow row : rows) {
            assertEquals("ok", row.status(), row.toString());
            assertTrue(Double.isFinite(row.loss()) && Double.isFinite(row.logLikelihood()), row.toString());
        }
    }
}
