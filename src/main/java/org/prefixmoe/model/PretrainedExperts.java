package org.prefixmoe.model;

import java.util.ArrayList;
import java.util.List;

/**
 * The N known, fixed pretrained experts of docs/theory.md §2: quadratic gating scores
 * {@code X^T A_j X + c_j} and linear outputs {@code h_j(X) = H_j X + e_j ∈ R^q}: the frozen
 * components of the prefix model read as a {@link org.prefixmoe.model.moe.MixtureOfExperts}. Immutable.
 */
public final class PretrainedExperts implements org.prefixmoe.model.moe.FrozenComponents {
    private final int n;
    private final int d;
    private final int q;
    private final double[][] a;
    private final double[] c;
    private final double[][] h;
    private final double[][] e;

    /**
     * @param a the score matrices A_j, each D × D
     * @param c the score offsets c_j
     * @param h the output matrices H_j, each q × D
     * @param e the output offsets e_j, each of length q
     */
    public PretrainedExperts(double[][][] a, double[] c, double[][][] h, double[][] e) {
        if (a == null || a.length == 0) {
            throw new IllegalArgumentException("A: at least one pretrained expert is required");
        }
        this.n = a.length;
        if (a[0] == null || a[0].length == 0) {
            throw new IllegalArgumentException("A[0]: missing or empty");
        }
        this.d = a[0].length;
        if (h == null || h.length != n) {
            throw new IllegalArgumentException("H: expected " + n + " matrices (one per expert in A), found "
                    + (h == null ? 0 : h.length));
        }
        if (h[0] == null || h[0].length == 0) {
            throw new IllegalArgumentException("H[0]: missing or empty");
        }
        this.q = h[0].length;
        this.a = new double[n][];
        this.h = new double[n][];
        this.e = new double[n][];
        this.c = Matrices.vector("c", c, n);
        if (e == null || e.length != n) {
            throw new IllegalArgumentException("e: expected " + n + " vectors, found " + (e == null ? 0 : e.length));
        }
        for (int j = 0; j < n; j++) {
            this.a[j] = Matrices.flatten("A[" + j + "]", a[j], d, d);
            this.h[j] = Matrices.flatten("H[" + j + "]", h[j], q, d);
            this.e[j] = Matrices.vector("e[" + j + "]", e[j], q);
        }
    }

    /**
     * Starts a builder that takes the experts one at a time, so no {@code double[][][]} is needed:
     * <pre>{@code
     * PretrainedExperts experts = PretrainedExperts.builder()
     *         .expert(A1, 0.0, H1, e1)     // score X^T A1 X + 0, output H1 X + e1
     *         .expert(A2, 0.0, H2, e2)
     *         .build();
     * }</pre>
     *
     * @return an empty builder
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Collects experts in order; {@link #build} checks them (shapes against the first expert, finite
     * entries) with messages naming the argument and the expert, e.g. {@code H[1]: expected 2 rows, found 3}.
     */
    public static final class Builder {
        private final List<double[][]> a = new ArrayList<>();
        private final List<Double> c = new ArrayList<>();
        private final List<double[][]> h = new ArrayList<>();
        private final List<double[]> e = new ArrayList<>();

        private Builder() {
        }

        /**
         * Adds the next expert j (numbered from 0 in messages).
         *
         * @param a the gating score matrix {@code A_j}, D × D (not modified; copied at build)
         * @param c the gating score offset {@code c_j}
         * @param h the output matrix {@code H_j}, q × D (not modified)
         * @param e the output offset {@code e_j}, of length q (not modified)
         * @return this builder
         */
        public Builder expert(double[][] a, double c, double[][] h, double[] e) {
            this.a.add(a);
            this.c.add(c);
            this.h.add(h);
            this.e.add(e);
            return this;
        }

