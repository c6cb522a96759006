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
import org.prefixmoe.model.moe.Activation;
import org.prefixmoe.model.moe.ConstantGate;
import org.prefixmoe.model.moe.FfnExpert;
import org.prefixmoe.model.moe.GaussianGate;
import org.prefixmoe.model.moe.NormalizedSigmoidGate;
import org.prefixmoe.model.moe.PolynomialExpert;
import org.prefixmoe.model.moe.SoftmaxGate;
import org.prefixmoe.model.moe.TopKSoftmaxGate;

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

    /** The tiny scenario with a tempered tanh softmax gate and GELU FFN experts. */
    static MoeScenario ffn() {
        return MoeScenarioFiles.parse(SGAME.replace("gate: softmax, reference: last, expert: linear",
                "gate: {name: softmax, temperature: 0.5, activation: tanh}, reference: last,"
                        + " expert: {name: ffn, activation: gelu}").replace("beta1: [25], beta0: -8", "beta1: [4], beta0: -1")
                .replace("a: [-20], b: [15]", "kappa1: [3], kappa0: 0, kappa2: [2]")
                .replace("a: [20], b: [-5]", "kappa1: [-2], kappa0: 0.5, kappa2: [-2]")
                .replace("a: rbar/2, b: rbar", "kappa1: rbar/2, kappa2: rbar").replace("a: {scale", "kappa2: {scale"),
                Path.of("ffn.yaml"));
    }

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
            if (SharedRoutedScenarioFiles.isSharedRoutedScenario(f)) {
                continue; // the shared + routed model's files: SharedRoutedScenarioTest
            }
            assertTrue(MoeScenarioFiles.isFamilyScenario(f), f.toString());
            MoeScenario s = MoeScenarioFiles.read(f);
            assertTrue(s.taskCount() > 0, f.toString());
            assertTrue(s.model().gate() instanceof SoftmaxGate || s.model().gate() instanceof GaussianGate
                    || s.model().gate() instanceof org.prefixmoe.model.moe.SigmoidGate);
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

    /** The gate and expert names of part 2, with their settings, build the model they name. */
    @Test
    void readsTheGatesAndExpertsOfPart2() {
        MoeScenario s = ffn();
        SoftmaxGate g = (SoftmaxGate) s.model().gate();
        assertEquals(0.5, g.temperature());
        assertEquals(Activation.TANH, g.activation());
        assertEquals(1, g.reference());
        assertEquals(Activation.GELU, ((FfnExpert) s.model().expert()).activation());
        assertEquals(List.of("beta1", "beta0", "kappa1", "kappa0", "kappa2", "nu"),
                s.model().blocks().stream().map(b -> b.name()).toList());
        assertEquals(2, ((SoftmaxGate) s.fitted(s.studies().get(1)).gate()).reference());

        MoeScenario top = MoeScenarioFiles.parse(SGAME.replace("gate: softmax", "gate: {name: top-k-softmax, top-k: 1}")
                .replace("expert: linear", "expert: {name: polynomial, degree: 2}")
                .replace("a: [-20], b: [15]", "a1: [-20], a2: [1], b: [15]").replace("a: [20], b: [-5]", "a1: [20], a2: [0],"
                        + " b: [-5]").replace("a: rbar/2", "a1: rbar/2").replace("a: {scale", "a1: {scale"),
                Path.of("top.yaml"));
        assertEquals(1, ((TopKSoftmaxGate) top.model().gate()).topK());
        assertEquals(2, ((PolynomialExpert) top.model().expert()).degree());

        String noReference = SGAME.replace(", reference: last", "").replace("init:\n  assignment: surjection-reference-last\n",
                "init:\n");
        MoeScenario ns = MoeScenarioFiles.parse(noReference.replace("gate: softmax", "gate: normalized-sigmoid")
                .replace("- {a: [20], b: [-5], nu: 0.16}", "- {beta1: [-3], beta0: 0, a: [20], b: [-5], nu: 0.16}"),
                Path.of("ns.yaml"));
        assertTrue(ns.model().gate() instanceof NormalizedSigmoidGate);
        MoeScenario cg = MoeScenarioFiles.parse(noReference.replace("gate: softmax", "gate: constant")
                .replace("beta1: [25], beta0: -8,", "pi: 0.3,").replace("- {a: [20], b: [-5], nu: 0.16}",
                        "- {pi: 0.7, a: [20], b: [-5], nu: 0.16}").replace("    beta1: {scale: 0.005, exponent: 0.083}\n", "")
                .replace("beta1: rbar, ", ""), Path.of("cg.yaml"));
        assertTrue(cg.model().gate() instanceof ConstantGate);
        assertEquals(0.7, cg.truth().gate(1)[0]);
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
        "gate: softmax|gate: sigmoidal|field 'model.gate': unknown 'sigmoidal' (known: constant, gaussian, normalized-sigmoid, sigmoid, softmax, top-k-softmax)",
        "gate: softmax|gate: {name: softmax, temperature: 0}|field 'model.gate.temperature': must be a finite number > 0, got 0.0",
        "gate: softmax|gate: {name: softmax, activation: swish}|field 'model.gate.activation': unknown activation 'swish'",
        "gate: softmax|gate: {name: softmax, top-k: 1}|field 'model.gate.top-k': unknown field (known fields: activation, name, temperature)",
        "gate: softmax|gate: {name: top-k-softmax, top-k: 3}|field 'model.gate.top-k': must be in 1..K* = 2",
        "gate: softmax|gate: top-k-softmax|field 'model.gate': top-k-softmax needs its top-k",
        "gate: softmax, reference: last|gate: sigmoid|field 'model.gate': the sigmoid gate's weights do not sum to one",
        "gate: softmax, reference: last|gate: normalized-sigmoid, reference: last|field 'model.reference': only the softmax and top-k-softmax gates have a reference component",
        "expert: linear|expert: ffn|field 'model.expert': the ffn expert needs its activation",
        "expert: linear|expert: {name: ffn, activation: step}|field 'model.expert.activation': unknown activation 'step'",
        "expert: linear|expert: {name: polynomial, degree: 0}|field 'model.expert.degree': must be in 1..20, got 0",
        "expert: linear|expert: {name: polynomial, degree: 2, activation: tanh}|field 'model.expert.activation': unknown field",
        "expert: linear|expert: quadratic|field 'model.expert': unknown 'quadratic' (known: constant, ffn, index, linear, polynomial)",
        "beta1: [25], beta0|beta1: [25, 1], beta0|field 'truth[0].beta1': has 2 numbers, the block needs 1",
        "- {a: [20], b: [-5], nu: 0.16}|- {beta0: 1, a: [20], b: [-5], nu: 0.16}|field 'truth[1].beta0': the reference component's gate is fixed at 0",
        "a: {scale: 0.05|c: {scale: 0.05|field 'init.noise.c': unknown field",
        "a: rbar/2|a: r4|field 'loss.blocks.a': unknown exponent 'r4'",
        "nu: 0.16}|nu: -0.16}|field 'truth[1].nu': must be a positive number, got -0.16",
        "{name: k3, K: 3,|{name: k3, K: 1,|field 'studies.k3.K': 1 is smaller than the truth's K* = 2",
        "design: grid[0, 1]|design: grid[1, 0]|field 'design': grid needs finite lo < hi, got [1.0, 0.0]",
        "design: grid[0, 1]|design: sphere|field 'design': cannot read 'sphere' (expected grid[LO, HI]",
        "{name: k3, K: 3,|{name: k3, K: 1000,|field 'studies[1].K': must be in 1..64, got 1000",
        "tolerance: 1.0e-6|tolerance: -1|field 'estimator.tolerance': must be a finite number >= 0, got -1.0",
        "beta1: {scale: 0.005|beta1: {scale: -0.005|field 'init.noise.beta1.scale': must be a finite number >= 0",
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
