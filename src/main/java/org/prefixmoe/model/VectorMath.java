package org.prefixmoe.model;

import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Elementary functions over arrays for the vector kernels of the passes over the data, with the
 * JDK Vector API at 256 bits. Needs the module {@code jdk.incubator.vector}: load this class only
 * when {@link Evaluator#vectorKernelAvailable()} is true.
 *
 * <p>The functions take arrays, not vectors, on purpose: a method that takes or returns a vector
 * and is not inlined boxes it, and C2 does not inline a large method that it has already compiled
 * on its own, so the polynomial lives inside the loop that uses it.
 */
public final class VectorMath {
    /** The species of the kernels: 4 lanes of 256 bits on every machine (see {@link VectorKernel}). */
    static final VectorSpecies<Double> S = "preferred".equals(System.getProperty("prefixmoe.vector.width"))
            ? DoubleVector.SPECIES_PREFERRED : DoubleVector.SPECIES_256;
    /** Lanes per vector. */
    static final int V = S.length();

    private static final double LOG2E = 1.4426950408889634;
    private static final double LN2_HI = 0.6931471803691238;     // 33 bits, so k·LN2_HI is exact
    private static final double LN2_LO = 1.9082149292705877e-10;
    // 1.5·2^52 + 1023: adding it rounds to an integer k and leaves k + 1023 in the low mantissa bits.
    private static final double SHIFTER = 0x1.8p52 + 1023;
    private static final double UNDERFLOW = -708.0;

    private VectorMath() {
    }

    /** {@return the number of doubles per vector; array lengths given to this class are multiples of it} */
    public static int lanes() {
        return V;
    }

    /**
     * Replaces {@code a[i]} by exp(a[i]) for i in [from, to), for arguments ≤ 0 (softmax weights
     * after subtracting the maximum), from additions, multiplications and FMAs only, each exactly
     * rounded, so compiled and interpreted code give the same bits. x = k ln 2 + r with
     * |r| ≤ ln 2 / 2, exp(r) by its Taylor polynomial to degree 12 (truncation below 2e-16
     * relative), times 2^k built in the exponent field. Below −708 it gives 0: a softmax weight
     * under 1e-307 of the largest, which is 1, changes no sum.
     *
     * @param a the values, modified in place
     * @param from first index
     * @param to end index; {@code to − from} a multiple of {@link #lanes()}
     */
    public static void exp(double[] a, int from, int to) {
        for (int i = from; i < to; i += V) {
            DoubleVector x = DoubleVector.fromArray(S, a, i);
            DoubleVector kd = x.fma(DoubleVector.broadcast(S, LOG2E), DoubleVector.broadcast(S, SHIFTER));
            DoubleVector k = kd.sub(DoubleVector.broadcast(S, SHIFTER));
            DoubleVector r = k.fma(DoubleVector.broadcast(S, -LN2_HI), x);
            r = k.fma(DoubleVector.broadcast(S, -LN2_LO), r);
            DoubleVector poly = DoubleVector.broadcast(S, 1.0 / 479001600);
            poly = poly.fma(r, DoubleVector.broadcast(S, 1.0 / 39916800));
            poly = poly.fma(r, DoubleVector.broadcast(S, 1.0 / 3628800));
            poly = poly.fma(r, DoubleVector.broadcast(S, 1.0 / 362880));
            poly = poly.fma(r, DoubleVector.broadcast(S, 1.0 / 40320));
            poly = poly.fma(r, DoubleVector.broadcast(S, 1.0 / 5040));
            poly = poly.fma(r, DoubleVector.broadcast(S, 1.0 / 720));
            poly = poly.fma(r, DoubleVector.broadcast(S, 1.0 / 120));
            poly = poly.fma(r, DoubleVector.broadcast(S, 1.0 / 24));
            poly = poly.fma(r, DoubleVector.broadcast(S, 1.0 / 6));
            poly = poly.fma(r, DoubleVector.broadcast(S, 0.5));
            poly = poly.fma(r, DoubleVector.broadcast(S, 1.0));
            poly = poly.fma(r, DoubleVector.broadcast(S, 1.0));
            DoubleVector scale = kd.reinterpretAsLongs().lanewise(VectorOperators.LSHL, 52).reinterpretAsDoubles();
            VectorMask<Double> under = x.compare(VectorOperators.LT, UNDERFLOW);
            poly.mul(scale).blend(0.0, under).intoArray(a, i);
        }
    }
}
