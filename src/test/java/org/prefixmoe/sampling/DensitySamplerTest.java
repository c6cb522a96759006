package org.prefixmoe.sampling;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.prefixmoe.TestModels;
import org.prefixmoe.model.TruthModel;

class DensitySamplerTest {

    @Test
    void conditionalMeanIsTheRegressionFunctionAndDrawsAreReproducible() {
        TruthModel tm = TestModels.defaultTruth("shared-linear");
        Sampler s = Samplers.byName("density", tm.model(), tm.truth(), tm.sigma(), tm.input());
        assertTrue(s instanceof DensitySampler);
        Dataset a = s.sample(200_000, RandomStreams.stream(5, 1));
        Dataset b = s.sample(200_000, RandomStreams.stream(5, 1));
        assertArrayEquals(a.y(), b.y());
        double[] f = tm.model().regression(tm.truth(), a.x());
        int q = a.outputDimension();
        int n = a.size();
        // E[Y - f(X)] = 0 and E[(Y - f(X)) f(X)] = 0 (the residual is orthogonal to functions of X).
        for (int c = 0; c < q; c++) {
            double m = 0;
            double cross = 0;
            for (int i = 0; i < n; i++) {
                double e = a.y()[i * q + c] - f[i * q + c];
                m += e;
                cross += e * f[i * q + c];
            }
            assertEquals(0, m / n, 0.01, "mean residual " + c);
            assertEquals(0, cross / n, 0.01, "residual times f " + c);
        }
        // Mixture noise: the residual variance exceeds sigma^2 (components are far apart relative to sigma).
        double v = 0;
        for (int k = 0; k < n * q; k++) {
            double e = a.y()[k] - f[k];
            v += e * e;
        }
        assertTrue(v / (n * q) > 2 * tm.sigma() * tm.sigma());
    }

    @Test
    void withZeroNoiseEveryResponseIsOneComponentMean() {
        TruthModel tm = TestModels.defaultTruth("non-shared");
        Dataset a = new DensitySampler(tm.model(), tm.truth(), 0.0, tm.input()).sample(2000, RandomStreams.stream(6));
        int promptDraws = 0;
        for (int i = 0; i < a.size(); i++) {
            for (int l = 0; l < tm.trueAtoms(); l++) {
                double[] atom = tm.truth().atom(l);
                // non-shared atom = (key, value): value occupies the last q coordinates.
                if (a.y()[i * 2] == atom[2] && a.y()[i * 2 + 1] == atom[3]) {
                    promptDraws++;
                }
            }
        }
        assertTrue(promptDraws > 100 && promptDraws < 1900, "prompt components drawn " + promptDraws + " times");
    }
}
