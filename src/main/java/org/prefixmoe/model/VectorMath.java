package org.prefixmoe.model;

import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;

/**
 * Lane-wise elementary functions for the vector kernels of the passes over the data (the
 * least-squares pass here, EM's E-step in {@code org.prefixmoe.estimation.em}), built from exactly
 * rounded operations only, so that compiled and interpreted code give the same bits. Needs the
 * module {@code jdk.incubator.vector}: load this class only where
 * {@link Evaluator#vectorKernelAvailable()} is true.
 */
public final class VectorMath {
    private static final double LOG2E = 1.4426950408889634;
    private static final double LN2_HI = 0.6931471803691238;     // 33 bits, so k·LN2_HI is exact
    private static final double LN2_LO = 1.9082149292705877e-10;
    // 1.5·2^52 + 1023: adding it rounds to an integer k and leaves k + 1023 in the low mantissa bits.
    private static final double SHIFTER = 0x1.8p52 + 1023;
    private static final double UNDERFLOW = -708.0;

    private VectorMath() {
    }

    /**
     * exp(x) for x ≤ 0, lane-wise, from additions, multiplications and FMAs only (each exactly
     * rounded, so compiled and interpreted code give the same bits, which keeps a pass
     * bit-identical for any thread count). x = k ln 2 + r with |r| ≤ ln 2 / 2, exp(r) by its
     * Taylor polynomial to degree 12 (truncation below 2e-16 relative), times 2^k built in the
     * exponent field. Below −708 it returns 0: a softmax weight under 1e-307 of the largest, which
     * is 1, changes no sum. Positive arguments are not supported (a softmax subtracts its maximum).
     *
     * @param x arguments, each ≤ 0 (any species)
     * @return exp of each lane, of the species of {@code x}
     */
    public static DoubleVector exp(DoubleVector x) {
        DoubleVector kd = x.fma(x.broadcast(LOG2E), x.broadcast(SHIFTER));
        DoubleVector k = kd.sub(x.broadcast(SHIFTER));
        DoubleVector r = k.fma(x.broadcast(-LN2_HI), x);
        r = k.fma(x.broadcast(-LN2_LO), r);
        DoubleVector poly = x.broadcast(1.0 / 479001600);
        poly = poly.fma(r, x.broadcast(1.0 / 39916800));
        poly = poly.fma(r, x.broadcast(1.0 / 3628800));
        poly = poly.fma(r, x.broadcast(1.0 / 362880));
        poly = poly.fma(r, x.broadcast(1.0 / 40320));
        poly = poly.fma(r, x.broadcast(1.0 / 5040));
        poly = poly.fma(r, x.broadcast(1.0 / 720));
        poly = poly.fma(r, x.broadcast(1.0 / 120));
        poly = poly.fma(r, x.broadcast(1.0 / 24));
        poly = poly.fma(r, x.broadcast(1.0 / 6));
        poly = poly.fma(r, x.broadcast(0.5));
        poly = poly.fma(r, x.broadcast(1.0));
        poly = poly.fma(r, x.broadcast(1.0));
        DoubleVector scale = kd.reinterpretAsLongs().lanewise(VectorOperators.LSHL, 52).reinterpretAsDoubles();
        VectorMask<Double> under = x.compare(VectorOperators.LT, UNDERFLOW);
        return poly.mul(scale).blend(0.0, under);
    }
}
