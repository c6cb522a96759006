package org.prefixmoe.djl.experiment;

/**
 * Learning rates on the ladder {@code ..., 0.01, 0.03, 0.1, 0.3, 1, 3, ...} (two rungs per decade, about a factor
 * of 3 apart), so that a grid can be extended by one rung at either end.
 */
public final class LrLadder {

    private LrLadder() {}

    /**
     * The rate of rung {@code i}: {@code 10^floor(i/2)} for even {@code i}, three times that for odd {@code i}.
     *
     * @param i rung (0 is 1.0)
     * @return the rate
     */
    public static float rate(int i) {
        int decade = Math.floorDiv(i, 2);
        double r = Math.pow(10, decade) * (Math.floorMod(i, 2) == 0 ? 1 : 3);
        return Float.parseFloat(String.format(java.util.Locale.ROOT, "%.6g", r));
    }

    /**
     * The rung of a rate on the ladder.
     *
     * @param lr a rate of the ladder
     * @return its rung
     * @throws IllegalArgumentException if the rate is not on the ladder
     */
    public static int rung(float lr) {
        int guess = (int) Math.floor(2 * Math.log10(lr));
        for (int i = guess - 2; i <= guess + 2; i++) {
            if (Math.abs(rate(i) - lr) <= 1e-6 * lr) {
                return i;
            }
        }
        throw new IllegalArgumentException("learning rate " + lr + " is not on the 1-3-10 ladder (e.g. 0.03, 0.1, 0.3)");
    }
}
