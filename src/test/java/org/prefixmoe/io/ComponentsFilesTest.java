package org.prefixmoe.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.prefixmoe.estimation.StopReason;
import org.prefixmoe.estimation.moe.SharedRoutedFit;
import org.prefixmoe.model.moe.Activation;
import org.prefixmoe.model.moe.Components;
import org.prefixmoe.model.moe.ConstantGate;
import org.prefixmoe.model.moe.FfnExpert;
import org.prefixmoe.model.moe.MixtureOfExperts;
import org.prefixmoe.model.moe.Observation;
import org.prefixmoe.model.moe.SharedRoutedMixture;
import org.prefixmoe.model.moe.SoftmaxGate;

/**
 * Estimate files of the shared + routed model: written atomically, read back bit for bit (K_1, K_2
 * from the file), and refused with the file and the field named when a block is missing, has the
 * wrong length, or a value is not valid.
 */
class ComponentsFilesTest {
    @TempDir
    Path dir;

    private static MixtureOfExperts block(org.prefixmoe.model.moe.Gate g) {
        return MixtureOfExperts.builder().gate(g).expert(new FfnExpert(1, 1, Activation.RELU))
                .observation(Observation.GAUSSIAN_MIXTURE).build();
    }

    /** The truth's K_1* = 1, K_2* = 2; the estimate has K_1 = 2, K_2 = 3. */
    private static final SharedRoutedMixture MODEL = SharedRoutedMixture.halves(block(new ConstantGate(1, 1)),
            block(new SoftmaxGate(1, 2, 1)));

    private static SharedRoutedMixture.Parameters estimate() {
        return new SharedRoutedMixture.Parameters(
                new Components(new double[][] {{0.1 + 1e-17}, {0.9}}, new double[][] {{6.000000000000001, -0.3, -8},
                    {5.9, 0.2, -7.7}}, new double[] {0.25, 1.0 / 3}),
                new Components(new double[][] {{0.1, -1.23456789012345e-7}, {-0.4, 2}, {0, 0}},
                        new double[][] {{-12, 0, 4}, {12, 1e-300, 4}, {11.5, -0.1, 3.9}}, new double[] {0.4, 0.41, 0.39}));
    }

    @Test
    void aSharedRoutedEstimateRoundTripsBitForBit() throws IOException {
        Path file = dir.resolve("est.json");
        SharedRoutedMixture fitted = MODEL.withComponents(2, 3);
        SharedRoutedMixture.Parameters p = estimate();
        ComponentsFiles.write(file, fitted, new SharedRoutedFit(p, -123.5, 17, StopReason.OBJECTIVE_CHANGE, 0));
        try (Stream<Path> files = Files.list(dir)) {
            assertEquals(List.of(file), files.toList(), "no temporary file is left");
        }
        String text = Files.readString(file);
        assertTrue(text.contains("\"shared\"") && text.contains("\"routed\"") && text.contains("\"stopReason\""), text);
        SharedRoutedMixture.Parameters back = ComponentsFiles.read(file, MODEL);
        assertEquals(2, back.shared().size());
        assertEquals(3, back.routed().size());
        for (int k = 0; k < 2; k++) {
            assertArrayEquals(fitted.shared().atom(p.shared(), k), fitted.shared().atom(back.shared(), k), 0.0);
        }
        for (int k = 0; k < 3; k++) {
            assertArrayEquals(fitted.routed().atom(p.routed(), k), fitted.routed().atom(back.routed(), k), 0.0);
        }
    }

    @Test
    void badEstimatesNameTheFileAndTheField() throws IOException {
        Path file = dir.resolve("est.json");
        ComponentsFiles.write(file, MODEL.withComponents(2, 3), new SharedRoutedFit(estimate(), -1, 1,
                StopReason.OBJECTIVE_CHANGE, 0));
        String good = Files.readString(file);
        assertRefused(good.replaceFirst("\"routed\"", "\"routes\""), file, "field 'routes': unknown field");
        // a shared block without its routed block
        assertRefused(good.replaceFirst("(?s)\"routed\" : \\[.*\\],\\s*\"fit\"", "\"fit\""), file,
                "field 'routed': missing");
        // a ReLU expert of two inner weights where the model has d = 1
        assertRefused(good.replaceFirst("\"kappa1\" : \\[ -12\\.0 \\]", "\"kappa1\" : [ -12.0, 1.0 ]"), file,
                "field 'routed[0].kappa1': has 2 numbers, the block needs 1");
        assertRefused(good.replaceFirst("\"nu\" : \\[ 0\\.41 \\]", "\"nu\" : [ -0.41 ]"), file,
                "field 'routed[1].nu': must be a positive number");
        assertRefused(good.replaceFirst("\"nu\" : \\[ 0\\.41 \\]", "\"nu\" : [ \"NaN\" ]"), file,
                "field 'routed[1].nu[0]'");
        assertRefused(good.replaceFirst("(?s)\"routed\" : \\[.*\\],(\\s*\"fit\")", "\"routed\" : [ ],$1"), file,
                "field 'routed': expected a non-empty list of components");
        // an estimate of one mixture is not one of the shared + routed model
        Path single = dir.resolve("single.json");
        Files.writeString(single, "{\"components\": [{\"pi\": [1], \"kappa1\": [1], \"kappa0\": [0], \"kappa2\": [1],"
                + " \"nu\": [1]}]}");
        InputFileException e = assertThrows(InputFileException.class, () -> ComponentsFiles.read(single, MODEL));
        assertTrue(e.getMessage().startsWith(single + ": field 'components': unknown field"), e.getMessage());
    }

    private static void assertRefused(String text, Path file, String expected) throws IOException {
        Files.writeString(file, text);
        InputFileException e = assertThrows(InputFileException.class, () -> ComponentsFiles.read(file, MODEL));
        assertTrue(e.getMessage().startsWith(file + ": " + expected), e.getMessage());
    }
}
