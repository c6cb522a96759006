package org.prefixmoe.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.prefixmoe.io.DefaultTruths;
import org.prefixmoe.io.ModelFiles;

/** The builders give the model files' truths, and refuse bad arguments by name. */
class ModelBuildersTest {
    static final double[][] A1 = {{0.6, 0.1, 0.0, -0.1}, {0.1, -0.4, 0.2, 0.0}, {0.0, 0.2, 0.3, 0.1}, {-0.1, 0.0, 0.1, 0.2}};
    static final double[][] A2 = {{-0.3, 0.0, 0.1, 0.2}, {0.0, 0.5, -0.1, 0.0}, {0.1, -0.1, -0.5, 0.0}, {0.2, 0.0, 0.0, 0.4}};
    static final double[][] H1 = {{1.0, -0.5, 0.3, 0.0}, {0.2, 0.8, -0.4, 0.5}};
    static final double[][] H2 = {{-0.6, 0.4, 0.0, 0.7}, {0.5, 0.0, 0.9, -0.3}};
    static final double[][] B = {{1.0, 0.2}, {-0.3, 1.0}, {0.5, 0.4}, {0.2, -0.6}};
    static final double[][] R_K = {{1.0, 0.4}, {-0.3, 0.9}};
    static final double[][] R_V = {{0.8, -0.5}, {0.4, 1.0}};

    private static PrefixModel.Builder defaultModel() {
        return PrefixModel.builder()
                .expert(A1, 0.0, H1, new double[] {0.3, -0.2})
                .expert(A2, 0.0, H2, new double[] {-0.4, 0.5})
                .gatingProjection(B)
                .parameterization(new SharedLinear(R_K, R_V));
    }

    private static TruthModel.Builder defaultTruth() {
        return TruthModel.builder().name("shared-linear").model(defaultModel().build())
                .atom(new double[] {1.0, 0.6}, 0.0).atom(new double[] {-0.7, 0.9}, 0.0).sigma(0.1);
    }

    private static String message(Supplier<?> build) {
        return assertThrows(IllegalArgumentException.class, build::get).getMessage();
    }

    @Test
    void buildsTheDefaultSharedLinearTruth() throws Exception {
        ObjectMapper json = new ObjectMapper();
        assertEquals(json.writeValueAsString(ModelFiles.toMap(DefaultTruths.sharedLinear())),
                json.writeValueAsString(ModelFiles.toMap(defaultTruth().build())));
    }

    @Test
    void pretrainedExpertsBuilderMatchesTheConstructor() {
        PretrainedExperts built = PretrainedExperts.builder().expert(A1, 0.5, H1, new double[] {0.3, -0.2}).build();
        PretrainedExperts direct = new PretrainedExperts(new double[][][] {A1}, new double[] {0.5},
                new double[][][] {H1}, new double[][] {{0.3, -0.2}});
        assertEquals(1, built.count());
        assertEquals(direct.c(0), built.c(0));
        assertEquals(java.util.Arrays.deepToString(direct.h(0)), java.util.Arrays.deepToString(built.h(0)));
    }

    @Test
    void badArgumentsAreNamed() {
        assertEquals("gatingProjection: missing (the D x r matrix B)",
                message(() -> defaultModel().gatingProjection(null).build()));
        assertEquals("gatingProjection (B: expected 4 rows, found 2)",
                message(() -> defaultModel().gatingProjection(R_K).build()));
        assertEquals("parameterization: missing", message(() -> defaultModel().parameterization(null).build()));
        assertEquals("pretrained: missing (call expert(..) or pretrained(..))",
                message(() -> PrefixModel.builder().gatingProjection(B).parameterization(new SharedLinear(R_K, R_V)).build()));
        assertEquals("H[1]: expected 2 rows, found 1", message(() -> PretrainedExperts.builder()
                .expert(A1, 0, H1, new double[] {0, 0}).expert(A2, 0, new double[][] {{1, 2, 3, 4}}, new double[] {0, 0}).build()));
        assertEquals("A[0][1][1]: not a finite number (NaN)", message(() -> PretrainedExperts.builder()
                .expert(new double[][] {{1, 0}, {0, Double.NaN}}, 0, H1, new double[] {0, 0}).build()));
        assertEquals("sigma: must be finite and >= 0, got -0.1", message(() -> defaultTruth().sigma(-0.1).build()));
        assertEquals("sigma: missing", message(() -> TruthModel.builder().model(defaultModel().build())
                .atom(new double[] {1, 0.6}, 0).build()));
        assertEquals("model: missing", message(() -> TruthModel.builder().atom(new double[] {1, 0.6}, 0).sigma(0.1).build()));
        assertEquals("truth: missing (call atom(..) or truth(..))",
                message(() -> TruthModel.builder().model(defaultModel().build()).sigma(0.1).build()));
        assertEquals("atoms[1]: equals atoms[0]; true atoms must be distinct", message(() -> TruthModel.builder()
                .model(defaultModel().build()).atom(new double[] {1, 0.6}, 0).atom(new double[] {1, 0.6}, 0).sigma(0.1).build()));
        assertEquals("truth: the model has bias: false but the measure has biases",
                message(() -> defaultTruth().model(defaultModel().bias(false).build()).build()));
        assertEquals("biases[1]: atom 1 has no bias but atom 0 has one (give every atom a bias or none)",
                message(() -> MixingMeasure.builder().atom(new double[] {1}, 0).atom(new double[] {2}).build()));
        assertEquals("box: the true measure lies outside atom [-0.5, 0.5], bias [-10.0, 10.0]",
                message(() -> defaultTruth().box(new Box(-0.5, 0.5, -10, 10)).build()));
    }
}
