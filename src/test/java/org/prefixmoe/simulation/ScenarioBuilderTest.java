package org.prefixmoe.simulation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.prefixmoe.estimation.LeastSquaresEstimator;
import org.prefixmoe.io.InputFileException;
import org.prefixmoe.io.ModelFiles;
import org.prefixmoe.model.TruthModel;

/** The builder validates as the file reader does (one set of checks), and computes the reader's fingerprint. */
class ScenarioBuilderTest {
    @TempDir
    Path dir;

    private static final Path MODELS = Path.of("simulations/models").toAbsolutePath();
    private static final TruthModel LINEAR = ModelFiles.read(MODELS.resolve("default-shared-linear.yaml"));
    private static final TruthModel NON_SHARED = ModelFiles.read(MODELS.resolve("default-non-shared.yaml"));

    private static final String GOOD = "seed: 3\nstudies:\n  - {truth: LINEAR, L: 3}\nsizes: [100, 200]\n"
            + "replicates: 2\n";

    private static Scenario.Builder good() {
        return Scenario.builder().name("s").seed(3).study(null, LINEAR, 3).sizes(100, 200).replicates(2);
    }

    private static Arguments bad(String field, String yaml, Consumer<Scenario.Builder> calls) {
        return Arguments.of(field, yaml, calls);
    }

