package org.prefixmoe.model;

/**
 * The exponential of the passes over the data, from exactly rounded operations only (additions,
 * multiplications, FMAs), so that it gives the same bits compiled or interpreted, in plain Java
 * ({@link #exp}) or lane by lane in {@link VectorMath#exp}, which uses these constants. For
 * x ≤ 0 (softmax weights after subtracting the maximum): x = k ln 2 + r with |r| ≤ ln 2 / 2,
 * exp(r) by its Taylor polynomial to degree 12 (truncation below 2e-16 relative), times 2^k built
 * in the exponent field; below −708 it gives 0 (a softmax weight under 1e-307 of the largest,
 * which is 1, changes no sum).
 */
public final class Exp {
    static final double LOG2E = 1.4426950408889634;
    static final double LN2_HI = 0.6931471803691238;     // 33 bits, so k·LN2_HI is exact
    static final double LN2_LO = 1.9082149292705877e-10;
    // 1.5·2^52 + 1023: adding it rounds to an integer k and leaves k + 1023 in the low mantissa bits.
    static final double SHIFTER = 0x1.8p52 + 1023;
    static final double UNDERFLOW = -708.0;
    /** Taylor coefficients 1/k!, k = 12 down to 0, in Horner order. */
    static final double C12 = 1.0 / 479001600;
    static final double C11 = 1.0 / 39916800;
    static final double C10 = 1.0 / 3628800;
    static final double C9 = 1.0 / 362880;
    static final double C8 = 1.0 / 40320;
    static final double C7 = 1.0 / 5040;
    static final double C6 = 1.0 / 720;
    static final double C5 = 1.0 / 120;
    static final double C4 = 1.0 / 24;
    static final double C3 = 1.0 / 6;
    static final double C2 = 0.5;

    private Exp() {
    }

    /**
     * {@return exp(x) for x ≤ 0, bit for bit as one lane of {@link VectorMath#exp}} (about twice as
     * fast as {@code Math.exp}; the family's E-steps and gates use it after subtracting a maximum)
     *
     * @param x at most 0
     */
    public static double exp(double x) {
        double kd = Math.fma(x, LOG2E, SHIFTER);
        double k = kd - SHIFTER;
        double r = Math.fma(k, -LN2_HI, x);
        r = Math.fma(k, -LN2_LO, r);
        double poly = C12;
        poly = Math.fma(poly, r, C11);
        poly = Math.fma(poly, r, C10);
        poly = Math.fma(poly, r, C9);
        poly = Math.fma(poly, r, C8);
        poly = Math.fma(poly, r, C7);
        poly = Math.fma(poly, r, C6);
        poly = Math.fma(poly, r, C5);
        poly = Math.fma(poly, r, C4);
        poly = Math.fma(poly, r, C3);
        poly = Math.fma(poly, r, C2);
        poly = Math.fma(poly, r, 1.0);
        poly = Math.fma(poly, r, 1.0);
        double scale = Double.longBitsToDouble(Double.doubleToRawLongBits(kd) << 52);
        return x < UNDERFLOW ? 0.0 : poly * scale;
    }
}
