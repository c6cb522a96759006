package org.prefixmoe.simulation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.prefixmoe.loss.VoronoiLoss;
import org.prefixmoe.model.MixingMeasure;

/** Rows delivered to memory, a callback or the results file are the same rows; typed rows and stored estimates. */
class ResultSinkTest {
    @TempDir
    Path dir;

    @Test
    void memoryCallbackAndFileSinksReceiveTheSameRows() throws IOException {
        Scenario s = SmallScenarios.small(dir);
        Engine engine = new Engine(2, null);
        Path file = dir.resolve("file/results.csv");
        engine.run(s, file);
        Map<String, List<String>> fromFile = SmallScenarios.byKey(ResultsFile.read(file));

        List<ResultRow> inMemory = engine.run(s);
        assertEquals(Tasks.all(s).stream().map(Task::key).toList(), inMemory.stream().map(ResultRow::key).toList(),
                "canonical order");
        assertEquals(fromFile, SmallScenarios.byKey(inMemory));

        List<ResultRow> called = new ArrayList<>();
        Engine.Report r = engine.run(s, Tasks.all(s).subList(0, 4), ResultSink.of(called::add));
        assertEquals(4, r.ran());
        assertNull(r.results());
        assertEquals(4, called.size());
        called.forEach(row -> assertEquals(fromFile.get(row.key()), row.deterministicValues()));

        // A memory sink filled by a worker loop over the missing tasks (resume without a file).
        ResultSink.Memory memory = ResultSink.memory();
        Tasks.Runner runner = Tasks.runner(s);
        Tasks.missing(s, called).forEach(t -> memory.accept(runner.run(t)));
        List<ResultRow> all = new ArrayList<>(called);
        all.addAll(memory.rows());
        assertEquals(fromFile, SmallScenarios.byKey(all));
    }

    @Test
    void typedAccessorsReadTheColumns() throws IOException {
        Scenario s = SmallScenarios.small(dir);
        ResultRow row = Tasks.run(s, new Task(0, "shared-linear", 300, 2));
        assertEquals("small", row.scenario());
        assertEquals(s.fingerprint(), row.fingerprint());
        assertEquals("shared-linear", row.study());
        assertEquals(300, row.n());
        assertEquals(2, row.replicate());
        assertEquals(3, row.atoms());
        assertEquals(2, row.trueAtoms());
        assertEquals("ok", row.status());
        assertTrue(row.ok());
        assertEquals(Boolean.parseBoolean(row.get("converged")), row.converged());
        assertEquals(Integer.parseInt(row.get("iterations")), row.iterations().getAsInt());
        assertEquals(Double.parseDouble(row.get("d1")), row.d1());
        assertEquals(Double.parseDouble(row.get("multi_weighted")), row.multiWeighted());
        assertEquals(row.get("redundancy"), row.redundancy());
        assertTrue(row.emptyCells().isPresent());
        assertEquals("", row.message());
    }

