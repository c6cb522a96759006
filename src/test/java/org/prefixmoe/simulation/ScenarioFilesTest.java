package org.prefixmoe.simulation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.prefixmoe.estimation.LeastSquaresEstimator;
import org.prefixmoe.io.InputFileException;

class ScenarioFilesTest {
    @TempDir
    Path dir;

    private static String truth() {
        return Path.of("simulations/models/default-shared-linear.yaml").toAbsolutePath().toString();
    }

    private Path write(String body) throws IOException {
        Path f = dir.resolve("s.yaml");
        Files.writeString(f, body);
        return f;
    }

    private static final String GOOD = "seed: 3\nstudies:\n  - {truth: TRUTH, L: 3}\nsizes: [100, 200]\nreplicates: 2\n";

    @Test
    void readsAMinimalScenarioWithDefaults() throws IOException {
        Scenario s = ScenarioFiles.read(write(GOOD.replace("TRUTH", truth())));
        assertEquals("s", s.name());
        assertEquals(1, s.studies().size());
        assertEquals("shared-linear", s.studies().get(0).name());
        assertTrue(s.studies().get(0).overSpecified());
        assertEquals(java.util.List.of(100, 200), s.sizes());
        assertEquals("least-squares", s.estimator());
        assertEquals("near-truth", s.init().strategy());
        assertEquals("regression", s.sampler());
        assertEquals(4, s.taskCount());
    }

    @Test
    void logSpacedGridAndFingerprint() throws IOException {
        Scenario s = ScenarioFiles.read(write(GOOD.replace("TRUTH", truth())
                .replace("sizes: [100, 200]", "sizes: {from: 1000, to: 100000, count: 5}")));
        assertEquals(java.util.List.of(1000, 3162, 10000, 31623, 100000), s.sizes());
        Scenario other = ScenarioFiles.read(write(GOOD.replace("TRUTH", truth()).replace("seed: 3", "seed: 4")));
        assertTrue(!s.fingerprint().equals(other.fingerprint()), "the seed changes the fingerprint");
        Scenario grid = ScenarioFiles.read(write(GOOD.replace("TRUTH", truth()).replace("replicates: 2", "replicates: 9")));
        assertEquals(ScenarioFiles.read(write(GOOD.replace("TRUTH", truth()))).fingerprint(), grid.fingerprint(),
                "the grid does not");
    }

    @Test
    void leastSquaresMethodIsNamedAndInEveryFingerprint() throws IOException {
        String base = GOOD.replace("TRUTH", truth());
        Scenario plain = ScenarioFiles.read(write(base));
        Scenario lm = ScenarioFiles.read(write(base + "solver: {method: lm}\n"));
        Scenario flat = ScenarioFiles.read(write(base + "solver: {method: flat}\n"));
        assertEquals(1.0, flat.solver().get("method"));
        assertEquals(0.0, lm.solver().get("method"));
        // the default method is resolved into every scenario's settings: a change of default changes the fingerprint
        assertEquals((double) LeastSquaresEstimator.Options.DEFAULT.method().code(), plain.solver().get("method"));
        assertTrue(!plain.fingerprint().equals(flat.fingerprint()));
        assertTrue(!plain.fingerprint().equals(lm.fingerprint()));
        // READMEs and reports name the method by its label
        assertTrue(plain.solverText().startsWith("max_iterations 1000, objective_tolerance 1.0E-10,"),
                plain.solverText());
        assertTrue(plain.solverText().endsWith(", method trf-pair-m"), plain.solverText());
        assertTrue(lm.solverText().endsWith(", method lm"), lm.solverText());
        InputFileException e = assertThrows(InputFileException.class,
                () -> ScenarioFiles.read(write(base + "solver: {method: dogleg}\n")));
        assertTrue(e.getMessage().contains("method") && e.getMessage().contains("dogleg"), e.getMessage());
    }