    static Stream<Arguments> badInputs() {
        return Stream.of(
                bad("name", GOOD + "name: 'a b'\n", b -> b.name("a b")),
                bad("replicates", GOOD.replace("replicates: 2", "replicates: 0"), b -> b.replicates(0)),
                bad("sizes[1]", GOOD.replace("[100, 200]", "[100, -5]"), b -> b.sizes(100, -5)),
                bad("sizes", GOOD.replace("[100, 200]", "[200, 100]"), b -> b.sizes(200, 100)),
                bad("sizes", GOOD.replace("[100, 200]", "[]"), b -> b.sizes()),
                bad("sizes.from", GOOD.replace("[100, 200]", "{from: 0, to: 10, count: 3}"), b -> b.logSizes(0, 10, 3)),
                bad("sizes.to", GOOD.replace("[100, 200]", "{from: 100, to: 50, count: 3}"),
                        b -> b.logSizes(100, 50, 3)),
                bad("sizes.count", GOOD.replace("[100, 200]", "{from: 100, to: 900, count: 1}"),
                        b -> b.logSizes(100, 900, 1)),
                bad("estimator", GOOD + "estimator: magic\n", b -> b.estimator("magic")),
                bad("solver.step_tolerance", GOOD + "estimator: em\nsolver: {step_tolerance: 1.0e-9}\n",
                        b -> b.estimator("em").solver("step_tolerance", 1e-9)),
                bad("solver", GOOD + "solver: {max_iterations: 0}\n", b -> b.solver("max_iterations", 0)),
                bad("init", GOOD + "init: magic\n", b -> b.init("magic")),
                bad("init.strategy", GOOD + "init: {strategy: magic}\n",
                        b -> b.init(new Scenario.Init("magic", 0.5, 0.1, 1))),
                bad("init.scale", GOOD + "init: {strategy: random, scale: -1.0, decay: 0.1, restarts: 5}\n",
                        b -> b.init(new Scenario.Init("random", -1, 0.1, 5))),
                bad("init.restarts", GOOD + "init: {strategy: random, restarts: 0}\n",
                        b -> b.init(new Scenario.Init("random", 0.5, 0.1, 0))),
                bad("sampler", GOOD + "sampler: magic\n", b -> b.sampler("magic")),
                bad("eval_size", GOOD + "eval_size: 500\n", b -> b.evalSize(500)),
                bad("eval_size", GOOD + "eval_size: 0\n", b -> b.evalSize(0)),
                bad("r", GOOD + "r: -1\n", b -> b.r(-1)),
                bad("losses[1]", GOOD + "losses: [d1, d9]\n", b -> b.losses("d1", "d9")),
                bad("quick.sizes", GOOD + "quick: {sizes: [5, 4]}\n", b -> b.quickSizes(5, 4)),
                bad("quick.replicates", GOOD + "quick: {replicates: 0}\n", b -> b.quickReplicates(0)),
                bad("L", GOOD + "L: 0\n", b -> b.atoms(0)),
                bad("studies[1].L", GOOD.replace("L: 3}", "L: 3}\n  - {name: x, truth: LINEAR, L: 1}"),
                        b -> b.study("x", LINEAR, 1)),
                bad("studies[1].L", GOOD.replace("L: 3}", "L: 3}\n  - {name: x, truth: LINEAR, L: 0}"),
                        b -> b.study("x", LINEAR, 0)),
                bad("studies[1].L", GOOD.replace("L: 3}", "L: 3}\n  - {truth: NON_SHARED}"),
                        b -> b.study(NON_SHARED)),
                bad("studies[1].name", GOOD.replace("L: 3}", "L: 3}\n  - {truth: LINEAR, L: 2}"),
                        b -> b.study(null, LINEAR, 2)),
                bad("studies[1].name", GOOD.replace("L: 3}", "L: 3}\n  - {name: a/b, truth: LINEAR, L: 2}"),
                        b -> b.study("a/b", LINEAR, 2)),
                bad("studies[1].fitted", GOOD.replace("L: 3}", "L: 3}\n  - {name: x, truth: NON_SHARED,"
                        + " fitted: LINEAR, L: 2}"), b -> b.study("x", NON_SHARED, LINEAR, 2)),
                bad("figures[0].name", GOOD + "figures: [{name: 'a b', losses: [d1]}]\n",
                        b -> b.figure("a b", null, List.of("d1"))),
                bad("figures[0].losses[0]", GOOD + "figures: [{name: f, losses: [d7]}]\n",
                        b -> b.figure("f", null, List.of("d7"))));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badInputs")
    void theBuilderAndTheFileReaderRefuseWithTheSameMessage(String field, String yaml,
                                                            Consumer<Scenario.Builder> calls) throws IOException {
        IllegalArgumentException inCode = assertThrows(IllegalArgumentException.class, () -> {
            Scenario.Builder b = good();
            calls.accept(b);
            b.build();
        });
        assertTrue(inCode.getMessage().startsWith(field + ": "), inCode.getMessage());
        Path f = dir.resolve("s.yaml");
        Files.writeString(f, yaml.replace("NON_SHARED", MODELS.resolve("default-non-shared.yaml").toString())
                .replace("LINEAR", MODELS.resolve("default-shared-linear.yaml").toString()));
        InputFileException inFile = assertThrows(InputFileException.class, () -> ScenarioFiles.read(f));
        assertEquals(field, inFile.field(), inFile.getMessage());
        assertEquals(f + ": field '" + field + "': " + inCode.getMessage().substring(field.length() + 2),
                inFile.getMessage());
    }

    @Test
    void requiredSettingsAreNamed() {
        assertEquals("seed: missing", assertThrows(IllegalArgumentException.class,
                () -> Scenario.builder().name("s").study(null, LINEAR, 3).sizes(100).replicates(2).build())
                .getMessage());
        assertEquals("studies: expected at least one study", assertThrows(IllegalArgumentException.class,
                () -> Scenario.builder().name("s").seed(1).sizes(100).replicates(2).build()).getMessage());
        assertEquals("replicates: missing", assertThrows(IllegalArgumentException.class,
                () -> Scenario.builder().name("s").seed(1).study(null, LINEAR, 3).sizes(100).build()).getMessage());
        assertEquals("r: not a finite number (NaN)", assertThrows(IllegalArgumentException.class,
                () -> good().r(Double.NaN)).getMessage());
    }


    private static void assertResumesOrPredatesTheStopRule(String committed, String current, String what) {
        assertTrue(committed.equals(current) || OldStopRule.FINGERPRINTS.contains(committed),
                what + ": committed results (" + committed + ") would no longer resume under " + current);
    }

    @Test
    void aScenarioBuiltInCodeHasTheFileReadersFingerprintAndTheCommittedResultsOne() throws IOException {
        Path file = Path.of("simulations/over-specified.yaml");
        Scenario read = ScenarioFiles.read(file);
        Scenario.Builder b = Scenario.builder().name("over-specified").seed(20250301);
        for (String p : List.of("shared-linear", "shared-nonlinear", "non-shared")) {
            b.study(p, ModelFiles.read(MODELS.resolve("default-" + p + ".yaml")), null, null);
        }
        // Stated in another order than the file: the fingerprint does not depend on it.
        Scenario built = b.losses("d1", "d2", "regression", "cells").evalSize(10000)
                .init(new Scenario.Init("near-truth", 0.5, 0.1, 1))
                .solver("step_tolerance", 1e-9).solver("objective_tolerance", 1e-10).solver("max_iterations", 1000)
                .solver("method", LeastSquaresEstimator.Method.TRF_PAIR_M.code())
                .estimator("least-squares").atoms(3).logSizes(1000, 100000, 10).replicates(40).build();
        assertEquals(read.fingerprint(), built.fingerprint());
        assertEquals(read.sizes(), built.sizes());
        assertEquals(read.solver(), built.solver());
        String committed = ResultsFile.read(Path.of("paper-figures/over-specified/results.csv")).get(0).fingerprint();
        assertResumesOrPredatesTheStopRule(committed, built.fingerprint(), "over-specified");
        assertEquals(java.util.Optional.of(file), read.source());
        assertTrue(built.source().isEmpty());

        // Any setting that changes a row changes it; the grid and the replicates do not.
        assertNotEquals(built.fingerprint(), b.seed(20250302).build().fingerprint());
        b.seed(20250301);
        assertNotEquals(built.fingerprint(), b.solver("max_iterations", 999).build().fingerprint());
        b.solver("max_iterations", 1000);
        assertNotEquals(built.fingerprint(), b.solver("method", LeastSquaresEstimator.Method.LM.code()).build()
                .fingerprint());
        b.solver("method", LeastSquaresEstimator.Method.TRF_PAIR_M.code());
        assertEquals(built.fingerprint(), b.sizes(20, 40).replicates(3).build().fingerprint());
    }

    @Test
    void shippedScenariosWithCommittedResultsStillResume() {
        for (String[] p : new String[][] {{"em-over-specified", "em"}, {"exact-specified", "exact-specified"},
                {"over-specified", "over-specified"}}) {
            Scenario s = ScenarioFiles.read(Path.of("simulations/" + p[0] + ".yaml"));
            String committed = ResultsFile.read(Path.of("paper-figures/" + p[1] + "/results.csv")).get(0)
                    .fingerprint();
            assertResumesOrPredatesTheStopRule(committed, s.fingerprint(), p[0] + " (paper-figures/" + p[1] + ")");
        }
    }

    @Test
    void withoutANameTheSourceFileNamesTheScenario() throws IOException {
        Path f = dir.resolve("my-study.yaml");
        Files.writeString(f, GOOD.replace("LINEAR", MODELS.resolve("default-shared-linear.yaml").toString()));
        Scenario read = ScenarioFiles.read(f);
        Scenario built = Scenario.builder().source(f).seed(3).study(null, LINEAR, 3).sizes(100, 200).replicates(2)
                .build();
        assertEquals("my-study", built.name());
        assertEquals(read.fingerprint(), built.fingerprint());
        assertEquals("name: missing", assertThrows(IllegalArgumentException.class,
                () -> Scenario.builder().seed(3).study(null, LINEAR, 3).sizes(100).replicates(2).build())
                .getMessage());
        Path bad = dir.resolve("my study.yaml");
        Files.copy(f, bad);
        InputFileException e = assertThrows(InputFileException.class, () -> ScenarioFiles.read(bad));
        assertEquals("name", e.field());
    }

    @Test
    void listsAreImmutableAndDefaultsFilledIn() {
        Scenario s = good().build();
        assertThrows(UnsupportedOperationException.class, () -> s.sizes().add(5));
        assertEquals(List.of(100, 200), s.quickSizes());
        assertEquals(2, s.quickReplicates());
        assertEquals("least-squares", s.estimator());
        assertEquals(Scenario.KNOWN_LOSSES, s.losses());
        assertEquals(new Scenario.Init("near-truth", 0.5, 0.1, 1), s.init());
        assertEquals(4, s.taskCount());
        assertEquals(s.fingerprint(), s.quick().fingerprint());
    }
}
