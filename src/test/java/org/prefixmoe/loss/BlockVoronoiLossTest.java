package org.prefixmoe.loss;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;
import org.prefixmoe.TestModels;
import org.prefixmoe.loss.BlockVoronoiLoss.CellDistance;
import org.prefixmoe.loss.BlockVoronoiLoss.Term;
import org.prefixmoe.model.MixingMeasure;
import org.prefixmoe.model.PrefixModel;

class BlockVoronoiLossTest {

    static String[] variants() {
        return TestModels.parameterizationVariants();
    }

    private static double[] weights(MixingMeasure g) {
        double[] w = new double[g.size()];
        for (int l = 0; l < w.length; l++) {
            w[l] = g.weight(l);
        }
        return w;
    }

    /** The prefix losses D_1 and D_{2,r} are instances of the generic loss: the same numbers. */
    @ParameterizedTest
    @MethodSource("variants")
    void prefixLossesAreInstances(String variant) {
        Random rnd = new Random(variant.hashCode() + 1);
        for (boolean bias : new boolean[] {true, false}) {
            PrefixModel model = TestModels.randomModel(variant, 3, 2, 2, 2, 1, bias, rnd);
            for (int trial = 0; trial < 20; trial++) {
                MixingMeasure truth = TestModels.randomMeasure(model, 2, rnd);
                MixingMeasure fit = TestModels.randomMeasure(model, 2 + trial % 3, rnd);
                int p = model.atomDimension();
                BlockVoronoiLoss d1 = BlockVoronoiLoss.of(CellDistance.EUCLIDEAN, new Term("theta", 0, p,
                        ExponentRule.multi(2)));
                BlockVoronoiLoss d2 = BlockVoronoiLoss.of(CellDistance.EUCLIDEAN, new Term("theta", 0, p,
                        ExponentRule.always(1.5)));
                assertEquals(VoronoiLoss.d1(fit, truth), d1.evaluate(weights(fit), fit.atoms(), weights(truth),
                        truth.atoms()).loss(), 1e-12, variant);
                assertEquals(VoronoiLoss.d2(fit, truth, 1.5), d2.evaluate(weights(fit), fit.atoms(), weights(truth),
                        truth.atoms()).loss(), 1e-12, variant);
            }
        }
    }

    private static BlockVoronoiLoss sgameLoss() {
        // atom = (beta1, beta0, a, b, nu); beta0 enters through the weight only
        return BlockVoronoiLoss.of(CellDistance.SUM_OF_BLOCK_NORMS, new Term("beta1", 0, 1, ExponentRule.rbar(1)),
                new Term("a", 2, 1, ExponentRule.rbar(0.5)), new Term("b", 3, 1, ExponentRule.rbar(1)),
                new Term("nu", 4, 1, ExponentRule.rbar(0.5)));
    }

    private static double[] w(double[][] atoms) {
        double[] w = new double[atoms.length];
        for (int l = 0; l < w.length; l++) {
            w[l] = Math.exp(atoms[l][1]);
        }
        return w;
    }

    /**
     * The softmax-gated Gaussian MoE's loss against the value its published code
     * ({@code discrepancies.loss_SGaME_exact}) returns on the same parameters: 0.6509652340842202
     * over-specified (a cell of two atoms, r̄(2) = 4), 0.32013908910388506 exact-specified.
     */
    @Test
    void softmaxGaussianMoeLossMatchesThePublishedCode() {
        double[][] truth = {{4, -8, -2, 0, 0.3}, {0, 0, 1, 0.5, 0.4}};
        double[][] over = {{4.2, -8.3, -2.2, 0.1, 0.25}, {0.3, -0.6, 1.3, 0.45, 0.5}, {0, 0, 0.8, 0.6, 0.35}};
        double[][] exact = {{3.9, -7.9, -1.9, 0.05, 0.33}, {0, 0, 1.2, 0.4, 0.38}};
        BlockVoronoiLoss loss = sgameLoss();
        BlockVoronoiLoss.Result r = loss.evaluate(w(over), over, w(truth), truth);
        assertEquals(0.6509652340842202, r.loss(), 1e-14);
        assertEquals(2, r.cellSizes()[1]);
        double sum = r.weightTerm();
        for (double c : r.contributions().values()) {
            sum += c;
        }
        assertEquals(r.loss(), sum, 1e-15);
        assertEquals(0.32013908910388506, loss.evaluate(w(exact), exact, w(truth), truth).loss(), 1e-14);
    }

    /** A hand-computed case: two atoms in one cell at exponent 2, weight term, per-block errors. */
    @Test
    void handComputedCase() {
        BlockVoronoiLoss loss = BlockVoronoiLoss.of(CellDistance.SUM_OF_BLOCK_NORMS,
                new Term("u", 0, 2, ExponentRule.multi(2)), new Term("v", 2, 1, ExponentRule.multi(3)));
        double[][] truth = {{0, 0, 0}, {10, 10, 10}};
        double[][] fit = {{3, 4, 1}, {0, 1, -2}, {10, 10, 11}};
        BlockVoronoiLoss.Result r = loss.evaluate(new double[] {0.5, 0.25, 1}, fit, new double[] {1, 2}, truth);
        // cell 0: 0.5 * (5^2 + 1^3) + 0.25 * (1^2 + 2^3) = 13 + 2.25; cell 1: 1 * (0 + 1); weights |0.75 - 1| + |1 - 2|
        assertEquals(15.25 + 1 + 0.25 + 1, r.loss(), 1e-12);
        assertEquals(5.0, r.errors().get("u"));
        assertEquals(2.0, r.errors().get("v"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> ExponentRule.parse("blocks.a", "r4"))
                .getMessage().startsWith("blocks.a: unknown exponent 'r4'"));
        assertEquals(3.0, ExponentRule.parse("x", "rbar/2").exponent(3, 0));
        assertEquals(2.0, ExponentRule.parse("x", "always 2").exponent(1, 0));
    }
}
