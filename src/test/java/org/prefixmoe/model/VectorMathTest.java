package org.prefixmoe.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The vector exp against {@link StrictMath#exp} over the range the softmax uses. */
class VectorMathTest {

    @Test
    void expIsWithinTwoUlpsOfStrictMathAndZeroBelowTheUnderflowCut() {
        assumeTrue(Evaluator.vectorKernelAvailable(), "tests run with --add-modules jdk.incubator.vector");
        int n = 4096 * VectorMath.lanes();
        double[] x = new double[n];
        SplittableRandom rnd = new SplittableRandom(11);
        for (int i = 0; i < n; i++) {
            // Mostly the softmax range [-40, 0], some down to the cut, and the exact edge cases.
            x[i] = i % 7 == 0 ? rnd.nextDouble(-707.9, 0.0) : rnd.nextDouble(-40.0, 0.0);
        }
        x[0] = 0.0;
        x[1] = -0.0;
        x[2] = -708.5;
        x[3] = -1e-300;
        x[4] = Math.log(0.5);
        double[] e = x.clone();
        VectorMath.exp(e, 0, n);
        assertEquals(1.0, e[0], 0.0, "exp(0)");
        assertEquals(1.0, e[1], 0.0, "exp(-0)");
        assertEquals(0.0, e[2], 0.0, "below -708");
        assertEquals(1.0, e[3], 0.0, "exp(-1e-300)");
        for (int i = 0; i < n; i++) {
            if (x[i] < -708) {
                continue;
            }
            double want = StrictMath.exp(x[i]);
            assertEquals(want, e[i], 2 * Math.ulp(want), "exp(" + x[i] + ")");
        }
    }

    @Test
    void expLeavesValuesOutsideTheRangeAlone() {
        assumeTrue(Evaluator.vectorKernelAvailable(), "tests run with --add-modules jdk.incubator.vector");
        int v = VectorMath.lanes();
        double[] a = new double[3 * v];
        java.util.Arrays.fill(a, -1.0);
        VectorMath.exp(a, v, 2 * v);
        for (int i = 0; i < 3 * v; i++) {
            assertEquals(i >= v && i < 2 * v ? Math.exp(-1.0) : -1.0, a[i], 1e-15, "index " + i);
        }
    }
}