    @Test
    void geodesicMethodIsNamedAndAnUnknownNameNamesFieldAndFile() throws IOException {
        String base = GOOD.replace("TRUTH", truth());
        Scenario geo = ScenarioFiles.read(write(base + "solver: {method: geodesic}\n"));
        assertEquals(2.0, geo.solver().get("method"));
        Path f = write(base + "solver: {method: geodesics}\n");
        InputFileException e = assertThrows(InputFileException.class, () -> ScenarioFiles.read(f));
        assertEquals(f, e.file());
        assertEquals("solver.method", e.field(), e.getMessage());
        assertTrue(e.getMessage().startsWith(f.toString()) && e.getMessage().contains("geodesics")
                && e.getMessage().contains("lm, flat, geodesic"), e.getMessage());
    }

    static Stream<Arguments> malformed() {
        return Stream.of(
                Arguments.of(GOOD + "colour: blue\n", "colour", "unknown field"),
                Arguments.of(GOOD.replace("replicates: 2", "replicates: many"), "replicates", "expected a whole number"),
                Arguments.of(GOOD.replace("[100, 200]", "[100, -5]"), "sizes[1]", "positive"),
                Arguments.of(GOOD.replace("{truth: TRUTH, L: 3}", "{L: 3}"), "studies[0].truth", "missing"),
                Arguments.of(GOOD.replace("L: 3", "L: 1"), "studies[0].L", "fewer than the truth's L* = 2"),
                Arguments.of(GOOD.replace("seed: 3", "seed: 3.5"), "seed", "expected a whole number"),
                Arguments.of(GOOD + "estimator: magic\n", "estimator", "unknown estimator"),
                Arguments.of(GOOD.replace("[100, 200]", "[200, 100]"), "sizes", "strictly increasing"),
                Arguments.of(GOOD.replace("TRUTH", "nowhere.yaml").replace("seed", "seed"), "studies[0].truth",
                        "no such file"),
                Arguments.of(GOOD + "estimator: em\nsolver: {step_tolerance: 1.0e-9}\n", "solver.step_tolerance",
                        "not a setting of the em estimator"),
                Arguments.of(GOOD + "solver: {max_iterations: 0}\n", "solver", "must be a whole number >= 1"),
                Arguments.of(GOOD + "solver: {objective_tolerance: tight}\n", "solver.objective_tolerance",
                        "expected a number"));
    }

    @ParameterizedTest
    @MethodSource("malformed")
    void malformedScenarioNamesFileFieldAndReason(String body, String field, String reason) throws IOException {
        Path f = write(body.replace("TRUTH", truth()));
        InputFileException e = assertThrows(InputFileException.class, () -> ScenarioFiles.read(f));
        assertEquals(f, e.file());
        assertEquals(field, e.field(), e.getMessage());
        assertTrue(e.getMessage().contains(reason), e.getMessage());
        assertTrue(e.getMessage().startsWith(f.toString()), e.getMessage());
    }

    @Test
    void solverSettingsBelongToTheChosenEstimator() throws IOException {
        Scenario em = ScenarioFiles.read(write(GOOD.replace("TRUTH", truth())
                + "estimator: em\nsolver: {newton_steps: 3, objective_tolerance: 1.0e-9}\n"));
        assertEquals(3.0, em.solver().get("newton_steps"));
        assertEquals(1e-9, em.solver().get("objective_tolerance"));
        assertEquals(1000.0, em.solver().get("max_iterations"), "defaults are filled in");
        Scenario ls = ScenarioFiles.read(write(GOOD.replace("TRUTH", truth())));
        assertEquals(java.util.Set.of("max_iterations", "objective_tolerance", "step_tolerance", "gradient_tolerance",
                "method"), ls.solver().keySet());
        assertEquals(1000.0, ls.solver().get("max_iterations"));
        assertEquals((double) LeastSquaresEstimator.Method.TRF_PAIR_M.code(), ls.solver().get("method"));
        Scenario em2 = ScenarioFiles.read(write(GOOD.replace("TRUTH", truth())
                + "estimator: em\nsolver: {newton_steps: 2}\n"));
        assertTrue(!em.fingerprint().equals(em2.fingerprint()), "EM settings change the fingerprint");
    }

