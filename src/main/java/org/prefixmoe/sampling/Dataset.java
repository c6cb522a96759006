package org.prefixmoe.sampling;

/**
 * A data set {@code (X_i, Y_i), i = 1..n}: inputs n × D and responses n × q, row-major.
 * The arrays are held by reference for speed; treat them as read-only.
 *
 * @param x inputs, n × D row-major
 * @param y responses, n × q row-major
 * @param inputDimension D
 * @param outputDimension q
 */
public record Dataset(double[] x, double[] y, int inputDimension, int outputDimension) {

    /**
     * Validates shapes and finiteness.
     *
     * @param x inputs, n × D row-major (kept, not copied)
     * @param y responses, n × q row-major (kept, not copied)
     * @param inputDimension D ≥ 1
     * @param outputDimension q ≥ 1
     */
    public Dataset {
        java.util.Objects.requireNonNull(x, "x");
        java.util.Objects.requireNonNull(y, "y");
        if (inputDimension < 1 || outputDimension < 1) {
            throw new IllegalArgumentException("dataset: dimensions must be positive");
        }
        if (x.length % inputDimension != 0 || y.length % outputDimension != 0
                || x.length / inputDimension != y.length / outputDimension) {
            throw new IllegalArgumentException("dataset: " + x.length / inputDimension + " inputs but "
                    + y.length / outputDimension + " responses");
        }
        if (x.length == 0) {
            throw new IllegalArgumentException("n: a data set needs at least one sample, got none");
        }
        for (int k = 0; k < x.length; k++) {
            if (!Double.isFinite(x[k])) {
                throw new IllegalArgumentException("dataset: X[" + k / inputDimension + "][" + k % inputDimension
                        + "] is not a finite number (" + x[k] + ")");
            }
        }
        for (int k = 0; k < y.length; k++) {
            if (!Double.isFinite(y[k])) {
                throw new IllegalArgumentException("dataset: Y[" + k / outputDimension + "][" + k % outputDimension
                        + "] is not a finite number (" + y[k] + ")");
            }
        }
    }

    /** {@return the number of samples n} */
    public int size() {
        return x.length / inputDimension;
    }
}