    @Test
    void storedEstimatesGiveTheLossesBackWithoutRefitting() throws IOException {
        Scenario s = SmallScenarios.small(dir);
        for (ResultRow row : new Engine(2, null).run(s)) {
            MixingMeasure g = row.estimate().orElseThrow();
            assertEquals(row.get("estimate"), ResultRow.formatEstimate(g), "round trip");
            assertEquals(row.atoms(), g.size());
            Scenario.Study st = s.studies().stream().filter(x -> x.name().equals(row.study())).findFirst()
                    .orElseThrow();
            assertEquals(st.fitted().model().atomDimension(), g.atomDimension());
            // bit for bit the losses of the fit itself
            assertEquals(row.d1(), VoronoiLoss.d1(g, st.truth().truth()));
            assertEquals(row.d2(), VoronoiLoss.d2(g, st.truth().truth(), s.r()));
        }
        MixingMeasure biased = new MixingMeasure(new double[][] {{1.0, -0.0}, {1e-300, -2.5e17}},
                new double[] {0.1, -3.0});
        assertEquals("1.0;-0.0:0.1|1.0E-300;-2.5E17:-3.0", ResultRow.formatEstimate(biased));
        assertEquals(biased, ResultRow.parseEstimate(ResultRow.formatEstimate(biased)));
        MixingMeasure plain = new MixingMeasure(new double[][] {{0.3}, {Math.PI}}, null);
        assertEquals(plain, ResultRow.parseEstimate(ResultRow.formatEstimate(plain)));
        String msg = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> ResultRow.parseEstimate("1.0:0.1|2.0")).getMessage();
        assertTrue(msg.startsWith("estimate: not a stored estimate ('1.0:0.1|2.0')"), msg);
    }

    @Test
    void estimatesAreStoredOnlyWhenAsked() throws IOException {
        Path f = dir.resolve("small.yaml");
        SmallScenarios.small(dir);
        Files.writeString(f, Files.readString(f) + "store_estimates: false\n");
        Scenario off = ScenarioFiles.read(f);
        assertTrue(Tasks.run(off, Tasks.all(off).get(0)).estimate().isEmpty());
        assertTrue(!off.fingerprint().equals(SmallScenarios.small(dir).fingerprint()), "a row-changing setting");
    }

    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(ints = {1, 2})
    void aResultsFileOlderThanTheAddedColumnsResumesInItsOwnLayout(int older) throws IOException {
        Scenario s = SmallScenarios.small(dir);
        Path full = dir.resolve("full/results.csv");
        new Engine(2, null).run(s, full);

        // The same file as an earlier release wrote it: without the last `older` added columns, killed after 5 rows.
        List<String> added = ResultRow.ADDED_COLUMNS.subList(ResultRow.ADDED_COLUMNS.size() - older,
                ResultRow.ADDED_COLUMNS.size());
        List<String> lines = Files.readAllLines(full, StandardCharsets.UTF_8);
        List<String> old = lines.subList(0, 6).stream().map(l -> dropFields(l, added)).toList();
        Path cut = dir.resolve("old/results.csv");
        Files.createDirectories(cut.getParent());
        Files.writeString(cut, String.join("\n", old) + "\n", StandardCharsets.UTF_8);

        Engine.Report resumed = new Engine(2, null).run(s, cut);
        assertEquals(5, resumed.skipped());
        List<String> after = Files.readAllLines(cut, StandardCharsets.UTF_8);
        assertEquals(old.get(0), after.get(0), "the header is kept");
        assertTrue(after.stream().allMatch(l -> l.split(",", -1).length == ResultRow.COLUMNS.size() - older));
        List<ResultRow> rows = ResultsFile.read(cut);
        assertEquals(s.taskCount(), rows.size());
        assertTrue(rows.stream().allMatch(r -> Double.isNaN(r.gaussNewtonDecrement())));
        assertEquals(older == 2, rows.stream().allMatch(r -> r.estimate().isEmpty()));
        Map<String, List<String>> expected = ResultsFile.read(full).stream().collect(Collectors.toMap(
                ResultRow::key, r -> without(r.deterministicValues(), added)));
        assertEquals(expected, SmallScenarios.byKey(rows));
        // A fresh row compared with the older file's: the columns the file lacks do not count.
        ResultRow fresh = Tasks.run(s, Tasks.all(s).get(0));
        ResultRow written = rows.stream().filter(r -> r.key().equals(fresh.key())).findFirst().orElseThrow();
        assertEquals(List.of(), fresh.differencesFrom(written));
        // ... while in a file that holds them they do.
        ResultRow inFull = ResultsFile.read(full).stream().filter(r -> r.key().equals(fresh.key())).findFirst()
                .orElseThrow();
        assertTrue(fresh.gaussNewtonDecrement() >= 0, "least squares records its decrement");
        assertEquals(List.of(), fresh.differencesFrom(inFull));
        String[] v = inFull.values();
        v[ResultRow.COLUMNS.indexOf("gauss_newton_decrement")] = "0.5";
        List<String> differ = fresh.differencesFrom(new ResultRow(v));
        assertEquals(1, differ.size(), differ.toString());
        assertTrue(differ.get(0).startsWith("gauss_newton_decrement (0.5 in the file, "), differ.get(0));
    }

    @Test
    void theCommittedResultsOfThePaperFiguresStillReadAndResume() throws IOException {
        Path committed = Path.of("paper-figures/over-specified/results.csv");
        List<ResultRow> rows = ResultsFile.read(committed);
        assertEquals(1200, rows.size());
        // written before or after the estimate column existed: both read (with or without estimates)
        Path copy = dir.resolve("over-specified/results.csv");
        Files.createDirectories(copy.getParent());
        Files.copy(committed, copy);
        Scenario s = ScenarioFiles.read(Path.of("simulations/over-specified.yaml"));
        if (OldStopRule.FINGERPRINTS.contains(rows.get(0).fingerprint())) {
            // Rows of the stop rule before issue 8 are refused, not mixed with the new rule's.
            IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                    () -> ResultsFile.open(copy, s.fingerprint()).close());
            assertTrue(e.getMessage().contains(rows.get(0).fingerprint()), e.getMessage());
            assertEquals(Files.readString(committed), Files.readString(copy), "refusing changes nothing");
            return;
        }
        try (ResultsFile f = ResultsFile.open(copy, s.fingerprint())) {
            assertEquals(1200, f.existingRows());
            assertTrue(Tasks.all(s).stream().allMatch(f::has), "nothing left to compute");
        }
        assertEquals(Files.readString(committed), Files.readString(copy), "opening changes nothing");
        assertEquals(List.of(), Tasks.missing(s, rows));
        assertTrue(rows.stream().max(Comparator.comparingInt(ResultRow::n)).orElseThrow().n() == 100000);
    }

    private static String dropFields(String csvLine, List<String> columns) {
        List<String> f = new ArrayList<>(List.of(csvLine.split(",", -1)));
        for (int i = ResultRow.COLUMNS.size() - 1; i >= 0; i--) {
            if (columns.contains(ResultRow.COLUMNS.get(i))) {
                f.remove(i);
            }
        }
        return String.join(",", f);
    }

    private static List<String> without(List<String> values, List<String> columns) {
        List<String> v = new ArrayList<>(values);
        columns.forEach(c -> v.set(ResultRow.COLUMNS.indexOf(c), ""));
        return v;
    }
}
