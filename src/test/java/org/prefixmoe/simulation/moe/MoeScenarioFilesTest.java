package org.prefixmoe.simulation.moe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.prefixmoe.io.InputFileException;
import org.prefixmoe.model.moe.GaussianGate;
import org.prefixmoe.model.moe.SoftmaxGate;

class MoeScenarioFilesTest {
    static final String SGAME = """
            name: tiny
            seed: 3
            model: {gate: softmax, reference: last, expert: linear, observation: gaussian-mixture, d: 1}
            truth:
              - {beta1: [25], beta0: -8, a: [-20], b: [15], nu: 0.09}
              - {a: [20], b: [-5], nu: 0.16}
            design: grid[0, 1]
            studies:
              - {name: k2, K: 2}
              - {name: k3, K: 3, start-noise: fixed}
            sizes: [300, 600]
            replicates: 3
            estimator: {name: em, tolerance: 1.0e-6, max-iterations: 200, tries: 2}
            init:
              assignment: surjection-reference-last
              noise:
                beta1: {scale: 0.005, exponent: 0.083}
                a: {scale: 0.05, exponent: 0.083, kind: shared}
                nu: {scale: 0.005, exponent: 0.25, kind: abs}
            loss:
              blocks: {beta1: rbar, a: rbar/2, b: rbar, nu: rbar/2}
            theory: {slope: -0.5}
            """;

    static MoeScenario tiny() {
        return MoeScenarioFiles.parse(SGAME, Path.of("tiny.yaml"));
    }

    /** Every shipped family scenario reads, and the reader recognises it as one. */
    @Test
    void shippedScenariosRead() throws IOException {
        List<Path> files;
        try (Stream<Path> s = Files.list(Path.of("simulations/moe"))) {
            files = s.filter(p -> p.toString().endsWith(".yaml")).sorted().toList();
        }
        assertTrue(files.size() >= 10, files.toString());
        for (Path f : files) {
            assertTrue(MoeScenarioFiles.isFamilyScenario(f), f.toString());
            MoeScenario s = MoeScenarioFiles.read(f);
            assertTrue(s.taskCount() > 0, f.toString());
            assertTrue(s.model().gate() instanceof SoftmaxGate || s.model().gate() instanceof GaussianGate);
        }
        assertFalse(MoeScenarioFiles.isFamilyScenario(Path.of("simulations/main.yaml")));
    }

    @Test
    void readsTheParts() {
        MoeScenario s = tiny();
        assertEquals(List.of(300, 600), s.sizes());
        assertEquals(2, s.studies().size());
        assertTrue(s.studies().get(1).fixedStarts());
        assertEquals(1, ((SoftmaxGate) s.model().gate()).reference());
        assertEquals(List.of("beta1", "a", "b", "nu"), s.loss().terms().stream().map(t -> t.name()).toList());
        assertEquals(-0.5, s.theorySlope());
        assertEquals(12, s.fingerprint().length());
    }

    /** The published grids: int(linspace) segments, duplicates dropped. */
    @Test
    void linspaceSizesTruncateAndDropDuplicates() {
        MoeScenario s = MoeScenarioFiles.parse(SGAME.replace("sizes: [300, 600]",
                "sizes: {linspace: [[100, 500, 5], [500, 100000, 95]]}"), Path.of("g.yaml"));
        assertEquals(99, s.sizes().size());
        assertEquals(List.of(100, 200, 300, 400, 500, 1558), s.sizes().subList(0, 6));
        assertEquals(100000, s.sizes().get(98));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "gate: softmax|gate: sigmoidal|field 'model.gate': unknown 'sigmoidal' (known: softmax, gaussian)",
        "beta1: [25], beta0|beta1: [25, 1], beta0|field 'truth[0].beta1': has 2 numbers, the block needs 1",
        "- {a: [20], b: [-5], nu: 0.16}|- {beta0: 1, a: [20], b: [-5], nu: 0.16}|field 'truth[1].beta0': the reference component's gate is fixed at 0",
        "a: {scale: 0.05|c: {scale: 0.05|field 'init.noise.c': unknown field",
        "a: rbar/2|a: r4|field 'loss.blocks.a': unknown exponent 'r4'",
        "nu: 0.16}|nu: -0.16}|field 'truth[1].nu': must be a positive number, got -0.16",
        "{name: k3, K: 3,|{name: k3, K: 1,|field 'studies.k3.K': 1 is smaller than the truth's K* = 2",
        "design: grid[0, 1]|design: grid[1, 0]|field 'design': grid needs finite lo < hi, got [1.0, 0.0]",
        "design: grid[0, 1]|design: sphere|field 'design': cannot read 'sphere' (expected grid[LO, HI]",
        "replicates: 3|replicates: 0|field 'replicates': must be in 1..1000000, got 0",
        "tries: 2}|tries: 2, stop: never}|field 'estimator.stop': unknown 'never' (known: relative, progress)",
    })
    void badFilesGetOneLineNamingTheFieldAndFile(String from, String to, String message) {
        assertTrue(SGAME.contains(from), from);
        InputFileException e = assertThrows(InputFileException.class,
                () -> MoeScenarioFiles.parse(SGAME.replace(from, to), Path.of("bad.yaml")));
        assertTrue(e.getMessage().startsWith("bad.yaml: "), e.getMessage());
        assertTrue(e.getMessage().contains(message), e.getMessage());
        assertFalse(e.getMessage().contains("\n"), e.getMessage());
    }
}
