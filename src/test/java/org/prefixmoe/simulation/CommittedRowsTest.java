package org.prefixmoe.simulation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Every committed prefix result still comes out bit for bit: for each paper figure, the row of
 * replicate 1 at the smallest size of each study is recomputed from its scenario file and compared
 * with the committed row in every column but {@code seconds}. A change of the model layer, the
 * kernels or the estimators that moves one bit fails here.
 */
class CommittedRowsTest {

    @ParameterizedTest
    @CsvSource({
        "over-specified, over-specified",
        "exact-specified, exact-specified",
        "prompt-mlp, prompt-mlp",
        "second-truth, second-truth",
        "second-truth-large-n4, second-truth-large-n4",
        "em, em-over-specified",
    })
    void committedRowsAreRecomputedBitForBit(String figure, String scenario) {
        Path results = Path.of("paper-figures", figure, "results.csv");
        assertTrue(Files.exists(results), results.toString());
        Scenario s = ScenarioFiles.read(Path.of("simulations", scenario + ".yaml"));
        List<ResultRow> rows = ResultsFile.read(results);
        assertEquals(s.fingerprint(), rows.get(0).fingerprint(), "the committed rows are of this scenario");
        Map<String, ResultRow> firstOfStudy = rows.stream().filter(r -> r.replicate() == 1)
                .collect(Collectors.toMap(ResultRow::study, r -> r,
                        (a, b) -> a.n() <= b.n() ? a : b));
        List<String> checked = new ArrayList<>();
        for (ResultRow committed : firstOfStudy.values().stream().sorted(Comparator.comparing(ResultRow::study)).toList()) {
            Task task = Tasks.all(s).stream().filter(t -> t.key().equals(committed.key())).findFirst().orElseThrow();
            ResultRow again = Tasks.run(s, task);
            // Every column the committed file holds, bit for bit (it predates gauss_newton_decrement).
            assertEquals(List.of(), again.differencesFrom(committed), figure + " " + committed.key());
            assertEquals(committed.estimator().equals("least-squares"), again.gaussNewtonDecrement() >= 0,
                    figure + " " + committed.key() + ": a least-squares fit records its decrement, EM none");
            checked.add(committed.key());
        }
        assertTrue(checked.size() >= 1, figure);
    }

    /**
     * {@code lm}, the default until issue 23, stays available bit for bit: the over-specified scenario restated with
     * {@code method: lm, max_iterations: 500} recomputes rows committed before the switch (kept in the test
     * resources) in every column but the fingerprint, which states the method and so differs.
     */
    @Test
    void lmStatedInTheScenarioRefitsTheRowsCommittedBeforeTheSwitch(@TempDir Path dir) throws IOException {
        String text = Files.readString(Path.of("simulations/over-specified.yaml"))
                .replace("truth: models/", "truth: " + Path.of("simulations/models").toAbsolutePath() + "/");
        String lm = text.replaceFirst("(?m)^solver: .*$",
                "solver: {max_iterations: 500, objective_tolerance: 1.0e-10, step_tolerance: 1.0e-9, method: lm}");
        assertTrue(!lm.equals(text) && lm.contains("method: lm"), "the solver line was restated");
        Path file = dir.resolve("over-specified.yaml");
        Files.writeString(file, lm);
        Scenario s = ScenarioFiles.read(file);
        List<ResultRow> old = ResultsFile.read(Path.of("src/test/resources/legacy-lm/over-specified-rows.csv"));
        assertEquals(3, old.size());
        for (ResultRow committed : old) {
            Task task = Tasks.all(s).stream().filter(t -> t.key().equals(committed.key())).findFirst().orElseThrow();
            ResultRow again = Tasks.run(s, task);
            List<String> differences = again.differencesFrom(committed);
            assertEquals(1, differences.size(), committed.key() + ": " + differences);
            assertTrue(differences.get(0).startsWith("fingerprint "), differences.toString());
            // and the default fits the same task differently: the switch is real
            ResultRow now = Tasks.run(ScenarioFiles.read(Path.of("simulations/over-specified.yaml")), task);
            assertTrue(now.differencesFrom(committed).size() > 1, committed.key());
        }
    }

    /**
     * Since the switch to {@code trf-pair-m}, a scenario that states {@code method: trf-pair-w} (the default from the
     * first switch of issue 23 until then) recomputes rows committed under it (kept in the test resources) in every
     * column, the fingerprint included: the committed scenario files stated every solver setting.
     */
    @Test
    void trfPairWStatedInTheScenarioRefitsTheRowsCommittedBeforeTheSecondSwitch(@TempDir Path dir) throws IOException {
        String text = Files.readString(Path.of("simulations/over-specified.yaml"))
                .replace("truth: models/", "truth: " + Path.of("simulations/models").toAbsolutePath() + "/");
        String w = text.replace("method: trf-pair-m}", "method: trf-pair-w}");
        assertTrue(!w.equals(text), "the solver line was restated");
        Path file = dir.resolve("over-specified.yaml");
        Files.writeString(file, w);
        Scenario s = ScenarioFiles.read(file);
        Scenario now = ScenarioFiles.read(Path.of("simulations/over-specified.yaml"));
        List<ResultRow> old = ResultsFile.read(Path.of("src/test/resources/legacy-trf-pair-w/over-specified-rows.csv"));
        assertEquals(3, old.size());
        for (ResultRow committed : old) {
            Task task = Tasks.all(s).stream().filter(t -> t.key().equals(committed.key())).findFirst().orElseThrow();
            assertEquals(List.of(), Tasks.run(s, task).differencesFrom(committed), committed.key());
            // each of these three ends lower under the default: the switch is real
            ResultRow again = Tasks.run(now, task);
            assertTrue(again.objective() < committed.objective(),
                    committed.key() + ": " + again.differencesFrom(committed));
        }
    }
}
