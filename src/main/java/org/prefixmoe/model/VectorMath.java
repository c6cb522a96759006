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
        // Two vectors per step: two independent chains of 12 FMAs (one alone waits on the FMA
        // latency); each element sees the same operations, so the bits do not change.
        int i = from;
        for (; i + 2 * V <= to; i += 2 * V) {
            final int j = i + V;
            DoubleVector x0 = DoubleVector.fromArray(S, a, i);
            DoubleVector x1 = DoubleVector.fromArray(S, a, j);
            DoubleVector log2e = DoubleVector.broadcast(S, Exp.LOG2E);
            DoubleVector shifter = DoubleVector.broadcast(S, Exp.SHIFTER);
            DoubleVector kd0 = x0.fma(log2e, shifter);
            DoubleVector kd1 = x1.fma(log2e, shifter);
            DoubleVector k0 = kd0.sub(shifter);
            DoubleVector k1 = kd1.sub(shifter);
            DoubleVector hi = DoubleVector.broadcast(S, -Exp.LN2_HI);
            DoubleVector lo = DoubleVector.broadcast(S, -Exp.LN2_LO);
            DoubleVector r0 = k0.fma(lo, k0.fma(hi, x0));
            DoubleVector r1 = k1.fma(lo, k1.fma(hi, x1));
            DoubleVector c = DoubleVector.broadcast(S, Exp.C11);
            DoubleVector p0 = DoubleVector.broadcast(S, Exp.C12).fma(r0, c);
            DoubleVector p1 = DoubleVector.broadcast(S, Exp.C12).fma(r1, c);
            c = DoubleVector.broadcast(S, Exp.C10);
            p0 = p0.fma(r0, c);
            p1 = p1.fma(r1, c);
            c = DoubleVector.broadcast(S, Exp.C9);
            p0 = p0.fma(r0, c);
            p1 = p1.fma(r1, c);
            c = DoubleVector.broadcast(S, Exp.C8);
            p0 = p0.fma(r0, c);
            p1 = p1.fma(r1, c);
            c = DoubleVector.broadcast(S, Exp.C7);
            p0 = p0.fma(r0, c);
            p1 = p1.fma(r1, c);
            c = DoubleVector.broadcast(S, Exp.C6);
            p0 = p0.fma(r0, c);
            p1 = p1.fma(r1, c);
            c = DoubleVector.broadcast(S, Exp.C5);
            p0 = p0.fma(r0, c);
            p1 = p1.fma(r1, c);
            c = DoubleVector.broadcast(S, Exp.C4);
            p0 = p0.fma(r0, c);
            p1 = p1.fma(r1, c);
            c = DoubleVector.broadcast(S, Exp.C3);
            p0 = p0.fma(r0, c);
            p1 = p1.fma(r1, c);
            c = DoubleVector.broadcast(S, Exp.C2);
            p0 = p0.fma(r0, c);
            p1 = p1.fma(r1, c);
            c = DoubleVector.broadcast(S, 1.0);
            p0 = p0.fma(r0, c);
            p1 = p1.fma(r1, c);
            p0 = p0.fma(r0, c);
            p1 = p1.fma(r1, c);
            DoubleVector s0 = kd0.reinterpretAsLongs().lanewise(VectorOperators.LSHL, 52).reinterpretAsDoubles();
            DoubleVector s1 = kd1.reinterpretAsLongs().lanewise(VectorOperators.LSHL, 52).reinterpretAsDoubles();
            VectorMask<Double> u0 = x0.compare(VectorOperators.LT, Exp.UNDERFLOW);
            VectorMask<Double> u1 = x1.compare(VectorOperators.LT, Exp.UNDERFLOW);
            p0.mul(s0).blend(0.0, u0).intoArray(a, i);
            p1.mul(s1).blend(0.0, u1).intoArray(a, j);
        }
        for (; i < to; i += V) {
            DoubleVector x = DoubleVector.fromArray(S, a, i);
            DoubleVector kd = x.fma(DoubleVector.broadcast(S, Exp.LOG2E), DoubleVector.broadcast(S, Exp.SHIFTER));
            DoubleVector k = kd.sub(DoubleVector.broadcast(S, Exp.SHIFTER));
            DoubleVector r = k.fma(DoubleVector.broadcast(S, -Exp.LN2_HI), x);
            r = k.fma(DoubleVector.broadcast(S, -Exp.LN2_LO), r);
            DoubleVector poly = DoubleVector.broadcast(S, Exp.C12);
            poly = poly.fma(r, DoubleVector.broadcast(S, Exp.C11));
            poly = poly.fma(r, DoubleVector.broadcast(S, Exp.C10));
            poly = poly.fma(r, DoubleVector.broadcast(S, Exp.C9));
            poly = poly.fma(r, DoubleVector.broadcast(S, Exp.C8));
            poly = poly.fma(r, DoubleVector.broadcast(S, Exp.C7));
            poly = poly.fma(r, DoubleVector.broadcast(S, Exp.C6));
            poly = poly.fma(r, DoubleVector.broadcast(S, Exp.C5));
            poly = poly.fma(r, DoubleVector.broadcast(S, Exp.C4));
            poly = poly.fma(r, DoubleVector.broadcast(S, Exp.C3));
            poly = poly.fma(r, DoubleVector.broadcast(S, Exp.C2));
            poly = poly.fma(r, DoubleVector.broadcast(S, 1.0));
            poly = poly.fma(r, DoubleVector.broadcast(S, 1.0));
            DoubleVector scale = kd.reinterpretAsLongs().lanewise(VectorOperators.LSHL, 52).reinterpretAsDoubles();
            VectorMask<Double> under = x.compare(VectorOperators.LT, Exp.UNDERFLOW);
            poly.mul(scale).blend(0.0, under).intoArray(a, i);
        }
    }
}
