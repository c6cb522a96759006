package org.prefixmoe;

import java.nio.file.Path;
import java.util.Random;
import org.prefixmoe.io.ModelFiles;
import org.prefixmoe.model.TruthModel;
import org.prefixmoe.model.Activation;
import org.prefixmoe.model.MixingMeasure;
import org.prefixmoe.model.NonShared;
import org.prefixmoe.model.Parameterization;
import org.prefixmoe.model.PrefixModel;
import org.prefixmoe.model.PretrainedExperts;
import org.prefixmoe.model.PromptTuning;
import org.prefixmoe.model.SharedLinear;
import org.prefixmoe.model.SharedMlp;
import org.prefixmoe.model.SharedNonlinear;

/** Fixtures shared by the tests: random models of any shape and the shipped default truths. */
public final class TestModels {
    private TestModels() {
    }

    /** The shipped default truth with the given parameterization, e.g. {@code shared-linear}. */
    public static TruthModel defaultTruth(String parameterization) {
        return ModelFiles.read(Path.of("simulations/models/default-" + parameterization + ".yaml"));
    }

    /** Names of every parameterization variant, for parameterized tests. */
    public static String[] parameterizationVariants() {
        return new String[] {"non-shared", "shared-linear", "shared-nonlinear-tanh", "shared-nonlinear-sigmoid",
            "shared-nonlinear-gelu", "shared-mlp", "prompt-tuning"};
    }

    /** A random parameterization of the named variant with key dimension r, value dimension q, atom dimension m. */
    public static Parameterization parameterization(String variant, int r, int q, int m, Random rnd) {
        return switch (variant) {
            case "non-shared" -> new NonShared(r, q);
            case "shared-linear" -> new SharedLinear(matrix(r, m, rnd), matrix(q, m, rnd));
            case "shared-nonlinear-tanh" -> new SharedNonlinear(matrix(r, m, rnd), matrix(q, m, rnd), Activation.TANH);
            case "shared-nonlinear-sigmoid" -> new SharedNonlinear(matrix(r, m, rnd), matrix(q, m, rnd),
                    Activation.SIGMOID);
            case "shared-nonlinear-gelu" -> new SharedNonlinear(matrix(r, m, rnd), matrix(q, m, rnd), Activation.GELU);
            case "shared-mlp" -> new SharedMlp(matrix(5, m, rnd), vector(5, rnd), matrix(r + q, 5, rnd),
                    vector(r + q, rnd), r);
            case "prompt-tuning" -> new PromptTuning(matrix(m, r, rnd), matrix(m, q, rnd));
            default -> throw new IllegalArgumentException(variant);
        };
    }

    /** A random model: N pretrained experts on R^D with outputs in R^q. */
    public static PrefixModel randomModel(String variant, int d, int q, int r, int m, int n, boolean bias,
                                          Random rnd) {
        double[][][] a = new double[n][][];
        double[][][] h = new double[n][][];
        double[][] e = new double[n][];
        double[] c = new double[n];
        for (int j = 0; j < n; j++) {
            a[j] = matrix(d, d, rnd);
            h[j] = matrix(q, d, rnd);
            e[j] = vector(q, rnd);
            c[j] = rnd.nextGaussian() * 0.3;
        }
        return new PrefixModel(new PretrainedExperts(a, c, h, e), matrix(d, r, rnd),
                parameterization(variant, r, q, m, rnd), bias);
    }

    /** A random measure with L atoms for the model. */
    public static MixingMeasure randomMeasure(PrefixModel model, int atoms, Random rnd) {
        double[][] th = new double[atoms][];
        for (int l = 0; l < atoms; l++) {
            th[l] = vector(model.atomDimension(), rnd);
        }
        return new MixingMeasure(th, model.hasBias() ? vector(atoms, rnd) : null);
    }

    /** Gaussian entries of standard deviation 0.7. */
    public static double[][] matrix(int rows, int cols, Random rnd) {
        double[][] m = new double[rows][];
        for (int i = 0; i < rows; i++) {
            m[i] = vector(cols, rnd);
        }
        return m;
    }

    /** Gaussian entries of standard deviation 0.7. */
    public static double[] vector(int len, Random rnd) {
        double[] v = new double[len];
        for (int i = 0; i < len; i++) {
            v[i] = 0.7 * rnd.nextGaussian();
        }
        return v;
    }
}
