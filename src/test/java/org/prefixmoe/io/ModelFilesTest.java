package org.prefixmoe.io;

import org.prefixmoe.model.TruthModel;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.prefixmoe.TestModels;
import org.prefixmoe.model.SharedNonlinear;

class ModelFilesTest {
    @TempDir
    Path dir;

    private static final Path EXPERTS = Path.of("simulations/models/default-experts.yaml").toAbsolutePath();

    private Path file(String name, String body) throws IOException {
        Path f = dir.resolve(name);
        Files.writeString(f, body);
        return f;
    }

    private InputFileException refused(String body) throws IOException {
        Path f = file("bad.yaml", "extends: " + EXPERTS + "\n" + body);
        InputFileException e = assertThrows(InputFileException.class, () -> ModelFiles.read(f));
        assertTrue(e.getMessage().startsWith(f.toString()), "names the file: " + e.getMessage());
        return e;
    }

    @ParameterizedTest
    @ValueSource(strings = {"shared-linear", "shared-nonlinear", "non-shared", "prompt-tuning", "shared-mlp"})
    void shippedModelsMatchTheDefaultTruth(String name) {
        TruthModel tm = TestModels.defaultTruth(name);
        assertEquals(name, tm.model().parameterization().name());
        assertEquals(4, tm.model().inputDimension());
        assertEquals(2, tm.model().outputDimension());
        assertEquals(2, tm.trueAtoms());
        assertEquals(0.1, tm.sigma());
        assertEquals(-3, tm.box().atomLower());
        assertEquals(3, tm.box().atomUpper());
    }

    @Test
    void nonSharedTruthDescribesTheSameRegressionFunctionAsSharedLinear() {
        TruthModel lin = TestModels.defaultTruth("shared-linear");
        TruthModel ns = TestModels.defaultTruth("non-shared");
        double[] x = {0.3, -0.2, 0.9, -0.7, 0.1, 0.5, -0.5, 0.0};
        double[] a = lin.model().regression(lin.truth(), x);
        double[] b = ns.model().regression(ns.truth(), x);
        for (int k = 0; k < a.length; k++) {
            // R_K p* and R_V p* are exactly the non-shared pairs of default-non-shared.yaml.
            assertEquals(a[k], b[k], 1e-12 + 0.0);
        }
    }

    @Test
    void sharedNonlinearReadsItsActivation() throws IOException {
        Path f = file("gelu.yaml", "extends: " + EXPERTS + "\nparameterization: shared-nonlinear\nactivation: gelu\n");
        // the base has no true atoms (issue 18): this is a model without a truth
        assertEquals("gelu", ((SharedNonlinear) ModelFiles.readSpec(f).model().parameterization()).activation().label());
    }

    @Test
    void writtenModelReadsBackIdentically() {
        for (String name : new String[] {"shared-mlp", "prompt-tuning", "non-shared", "shared-nonlinear"}) {
            TruthModel tm = TestModels.defaultTruth(name);
            Path out = dir.resolve(name + ".json");
            ModelFiles.write(tm, out);
            TruthModel back = ModelFiles.read(out);
            double[] x = {0.3, -0.2, 0.9, -0.7};
            assertEquals(tm.model().regression(tm.truth(), x)[1], back.model().regression(back.truth(), x)[1], 0.0);
            assertEquals(tm.truth(), back.truth());
        }
    }

    @Test
    void unknownFieldIsRefused() throws IOException {
        InputFileException e = refused("sigmaa: 0.1\n");
        assertEquals("sigmaa", e.field());
        assertTrue(e.getMessage().contains("unknown field"));
    }

    @Test
    void unknownParameterizationIsRefused() throws IOException {
        InputFileException e = refused("parameterization: deep-shared\n");
        assertEquals("parameterization", e.field());
        assertTrue(e.getMessage().contains("deep-shared"));
    }

    @Test
    void wrongDimensionIsRefused() throws IOException {
        InputFileException e = refused("B: [[1.0, 0.2], [-0.3, 1.0], [0.5, 0.4]]\n");
        assertEquals("B", e.field());
        assertTrue(e.getMessage().contains("expected 4 rows"), e.getMessage());
        e = refused("atoms: [[1.0, 0.6, 0.2], [-0.7, 0.9, 0.1]]\n");
        assertEquals("atoms", e.field());
    }

    @Test
    void nonFiniteNumbersAreRefused() throws IOException {
        // YAML's .nan is a parse error of Jackson's YAML reader: the message gives the line.
        InputFileException e = refused("sigma: .nan\n");
        assertTrue(e.getMessage().contains("line 2"), e.getMessage());
        e = refused("sigma: 'NaN'\n");
        assertEquals("sigma", e.field());
        assertTrue(e.getMessage().contains("finite"), e.getMessage());
        Path json = file("bad.json", "{\"extends\": \"" + EXPERTS + "\", \"R_K\": [[1.0, Infinity], [-0.3, 0.9]]}");
        e = assertThrows(InputFileException.class, () -> ModelFiles.read(json));
        assertEquals("R_K[0][1]", e.field());
        assertTrue(e.getMessage().contains("finite"), e.getMessage());
    }

