package org.prefixmoe.model;

import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.SingularOps_DDRM;

/** Small helpers for row-major matrices stored in flat arrays. */
public final class Matrices {
    private Matrices() {
    }

    /**
     * Copies a rectangular {@code double[rows][cols]} into a row-major array, checking its shape.
     *
     * @param field the name used in error messages, e.g. {@code A[1]}
     * @param m the matrix; not modified
     * @param rows expected number of rows
     * @param cols expected number of columns
     * @return a new row-major array of {@code rows · cols} entries
     * @throws IllegalArgumentException naming the field when m is missing, ragged, of the wrong shape or not finite
     */
    public static double[] flatten(String field, double[][] m, int rows, int cols) {
        if (m == null) {
            throw new IllegalArgumentException(field + ": missing");
        }
        if (m.length != rows) {
            throw new IllegalArgumentException(field + ": expected " + rows + " rows, found " + m.length);
        }
        double[] out = new double[rows * cols];
        for (int i = 0; i < rows; i++) {
            if (m[i] == null || m[i].length != cols) {
                throw new IllegalArgumentException(field + ": row " + i + " must have " + cols + " entries, found "
                        + (m[i] == null ? 0 : m[i].length));
            }
            for (int j = 0; j < cols; j++) {
                double v = m[i][j];
                if (!Double.isFinite(v)) {
                    throw new IllegalArgumentException(field + "[" + i + "][" + j + "]: not a finite number (" + v + ")");
                }
                out[i * cols + j] = v;
            }
        }
        return out;
    }

    /**
     * Checks a vector's length and finiteness and returns a copy.
     *
     * @param field the name used in error messages
     * @param v the vector; not modified
     * @param length expected length
     * @return a copy of v
     * @throws IllegalArgumentException naming the field when v is missing, of the wrong length or not finite
     */
    public static double[] vector(String field, double[] v, int length) {
        if (v == null) {
            throw new IllegalArgumentException(field + ": missing");
        }
        if (v.length != length) {
            throw new IllegalArgumentException(field + ": expected " + length + " entries, found " + v.length);
        }
        for (int i = 0; i < v.length; i++) {
            if (!Double.isFinite(v[i])) {
                throw new IllegalArgumentException(field + "[" + i + "]: not a finite number (" + v[i] + ")");
            }
        }
        return v.clone();
    }

    /**
     * Converts a row-major array back to {@code double[rows][cols]}.
     *
     * @param a the row-major array; not modified
     * @param rows number of rows
     * @param cols number of columns
     * @return a new matrix
     */
    public static double[][] unflatten(double[] a, int rows, int cols) {
        double[][] m = new double[rows][cols];
        for (int i = 0; i < rows; i++) {
            System.arraycopy(a, i * cols, m[i], 0, cols);
        }
        return m;
    }

    /**
     * The transpose of a row-major matrix.
     *
     * @param a a rows × cols row-major array; not modified
     * @param rows number of rows of a
     * @param cols number of columns of a
     * @return a new cols × rows row-major array
     */
    public static double[] transpose(double[] a, int rows, int cols) {
        double[] t = new double[a.length];
        for (int i = 0; i < rows; i++) {
            for (int j = 0; j < cols; j++) {
                t[j * rows + i] = a[i * cols + j];
            }
        }
        return t;
    }

    /**
     * The singular values of a rows × cols row-major matrix, largest first, padded with zeros to
     * {@code cols} values when {@code rows < cols} (the matrix then has a null space).
     *
     * @param a the row-major matrix; not modified
     * @param rows number of rows
     * @param cols number of columns
     * @return {@code cols} singular values, largest first
     */
    public static double[] singularValues(double[] a, int rows, int cols) {
        DMatrixRMaj m = new DMatrixRMaj(rows, cols);
        System.arraycopy(a, 0, m.data, 0, rows * cols);
        double[] sv = SingularOps_DDRM.singularValues(m);
        double[] out = new double[cols];
        java.util.Arrays.sort(sv);
        for (int i = 0; i < Math.min(cols, sv.length); i++) {
            out[i] = sv[sv.length - 1 - i];
        }
        return out;
    }

    /**
     * Numerical rank by SVD with a relative tolerance.
     *
     * @param a the row-major matrix; not modified
     * @param rows number of rows
     * @param cols number of columns
     * @return the number of singular values above the tolerance
     */
    public static int rank(double[] a, int rows, int cols) {
        DMatrixRMaj m = new DMatrixRMaj(rows, cols);
        System.arraycopy(a, 0, m.data, 0, rows * cols);
        double[] sv = SingularOps_DDRM.singularValues(m);
        double max = 0;
        for (double s : sv) {
            max = Math.max(max, s);
        }
        double tol = Math.max(rows, cols) * Math.ulp(max) * 1e4;
        int rank = 0;
        for (double s : sv) {
            if (s > tol && s > 1e-10 * max) {
                rank++;
            }
        }
        return rank;
    }

    /**
     * Throws unless the row-major matrix has full column rank.
     *
     * @param field the name used in the error message, e.g. {@code B}
     * @param a the row-major matrix; not modified
     * @param rows number of rows
     * @param cols number of columns
     * @throws IllegalArgumentException naming the field when the rank is below {@code cols}
     */
    public static void requireFullColumnRank(String field, double[] a, int rows, int cols) {
        if (rows < cols || rank(a, rows, cols) < cols) {
            throw new IllegalArgumentException(field + ": must have full column rank (" + cols
                    + ") for the prompts to be identifiable; it is " + rows + " x " + cols + " with rank "
                    + rank(a, rows, cols));
        }
    }
}
