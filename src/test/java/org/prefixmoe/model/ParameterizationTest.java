package org.prefixmoe.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.prefixmoe.TestModels;

class ParameterizationTest {

    static String[] variants() {
        return TestModels.parameterizationVariants();
    }

    @ParameterizedTest
    @MethodSource("variants")
    void mapJacobianMatchesCentralDifferences(String variant) {
        Random rnd = new Random(variant.hashCode());
        Parameterization map = TestModels.parameterization(variant, 2, 3, 2, rnd);
        int p = map.atomDimension();
        int r = map.keyDimension();
        int q = map.valueDimension();
        double[] theta = TestModels.vector(p, rnd);
        double[] key = new double[r];
        double[] value = new double[q];
        double[] dKey = new double[r * p];
        double[] dValue = new double[q * p];
        map.map(theta, 0, key, value, dKey, dValue);
        double h = 1e-6;
        double[] kp = new double[r];
        double[] km = new double[r];
        double[] vp = new double[q];
        double[] vm = new double[q];
        for (int c = 0; c < p; c++) {
            double[] tp = theta.clone();
            double[] tm = theta.clone();
            tp[c] += h;
            tm[c] -= h;
            map.map(tp, 0, kp, vp, null, null);
            map.map(tm, 0, km, vm, null, null);
            for (int i = 0; i < r; i++) {
                assertEquals((kp[i] - km[i]) / (2 * h), dKey[i * p + c], 1e-7 * Math.max(1, Math.abs(dKey[i * p + c])));
            }
            for (int i = 0; i < q; i++) {
                assertEquals((vp[i] - vm[i]) / (2 * h), dValue[i * p + c],
                        1e-7 * Math.max(1, Math.abs(dValue[i * p + c])));
            }
        }
    }

    @Test
    void activationsHaveTheirTextbookValues() {
        assertEquals(Math.tanh(0.3), Activation.TANH.value(0.3), 1e-15);
        assertEquals(1 / (1 + Math.exp(-0.3)), Activation.SIGMOID.value(0.3), 1e-15);
        assertEquals(1 / (1 + Math.exp(800)), Activation.SIGMOID.value(-800), 1e-300);
        // GELU(1) = Φ(1) = 0.8413447460685429.
        assertEquals(0.8413447460685429, Activation.GELU.value(1.0), 1e-12);
        assertThrows(IllegalArgumentException.class, () -> Activation.parse("relu"));
    }

    @Test
    void promptTuningIsSharedLinearWithTransposedProjections() {
        double[][] wk = {{1, 2}, {3, 4}};
        double[][] wv = {{0.5, -1}, {2, 0}};
        PromptTuning pt = new PromptTuning(wk, wv);
        double[] key = new double[2];
        double[] value = new double[2];
        pt.map(new double[] {1, -1}, 0, key, value, null, null);
        // key = W_K^T p = (1*1 + 3*(-1), 2*1 + 4*(-1)).
        assertEquals(-2, key[0], 1e-15);
        assertEquals(-2, key[1], 1e-15);
        assertEquals(-1.5, value[0], 1e-15);
        assertEquals(-1, value[1], 1e-15);
    }

    @Test
    void rankDeficientMapsAreRefusedNamingTheField() {
        SharedLinear bad = new SharedLinear(new double[][] {{1, 2}, {2, 4}}, new double[][] {{1, 0}, {0, 1}});
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> bad.checkIdentifiable(new double[][] {{1, 0}}));
        assertTrue(e.getMessage().startsWith("R_K"), e.getMessage());
        // More atom coordinates than key coordinates: the key map cannot be injective.
        SharedLinear wide = new SharedLinear(new double[][] {{1, 0, 0}, {0, 1, 0}}, new double[][] {{1, 1, 1}});
        e = assertThrows(IllegalArgumentException.class, () -> wide.checkIdentifiable(new double[][] {{1, 0, 0}}));
        assertTrue(e.getMessage().startsWith("R_K"), e.getMessage());
    }

    @Test
    void valueMapNeedsNoRank() {
        // docs/theory.md §2: a q = 1 response with m = 3 is a legitimate shared model when R_K is injective.
        SharedLinear narrowValue = new SharedLinear(new double[][] {{1, 0, 0}, {0, 1, 0}, {0, 0, 1}},
                new double[][] {{1, 1, 1}});
        narrowValue.checkIdentifiable(new double[][] {{1, 0, 0}});
        SharedNonlinear rankOneValue = new SharedNonlinear(new double[][] {{1, 0}, {0, 1}},
                new double[][] {{1, 1}, {1, 1}}, Activation.TANH);
        rankOneValue.checkIdentifiable(new double[][] {{1, 0}});
    }

    @Test
    void keySingularValuesOfTheDefaultSharedLinearTruth() {
        // R_K = [[1, 0.4], [-0.3, 0.9]]: singular values are the square roots of the eigenvalues of
        // R_K^T R_K = [[1.09, 0.13], [0.13, 0.97]], i.e. (2.06 ± sqrt(0.12^2 + 4 * 0.13^2)) / 2.
        SharedLinear map = new SharedLinear(new double[][] {{1, 0.4}, {-0.3, 0.9}}, new double[][] {{0.8, -0.5},
            {0.4, 1.0}});
        double disc = Math.sqrt(0.12 * 0.12 + 4 * 0.13 * 0.13);
        double[] sv = map.keySingularValues(new double[] {1.0, 0.6});
        assertEquals(Math.sqrt((2.06 + disc) / 2), sv[0], 1e-12);
        assertEquals(Math.sqrt((2.06 - disc) / 2), sv[1], 1e-12);
        assertEquals(0.94, sv[1], 0.005);
        // tanh: the Jacobian is diag(1 - tanh^2(R_K p)) R_K, so its singular values are smaller.
        SharedNonlinear tanh = new SharedNonlinear(new double[][] {{1, 0.4}, {-0.3, 0.9}},
                new double[][] {{0.8, -0.5}, {0.4, 1.0}}, Activation.TANH);
        assertTrue(tanh.keySingularValues(new double[] {1.0, 0.6})[1] < sv[1]);
        // Non-shared: the key is the first r coordinates, so the Jacobian [I 0] has p - r zero singular values.
        double[] ns = new NonShared(2, 2).keySingularValues(new double[] {1, 2, 3, 4});
        assertArrayEquals(new double[] {1, 1, 0, 0}, ns, 1e-15);
        assertFalse(new NonShared(2, 2).shared());
    }

    @Test
    void mlpWithSaturatedJacobianIsRefused() {
        // Hidden units saturate (|W1 p| huge): the Jacobian at the atom is numerically zero.
        SharedMlp mlp = new SharedMlp(new double[][] {{1000, 0}, {0, 1000}}, new double[] {0, 0},
                new double[][] {{1, 0}, {0, 1}, {1, 1}, {1, -1}}, new double[] {0, 0, 0, 0}, 2);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> mlp.checkIdentifiable(new double[][] {{1, 1}}));
        assertTrue(e.getMessage().startsWith("atoms[0]"), e.getMessage());
    }
}