        /**
         * Checks the experts and builds them.
         *
         * @return the pretrained experts
         * @throws IllegalArgumentException naming the argument ({@code A[j]}, {@code c[j]}, {@code H[j]},
         *     {@code e[j]}) that is missing, of the wrong shape or not finite
         */
        public PretrainedExperts build() {
            double[] offsets = c.stream().mapToDouble(Double::doubleValue).toArray();
            return new PretrainedExperts(a.toArray(double[][][]::new), offsets, h.toArray(double[][][]::new),
                    e.toArray(double[][]::new));
        }
    }

    /** {@return the number N of pretrained experts} */
    @Override
    public int count() {
        return n;
    }

    /** {@return the input dimension D} */
    public int inputDimension() {
        return d;
    }

    /** {@return the output dimension q} */
    public int outputDimension() {
        return q;
    }

    /**
     * The gating score of an expert at one input.
     *
     * @param j the expert, from 0
     * @param x an array holding the input at {@code x[offset .. offset + D)}; not modified
     * @param offset where the input starts
     * @return {@code xᵀA_jx + c_j}
     */
    @Override
    public double score(int j, double[] x, int offset) {
        double[] aj = a[j];
        double s = c[j];
        for (int u = 0; u < d; u++) {
            double row = 0;
            for (int v = 0; v < d; v++) {
                row += aj[u * d + v] * x[offset + v];
            }
            s += x[offset + u] * row;
        }
        return s;
    }

    /**
     * The output of an expert at one input.
     *
     * @param j the expert, from 0
     * @param x an array holding the input at {@code x[offset .. offset + D)}; not modified
     * @param offset where the input starts
     * @param out receives {@code H_jx + e_j} at {@code out[outOffset .. outOffset + q)}; modified
     * @param outOffset where the output goes
     */
    @Override
    public void output(int j, double[] x, int offset, double[] out, int outOffset) {
        double[] hj = h[j];
        for (int u = 0; u < q; u++) {
            double s = e[j][u];
            for (int v = 0; v < d; v++) {
                s += hj[u * d + v] * x[offset + v];
            }
            out[outOffset + u] = s;
        }
    }

    /**
     * Evaluates the part of the model that does not depend on the prompts, once per data set:
     * {@code S0(X_i) = log Σ_j exp(score_j)} and the pretrained mixture mean {@code m0(X_i)}.
     *
     * @param x inputs, n × D row-major; not modified
     * @return the per-input quantities
     */
    public PretrainedPart evaluate(double[] x) {
        if (x.length % d != 0) {
            throw new IllegalArgumentException("x: length " + x.length + " is not a multiple of D = " + d);
        }
        int rows = x.length / d;
        double[] logScore = new double[rows];
        double[] mean = new double[rows * q];
        double[] s = new double[n];
        double[] out = new double[q];
        for (int i = 0; i < rows; i++) {
            double max = Double.NEGATIVE_INFINITY;
            for (int j = 0; j < n; j++) {
                s[j] = score(j, x, i * d);
                max = Math.max(max, s[j]);
            }
            double z = 0;
            for (int j = 0; j < n; j++) {
                s[j] = Math.exp(s[j] - max);
                z += s[j];
            }
            for (int j = 0; j < n; j++) {
                output(j, x, i * d, out, 0);
                double w = s[j] / z;
                for (int u = 0; u < q; u++) {
                    mean[i * q + u] += w * out[u];
                }
            }
            logScore[i] = max + Math.log(z);
        }
        return new PretrainedPart(rows, q, logScore, mean);
    }

    /**
     * The score matrix of an expert.
     *
     * @param j the expert, from 0
     * @return a copy of A_j, D × D
     */
    public double[][] a(int j) {
        return Matrices.unflatten(a[j], d, d);
    }

    /**
     * The score offset of an expert.
     *
     * @param j the expert, from 0
     * @return c_j
     */
    public double c(int j) {
        return c[j];
    }

    /**
     * The output matrix of an expert.
     *
     * @param j the expert, from 0
     * @return a copy of H_j, q × D
     */
    public double[][] h(int j) {
        return Matrices.unflatten(h[j], q, d);
    }

    /**
     * The output offset of an expert.
     *
     * @param j the expert, from 0
     * @return a copy of e_j
     */
    public double[] e(int j) {
        return e[j].clone();
    }
}
