package org.prefixmoe.simulation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TasksTest {
    @TempDir
    Path dir;

    @Test
    void tasksAreListedInCanonicalOrder() throws IOException {
        Scenario s = SmallScenarios.small(dir);
        List<Task> all = Tasks.all(s);
        assertEquals(s.taskCount(), all.size());
        assertEquals(new Task(0, "shared-linear", 150, 0), all.get(0));
        assertEquals(new Task(0, "shared-linear", 150, 1), all.get(1));
        assertEquals(new Task(0, "shared-linear", 300, 0), all.get(3));
        assertEquals(new Task(1, "non-shared", 300, 2), all.get(all.size() - 1));
        assertEquals(all, Tasks.all(s), "deterministic");
    }

    @Test
    void thePublicRunnerReproducesTheEngineRowsBitForBit() throws IOException {
        Scenario s = SmallScenarios.small(dir);
        Path file = dir.resolve("engine/results.csv");
        new Engine(2, null).run(s, file);
        Map<String, List<String>> engine = SmallScenarios.byKey(ResultsFile.read(file));

        // A worker that rebuilt the scenario from its text, running the tasks one by one in reverse.
        Path scenarioFile = dir.resolve("small.yaml");
        Scenario rebuilt = ScenarioFiles.parse(Files.readString(scenarioFile), scenarioFile);
        assertEquals(s.fingerprint(), rebuilt.fingerprint());
        List<Task> tasks = new ArrayList<>(Tasks.all(rebuilt));
        java.util.Collections.reverse(tasks);
        List<ResultRow> rows = new ArrayList<>();
        for (Task t : tasks) {
            rows.add(Tasks.run(rebuilt, t));
        }
        assertEquals(engine, SmallScenarios.byKey(rows));
        assertEquals(12, engine.size());
    }

    @Test
    void leastSquaresRowsRecordTheGaussNewtonDecrementOfTheirEstimate() throws IOException {
        Scenario s = SmallScenarios.small(dir);
        for (Task t : Tasks.all(s).subList(0, 4)) {
            Tasks.Replay r = Tasks.replay(s, t);
            Scenario.Study st = s.studies().get(t.study());
            org.prefixmoe.estimation.FitProblem problem = new org.prefixmoe.estimation.FitProblem(
                    st.fitted().model(), r.data(), st.atoms(), st.fitted().box());
            double expected = org.prefixmoe.estimation.GaussNewtonCertificate.of(problem, r.fit().estimate())
                    .decrement();
            assertEquals(expected, r.row().gaussNewtonDecrement(), t.key());
            assertTrue(expected >= 0, t.key());
        }
    }

    @Test
    void aTaskIsFoundByItsStudyNAndReplicate() throws IOException {
        Scenario s = SmallScenarios.small(dir);
        assertEquals(Tasks.all(s).get(Tasks.all(s).size() - 1), Tasks.task(s, "non-shared", 300, 2));
        IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> Tasks.task(s, "nope", 300, 0));
        assertTrue(e.getMessage().contains("no study 'nope'") && e.getMessage().contains("shared-linear, non-shared"),
                e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Tasks.task(s, "non-shared", 301, 0));
    }

    @Test
    void missingTasksAreThoseWithoutARow() throws IOException {
        Scenario s = SmallScenarios.small(dir);
        Tasks.Runner runner = Tasks.runner(s);
        List<Task> all = Tasks.all(s);
        List<ResultRow> some = List.of(runner.run(all.get(1)), runner.run(all.get(7)));
        List<Task> missing = Tasks.missing(s, some);
        assertEquals(all.size() - 2, missing.size());
        assertTrue(!missing.contains(all.get(1)) && !missing.contains(all.get(7)));
        assertEquals(all.stream().filter(t -> !t.equals(all.get(1)) && !t.equals(all.get(7))).toList(), missing,
                "canonical order");
        assertEquals(all, Tasks.missing(s, List.of()));

        // Rows of other settings are refused.
        Path other = dir.resolve("other.yaml");
        Files.writeString(other, Files.readString(dir.resolve("small.yaml")).replace("seed: 7", "seed: 8"));
        Scenario s8 = ScenarioFiles.read(other);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Tasks.missing(s8, some));
        assertTrue(e.getMessage().contains(s.fingerprint()), e.getMessage());
    }

    @Test
    void aTaskOfAnotherScenarioIsRefused() throws IOException {
        Scenario s = SmallScenarios.small(dir);
        Function<Task, String> msg = t -> assertThrows(IllegalArgumentException.class, () -> Tasks.run(s, t))
                .getMessage();
        assertTrue(msg.apply(new Task(0, "non-shared", 150, 0)).contains("names no study"));
        assertTrue(msg.apply(new Task(2, "x", 150, 0)).contains("names no study"));
        assertTrue(msg.apply(new Task(0, "shared-linear", 151, 0)).contains("not a sample size"));
        assertTrue(msg.apply(new Task(0, "shared-linear", 150, 3)).contains("replicate 3"));
    }
}
