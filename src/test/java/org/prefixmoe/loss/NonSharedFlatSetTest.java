package org.prefixmoe.loss;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.prefixmoe.TestModels;
import org.prefixmoe.model.Evaluator;
import org.prefixmoe.model.MixingMeasure;
import org.prefixmoe.model.TruthModel;
import org.prefixmoe.sampling.Dataset;
import org.prefixmoe.sampling.RandomStreams;
import org.prefixmoe.sampling.RegressionSampler;

/**
 * docs/theory.md §5: the over-specified non-shared model is not identifiable. Splitting a true atom
 * {@code (k*, v*)} into {@code (k*, v* + δ)} and {@code (k*, v* − δ)} with half its weight each
 * ({@code b = b* − log 2}) leaves {@code f_G} unchanged for every δ, so the least-squares objective
 * is flat along that set, while {@code D_1 = exp(b*)·||δ||²} grows with δ.
 */
class NonSharedFlatSetTest {

    @ParameterizedTest
    @CsvSource({
        // split atom, δ (the two value coordinates), biases of G*
        "0, 0.1, -0.05, 0.0, 0.0",
        "0, 0.4, 0.3, 0.0, 0.0",
        "1, -0.25, 0.2, 0.0, 0.0",
        "0, 0.3, -0.2, 0.7, -0.4",
        "1, 0.05, 0.35, 0.7, -0.4"})
    void splittingATrueAtomLeavesTheRegressionFunctionAndObjectiveUnchanged(int split, double d0, double d1,
                                                                         double b0, double b1) {
        TruthModel tm = TestModels.defaultTruth("non-shared");
        MixingMeasure truth = new MixingMeasure(tm.truth().atoms(), new double[] {b0, b1});
        int r = tm.model().keyDimension();
        double[] delta = {d0, d1};
        MixingMeasure gSplit = split(truth, split, r, delta);

        Dataset data = RegressionSampler.of(tm).sample(10_000, RandomStreams.stream(81, 1));
        double[] x = data.x();
        double[] fTrue = tm.model().regression(truth, x);
        double[] fSplit = tm.model().regression(gSplit, x);
        for (int k = 0; k < fTrue.length; k++) {
            assertEquals(fTrue[k], fSplit[k], 1e-13 * Math.max(1, Math.abs(fTrue[k])), "f_G at entry " + k);
        }

        double objTrue = objective(tm, truth, data);
        double objSplit = objective(tm, gSplit, data);
        assertEquals(objTrue, objSplit, 1e-12 * objTrue, "least-squares objective at G_split vs G*");

        double norm2 = d0 * d0 + d1 * d1;
        double expected = Math.exp(truth.bias(split)) * norm2;
        assertEquals(expected, VoronoiLoss.d1(gSplit, truth), 1e-12 * Math.max(1, expected), "D_1(G_split, G*)");
        // The objective cannot tell the split apart, the loss does: D_1 grows with ||δ||² while
        // the objective stays put.
        MixingMeasure wider = split(truth, split, r, new double[] {2 * d0, 2 * d1});
        assertEquals(objTrue, objective(tm, wider, data), 1e-12 * objTrue);
        assertEquals(4 * expected, VoronoiLoss.d1(wider, truth), 1e-12 * Math.max(1, expected));
    }

    /** G* with atom {@code j} split into (k*, v* ± δ), each with bias b* − log 2; other atoms unchanged. */
    static MixingMeasure split(MixingMeasure truth, int j, int keyDimension, double[] delta) {
        int size = truth.size();
        double[][] atoms = new double[size + 1][];
        double[] biases = new double[size + 1];
        for (int l = 0; l < size; l++) {
            atoms[l] = truth.atom(l).clone();
            biases[l] = truth.bias(l);
        }
        double[] plus = truth.atom(j).clone();
        double[] minus = truth.atom(j).clone();
        for (int a = 0; a < delta.length; a++) {
            plus[keyDimension + a] += delta[a];
            minus[keyDimension + a] -= delta[a];
        }
        atoms[j] = plus;
        atoms[size] = minus;
        biases[j] = truth.bias(j) - Math.log(2);
        biases[size] = truth.bias(j) - Math.log(2);
        return new MixingMeasure(atoms, biases);
    }

    /** The least-squares objective Σ||Y − f_G||² / n. */
    private static double objective(TruthModel tm, MixingMeasure g, Dataset data) {
        Evaluator ev = new Evaluator(tm.model(), g.size(), data.x(), tm.model().pretrained().evaluate(data.x()));
        ev.setMeasure(g);
        return ev.sumOfSquares(data.y()) / data.size();
    }
}
