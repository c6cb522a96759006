package org.prefixmoe.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.prefixmoe.TestModels;
import org.prefixmoe.sampling.Dataset;
import org.prefixmoe.sampling.RandomStreams;
import org.prefixmoe.sampling.RegressionSampler;

/** Issue 18: predictions (f, gate weights) and responsibilities of a measure at new inputs. */
class PredictionTest {
    @ParameterizedTest
    @ValueSource(strings = {"shared-linear", "non-shared", "shared-mlp"})
    void gatesMixTheExpertsIntoTheRegressionFunction(String name) {
        TruthModel tm = TestModels.defaultTruth(name);
        PrefixModel m = tm.model();
        Dataset data = RegressionSampler.of(tm).sample(50, RandomStreams.stream(7, 1));
        Prediction p = m.predict(tm.truth(), data.x());
        int n = 50;
        int q = m.outputDimension();
        int nExp = m.pretrained().count();
        int k = nExp + tm.trueAtoms();
        assertEquals(k, p.experts());
        assertArrayEquals(m.regression(tm.truth(), data.x()), p.regression());
        double[][] values = m.components(tm.truth()).expert();
        double[] mean = new double[q];
        for (int i = 0; i < n; i++) {
            double total = 0;
            double[] f = new double[q];
            for (int c = 0; c < k; c++) {
                double w = p.gates()[i * k + c];
                total += w;
                if (c < nExp) {
                    m.pretrained().output(c, data.x(), i * m.inputDimension(), mean, 0);
                } else {
                    System.arraycopy(values[c - nExp], 0, mean, 0, q);
                }
                for (int a = 0; a < q; a++) {
                    f[a] += w * mean[a];
                }
            }
            assertEquals(1, total, 1e-12);
            for (int a = 0; a < q; a++) {
                assertEquals(p.regression()[i * q + a], f[a], 1e-12, "f = sum of gate weight x expert mean");
            }
        }
        double[] tau = m.responsibilities(tm.truth(), data.x(), data.y(), 0.01);
        for (int i = 0; i < n; i++) {
            double s = 0;
            for (int c = 0; c < k; c++) {
                assertTrue(tau[i * k + c] >= 0);
                s += tau[i * k + c];
            }
            assertEquals(1, s, 1e-12);
        }
        // a huge sigma2 leaves the responsibilities at the gate weights
        double[] flat = m.responsibilities(tm.truth(), data.x(), data.y(), 1e12);
        for (int c = 0; c < flat.length; c++) {
            assertEquals(p.gates()[c], flat[c], 1e-9);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"shared-linear"})
    void badArgumentsAreNamed(String name) {
        TruthModel tm = TestModels.defaultTruth(name);
        PrefixModel m = tm.model();
        double[] x = new double[] {0.1, 0.2, 0.3, Double.NaN};
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> m.predict(tm.truth(), x));
        assertTrue(e.getMessage().startsWith("x"), e.getMessage());
        double[] ok = new double[] {0.1, 0.2, 0.3, 0.4};
        e = assertThrows(IllegalArgumentException.class, () -> m.responsibilities(tm.truth(), ok, new double[] {1}, 1));
        assertTrue(e.getMessage().startsWith("y:"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> m.responsibilities(tm.truth(), ok, new double[2], 0));
        assertTrue(e.getMessage().startsWith("sigma2:"), e.getMessage());
        MixingMeasure other = new MixingMeasure(new double[][] {{1, 2, 3, 4}}, new double[] {0});
        e = assertThrows(IllegalArgumentException.class, () -> m.predict(other, ok));
        assertTrue(e.getMessage().startsWith("measure:"), e.getMessage());
    }
}