    @Test
    void wrongTypeIsRefused() throws IOException {
        InputFileException e = refused("sigma: small\n");
        assertEquals("sigma", e.field());
        assertTrue(e.getMessage().contains("expected a number"), e.getMessage());
    }

    @Test
    void rankDeficientMapIsRefused() throws IOException {
        InputFileException e = refused("R_K: [[1.0, 2.0], [2.0, 4.0]]\n");
        assertEquals("R_K", e.field());
        assertTrue(e.getMessage().contains("full column rank"), e.getMessage());
        e = refused("B: [[1.0, 2.0], [2.0, 4.0], [0, 0], [1, 2]]\n");
        assertEquals("B", e.field());
    }

    @Test
    void nonIdentifiableTruthIsRefused() throws IOException {
        InputFileException e = refused("atoms: [[1.0, 0.6], [1.0, 0.6]]\n");
        assertEquals("atoms[1]", e.field());
        e = refused("atoms: [[0.0, 0.0], [1.0, 0.6]]\n");
        assertEquals("atoms[0]", e.field());
        assertTrue(e.getMessage().contains("zero"), e.getMessage());
    }

    @Test
    void truthOutsideTheBoxIsRefused() throws IOException {
        InputFileException e = refused("box: {atom: [-0.5, 0.5]}\n");
        assertEquals("atoms", e.field());
    }

    @Test
    void malformedYamlAndMissingFilesAreRefused() throws IOException {
        Path f = file("broken.yaml", "A: [[[1, 2]\n");
        InputFileException e = assertThrows(InputFileException.class, () -> ModelFiles.read(f));
        assertTrue(e.getMessage().contains("not valid YAML"), e.getMessage());
        e = assertThrows(InputFileException.class, () -> ModelFiles.read(dir.resolve("none.yaml")));
        assertTrue(e.getMessage().contains("no such file"));
        Path g = file("nosigma.yaml", "A: [[[1]]]\nH: [[[1]]]\ne: [[0]]\nB: [[1]]\nparameterization: non-shared\n"
                + "atoms: [[1, 1]]\n");
        e = assertThrows(InputFileException.class, () -> ModelFiles.read(g));
        assertEquals("sigma", e.field());
        assertTrue(e.getMessage().contains("missing"));
    }

    // --- issue 18: a model without a truth

    @Test
    void aFileWithoutAtomsIsAModelWithoutATruth() throws IOException {
        org.prefixmoe.model.ModelSpec spec = ModelFiles.readSpec(EXPERTS);
        assertTrue(spec.truth().isEmpty(), "default-experts.yaml no longer carries a placeholder truth");
        assertEquals(4, spec.model().inputDimension());
        assertEquals(org.prefixmoe.model.Box.DEFAULT, spec.box());
        InputFileException e = assertThrows(InputFileException.class, () -> ModelFiles.read(EXPERTS));
        assertEquals("atoms", e.field());
        assertTrue(e.getMessage().startsWith(EXPERTS.toString()) && e.getMessage().contains("a model without a truth"),
                e.getMessage());
        IllegalStateException s = assertThrows(IllegalStateException.class, () -> spec.requireTruth("sampling"));
        assertTrue(s.getMessage().contains("sampling needs one"), s.getMessage());
        // the second truth's base had no atoms and could not be read at all; now it is a model too
        assertTrue(ModelFiles.readSpec(Path.of("simulations/models/second-experts.yaml")).truth().isEmpty());
        // a file with atoms is a spec with its truth
        org.prefixmoe.model.ModelSpec full = ModelFiles.readSpec(Path.of("simulations/models/default-shared-linear.yaml"));
        assertEquals(2, full.requireTruth("sampling").trueAtoms());
        assertEquals(full.truth().get().model(), full.model());
    }

    @Test
    void aModelWithoutATruthStillChecksWhatItHas() throws IOException {
        Path f = file("known.yaml", "extends: " + EXPERTS + "\nbox: {atom: [-2, 2]}\nsigma: 0.3\n");
        assertEquals(-2, ModelFiles.readSpec(f).box().atomLower());
        for (String[] bad : new String[][] {{"biases: [0, 0]\n", "biases"}, {"L_star: 2\n", "L_star"},
            {"sigma: -1\n", "sigma"}, {"R_K: [[1.0, 2.0], [2.0, 4.0]]\n", "R_K"}, {"input: cauchy\n", "input"},
            {"box: {atom: [2, -2]}\n", "box"}}) {
            Path g = file("bad.yaml", "extends: " + EXPERTS + "\n" + bad[0]);
            InputFileException e = assertThrows(InputFileException.class, () -> ModelFiles.readSpec(g), bad[0]);
            assertTrue(e.getMessage().startsWith(g.toString()) && e.getMessage().contains(bad[1]), e.getMessage());
        }
    }
}