    @Test
    void baselineAndD1ThresholdAreSummarySettingsOutsideTheFingerprint() throws IOException {
        String two = GOOD.replace("  - {truth: TRUTH, L: 3}", "  - {name: a, truth: TRUTH, L: 3}\n"
                + "  - {name: b, truth: TRUTH, L: 2}");
        Scenario plain = ScenarioFiles.read(write(two.replace("TRUTH", truth())));
        assertEquals("a", plain.baseline(), "the first study by default");
        assertEquals(0.1, plain.d1Threshold());
        Scenario set = ScenarioFiles.read(write(two.replace("TRUTH", truth()) + "baseline: b\nd1_threshold: 0.25\n"));
        assertEquals("b", set.baseline());
        assertEquals(0.25, set.d1Threshold());
        assertEquals(plain.fingerprint(), set.fingerprint(), "they change no task's row");
        Path bad = write(two.replace("TRUTH", truth()) + "baseline: c\n");
        InputFileException e = assertThrows(InputFileException.class, () -> ScenarioFiles.read(bad));
        assertTrue(e.getMessage().contains("baseline") && e.getMessage().contains("no study named 'c'"),
                e.getMessage());
        Path negative = write(two.replace("TRUTH", truth()) + "d1_threshold: -1\n");
        InputFileException n = assertThrows(InputFileException.class, () -> ScenarioFiles.read(negative));
        assertEquals("d1_threshold", n.field(), n.getMessage());
    }

    @Test
    void anAnalysisPlanIsHashedCheckedAndFingerprinted() throws IOException {
        String base = GOOD.replace("TRUTH", truth());
        Scenario plain = ScenarioFiles.read(write(base));
        assertEquals(Verdict.DEFAULT_MARGIN, plain.margin());
        assertTrue(plain.planFile().isEmpty());
        Path plan = dir.resolve("plan.md");
        Files.writeString(plan, "sizes, replicates, margin 0.05, rule\n");
        String sha = Scenario.sha256Of(plan);
        assertEquals(64, sha.length());
        Scenario planned = ScenarioFiles.read(write(base + "analysis: {margin: 0.05, plan: plan.md, plan_sha256: "
                + sha + "}\n"));
        assertEquals(0.05, planned.margin());
        assertEquals(sha, planned.planSha256());
        assertTrue(!planned.fingerprint().equals(plain.fingerprint()), "rows record the plan they ran under");
        Scenario marginOnly = ScenarioFiles.read(write(base + "analysis: {margin: 0.2}\n"));
        assertEquals(plain.fingerprint(), marginOnly.fingerprint(), "the margin changes no row");
        // A plan changed after its hash was written down is refused, naming the field.
        Files.writeString(plan, "sizes, replicates, margin 0.2, rule\n");
        Path changed = write(base + "analysis: {plan: plan.md, plan_sha256: " + sha + "}\n");
        InputFileException e = assertThrows(InputFileException.class, () -> ScenarioFiles.read(changed));
        assertEquals("analysis.plan_sha256", e.field(), e.getMessage());
        Path noHash = write(base + "analysis: {plan: plan.md}\n");
        assertThrows(InputFileException.class, () -> ScenarioFiles.read(noHash));
        Path badMargin = write(base + "analysis: {margin: 0}\n");
        assertEquals("analysis.margin", assertThrows(InputFileException.class,
                () -> ScenarioFiles.read(badMargin)).field());
    }

    @Test
    void everyShippedScenarioReads() throws IOException {
        try (Stream<Path> s = Files.list(Path.of("simulations"))) {
            for (Path p : s.filter(x -> x.toString().endsWith(".yaml")).toList()) {
                Scenario sc = ScenarioFiles.read(p);
                assertTrue(sc.taskCount() > 0, p.toString());
            }
        }
    }
}
