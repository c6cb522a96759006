package org.prefixmoe.model;

import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The vector kernel of {@link Evaluator#normalEquations}: the same blocked computation as the
 * scalar kernel, with every loop over samples running {@code V = 4} lanes at a time through the JDK
 * Vector API. The width is fixed at 256 bits, not the machine's preferred one, because the lanes
 * are summed only at a chunk's end: a wider vector would change the summation order, and with it
 * the last bits of every fit, between an AVX2 and an AVX-512 machine (SPEC §6: rows are
 * bit-identical whatever the machine). {@code -Dprefixmoe.vector.width=preferred} trades that
 * identity for the widest vectors (measured 0–25% faster on AVX-512). Only loaded when the module
 * {@code jdk.incubator.vector} is present (see {@link Evaluator#vectorKernelAvailable()}).
 *
 * <p>Per block of samples it computes the gates (softmax with a vectorized exp), {@code f_G},
 * residuals and the Jacobian columns; the products {@code JᵀJ} (upper triangle only) and
 * {@code Jᵀr} are accumulated per lane over the whole chunk and summed over lanes once at the
 * chunk's end. The data arrays are padded to whole blocks, so no loop has a scalar tail: samples
 * past n get gate probability 0, hence zero residual and Jacobian, and add nothing.
 */
final class VectorKernel {
    /** 256 bits unless {@code -Dprefixmoe.vector.width=preferred} asks for the machine's widest (faster on AVX-512, machine-dependent rows). */
    private static final VectorSpecies<Double> S = "preferred".equals(System.getProperty("prefixmoe.vector.width"))
            ? DoubleVector.SPECIES_PREFERRED : DoubleVector.SPECIES_256;
    private static final int V = S.length();
    private static final int BLOCK = Evaluator.BLOCK;

    private final Evaluator e;

    VectorKernel(Evaluator e) {
        if (BLOCK % (2 * V) != 0) {
            throw new IllegalStateException("block " + BLOCK + " is not a multiple of the vector length " + V);
        }
        this.e = e;
    }

    /** Lanes per vector. */
    int lanes() {
        return V;
    }

    /** Sums of samples [start, end) into out[o ..]: packed upper triangle of JᵀJ, Jᵀr, SSR. */
    void chunk(Evaluator.Scratch w, int start, int end, double[] yc, double[] out, int o) {
        final int cols = e.dimension();
        final int packed = e.packedLength;
        final int width = packed + cols + 1;
        final double[] lanes = w.lanes;
        java.util.Arrays.fill(lanes, 0, width * V, 0.0);
        for (int b = start; b < end; b += BLOCK) {
            int m = Math.min(BLOCK, end - b);
            int mp = (m + 2 * V - 1) / (2 * V) * (2 * V);
            gates(w, b, m, mp);
            for (int a = 0; a < e.q; a++) {
                valuesAndResiduals(w, b, a, mp, yc);
            }
            for (int l = 0; l < e.atoms; l++) {
                slopes(w, b, l, mp);
                for (int a = 0; a < e.q; a++) {
                    jacobianColumns(w, l, a, mp);
                }
            }
            products(w, mp, cols, packed);
        }
        // Lanes summed in a fixed order in plain Java (reduceLanes leaves the order to the JIT).
        for (int k = 0; k < width; k++) {
            double t = 0;
            for (int j = 0; j < V; j++) {
                t += lanes[k * V + j];
            }
            out[o + k] = t;
        }
    }

    private void gates(Evaluator.Scratch w, int start, int m, int mp) {
        final int atoms = e.atoms;
        final int d = e.d;
        final int np = e.nPad;
        final double[] xs = e.xT;
        final double[] kappa = e.kappa;
        final double[] biases = e.biases;
        final double[] ls = e.ls0;
        final double[] g = w.bGate;
        final double[] pi0 = w.bPi0;
        for (int i = 0; i < mp; i += V) {
            DoubleVector l0 = DoubleVector.fromArray(S, ls, start + i);
            DoubleVector max = l0;
            for (int l = 0; l < atoms; l++) {
                DoubleVector s = DoubleVector.broadcast(S, biases[l]);
                for (int u = 0; u < d; u++) {
                    s = DoubleVector.fromArray(S, xs, u * np + start + i).fma(DoubleVector.broadcast(S, kappa[l * d + u]), s);
                }
                s.intoArray(g, l * BLOCK + i);
                max = max.max(s);
            }
            DoubleVector w0 = VectorMath.exp(l0.sub(max));
            DoubleVector z = w0;
            for (int l = 0; l < atoms; l++) {
                DoubleVector wl = VectorMath.exp(DoubleVector.fromArray(S, g, l * BLOCK + i).sub(max));
                wl.intoArray(g, l * BLOCK + i);
                z = z.add(wl);
            }
            DoubleVector inv = DoubleVector.broadcast(S, 1.0).div(z);
            w0.mul(inv).intoArray(pi0, i);
            for (int l = 0; l < atoms; l++) {
                DoubleVector.fromArray(S, g, l * BLOCK + i).mul(inv).intoArray(g, l * BLOCK + i);
            }
        }
        // Padding past the data: no gate weight, so f = 0 = y and the Jacobian vanishes there.
        for (int i = m; i < mp; i++) {
            pi0[i] = 0;
            for (int l = 0; l < atoms; l++) {
                g[l * BLOCK + i] = 0;
            }
        }
    }

    /** f_G coordinate a and its residual; adds the squared residuals to the lanes' SSR. */
    private void valuesAndResiduals(Evaluator.Scratch w, int start, int a, int mp, double[] yc) {
        final int atoms = e.atoms;
        final int q = e.q;
        final double[] mean = e.meanT;
        final double[] value = e.value;
        final double[] g = w.bGate;
        final double[] pi0 = w.bPi0;
        final double[] f = w.bF;
        final double[] res = w.bRes;
        final int ssrAt = (e.packedLength + e.dimension()) * V;
        DoubleVector ssr = DoubleVector.fromArray(S, w.lanes, ssrAt);
        final int fo = a * BLOCK;
        final int mo = a * e.nPad + start;
        for (int i = 0; i < mp; i += V) {
            DoubleVector fa = DoubleVector.fromArray(S, pi0, i).mul(DoubleVector.fromArray(S, mean, mo + i));
            for (int l = 0; l < atoms; l++) {
                fa = DoubleVector.fromArray(S, g, l * BLOCK + i).fma(DoubleVector.broadcast(S, value[l * q + a]), fa);
            }
            fa.intoArray(f, fo + i);
            DoubleVector ra = fa.sub(DoubleVector.fromArray(S, yc, mo + i));
            ra.intoArray(res, fo + i);
            ssr = ra.fma(ra, ssr);
        }
        ssr.intoArray(w.lanes, ssrAt);
    }

    /** ∂s_l/∂θ_c = Σ_u (B ∂key/∂θ)[u][c] x_u for every c, into bSlope. */
    private void slopes(Evaluator.Scratch w, int start, int l, int mp) {
        final int d = e.d;
        final int p = e.p;
        final int np = e.nPad;
        final double[] xs = e.xT;
        final double[] dKappa = e.dKappa;
        final double[] sl = w.bSlope;
        for (int c = 0; c < p; c++) {
            final int ko = (l * p + c) * d;
            for (int i = 0; i < mp; i += V) {
                DoubleVector s = DoubleVector.zero(S);
                for (int u = 0; u < d; u++) {
                    s = DoubleVector.fromArray(S, xs, u * np + start + i).fma(DoubleVector.broadcast(S, dKappa[ko + u]), s);
                }
                s.intoArray(sl, c * BLOCK + i);
            }
        }
    }

    /**
     * Jacobian columns of atom l, coordinate a: ∂f_a/∂s_l = π_l (ν_la − f_a) is the bias column;
     * the atom columns are that times ∂s_l/∂θ plus π_l ∂ν_la/∂θ.
     */
    private void jacobianColumns(Evaluator.Scratch w, int l, int a, int mp) {
        final int q = e.q;
        final int p = e.p;
        final int cols = e.dimension();
        final double[] dValue = e.dValue;
        final double[] g = w.bGate;
        final double[] sl = w.bSlope;
        final double[] f = w.bF;
        final double[] jac = w.bJac;
        final double v = e.value[l * q + a];
        final int go = l * BLOCK;
        final int fo = a * BLOCK;
        final int base = a * cols + l * e.stride;
        final int vo = (l * q + a) * p;
        final boolean bias = e.bias;
        for (int i = 0; i < mp; i += V) {
            DoubleVector pi = DoubleVector.fromArray(S, g, go + i);
            DoubleVector t = DoubleVector.broadcast(S, v).sub(DoubleVector.fromArray(S, f, fo + i));
            for (int c = 0; c < p; c++) {
                t.fma(DoubleVector.fromArray(S, sl, c * BLOCK + i), DoubleVector.broadcast(S, dValue[vo + c]))
                        .mul(pi).intoArray(jac, (base + c) * BLOCK + i);
            }
            if (bias) {
                pi.mul(t).intoArray(jac, (base + p) * BLOCK + i);
            }
        }
    }

    /** Adds the block's Jacobian products to the per-lane sums: JᵀJ upper triangle, then Jᵀr. */
    private void products(Evaluator.Scratch w, int mp, int cols, int packed) {
        final int q = e.q;
        final double[] jac = w.bJac;
        final double[] res = w.bRes;
        final double[] lanes = w.lanes;
        // Rows of JᵀJ two at a time against four columns (eight accumulators, six loads per eight
        // FMAs). Small methods that take arrays, not vectors: each is compiled whole with its
        // vectors in registers (a vector passed to a method that is not inlined would be boxed).
        for (int a = 0; a < q; a++) {
            final int ao = a * cols * BLOCK;
            final int ro = a * BLOCK;
            int c1 = 0;
            for (; c1 + 1 < cols; c1 += 2) {
                final int o1 = ao + c1 * BLOCK;
                headPair(jac, o1, res, ro, mp, lanes, packed(c1, c1, cols), packed(c1 + 1, c1 + 1, cols), packed + c1);
                int c2 = c1 + 2;
                for (; c2 + 3 < cols; c2 += 4) {
                    twoByFour(jac, o1, ao + c2 * BLOCK, mp, lanes, packed(c1, c2, cols), packed(c1 + 1, c2, cols));
                }
                for (; c2 < cols; c2++) {
                    twoByOne(jac, o1, ao + c2 * BLOCK, mp, lanes, packed(c1, c2, cols), packed(c1 + 1, c2, cols));
                }
            }
            if (c1 < cols) {
                headOne(jac, ao + c1 * BLOCK, res, ro, mp, lanes, packed(c1, c1, cols), packed + c1);
            }
        }
    }

    /** Index of entry (c1, c2), c1 ≤ c2, of the upper triangle packed row by row. */
    private static int packed(int c1, int c2, int cols) {
        return c1 * cols - c1 * (c1 - 1) / 2 + (c2 - c1);
    }

    /** Rows c1 and c1+1 (columns at o1, o1+BLOCK): their diagonal block (3 entries) and Jᵀr entries. */
    private static void headPair(double[] jac, int o1, double[] res, int ro, int mp, double[] lanes, int k1, int k2,
                                 int kr) {
        DoubleVector s00 = DoubleVector.zero(S);
        DoubleVector s01 = DoubleVector.zero(S);
        DoubleVector s11 = DoubleVector.zero(S);
        DoubleVector r0 = DoubleVector.zero(S);
        DoubleVector r1 = DoubleVector.zero(S);
        for (int i = 0; i < mp; i += V) {
            DoubleVector j0 = DoubleVector.fromArray(S, jac, o1 + i);
            DoubleVector j1 = DoubleVector.fromArray(S, jac, o1 + BLOCK + i);
            DoubleVector rv = DoubleVector.fromArray(S, res, ro + i);
            s00 = j0.fma(j0, s00);
            s01 = j0.fma(j1, s01);
            s11 = j1.fma(j1, s11);
            r0 = j0.fma(rv, r0);
            r1 = j1.fma(rv, r1);
        }
        DoubleVector.fromArray(S, lanes, k1 * V).add(s00).intoArray(lanes, k1 * V);
        DoubleVector.fromArray(S, lanes, (k1 + 1) * V).add(s01).intoArray(lanes, (k1 + 1) * V);
        DoubleVector.fromArray(S, lanes, k2 * V).add(s11).intoArray(lanes, k2 * V);
        DoubleVector.fromArray(S, lanes, kr * V).add(r0).intoArray(lanes, kr * V);
        DoubleVector.fromArray(S, lanes, (kr + 1) * V).add(r1).intoArray(lanes, (kr + 1) * V);
    }

    /** The last row when P is odd: its diagonal entry and Jᵀr entry. */
    private static void headOne(double[] jac, int o1, double[] res, int ro, int mp, double[] lanes, int k, int kr) {
        DoubleVector s0 = DoubleVector.zero(S);
        DoubleVector r0 = DoubleVector.zero(S);
        for (int i = 0; i < mp; i += V) {
            DoubleVector j0 = DoubleVector.fromArray(S, jac, o1 + i);
            s0 = j0.fma(j0, s0);
            r0 = j0.fma(DoubleVector.fromArray(S, res, ro + i), r0);
        }
        DoubleVector.fromArray(S, lanes, k * V).add(s0).intoArray(lanes, k * V);
        DoubleVector.fromArray(S, lanes, kr * V).add(r0).intoArray(lanes, kr * V);
    }

    /** Rows at o1, o1+BLOCK against the four columns at o2, o2+BLOCK, ...; entries k0.. and k1.. */
    private static void twoByFour(double[] jac, int o1, int o2, int mp, double[] lanes, int k0, int k1) {
        DoubleVector s00 = DoubleVector.zero(S);
        DoubleVector s01 = DoubleVector.zero(S);
        DoubleVector s02 = DoubleVector.zero(S);
        DoubleVector s03 = DoubleVector.zero(S);
        DoubleVector s10 = DoubleVector.zero(S);
        DoubleVector s11 = DoubleVector.zero(S);
        DoubleVector s12 = DoubleVector.zero(S);
        DoubleVector s13 = DoubleVector.zero(S);
        for (int i = 0; i < mp; i += V) {
            DoubleVector a0 = DoubleVector.fromArray(S, jac, o1 + i);
            DoubleVector a1 = DoubleVector.fromArray(S, jac, o1 + BLOCK + i);
            DoubleVector b = DoubleVector.fromArray(S, jac, o2 + i);
            s00 = a0.fma(b, s00);
            s10 = a1.fma(b, s10);
            b = DoubleVector.fromArray(S, jac, o2 + BLOCK + i);
            s01 = a0.fma(b, s01);
            s11 = a1.fma(b, s11);
            b = DoubleVector.fromArray(S, jac, o2 + 2 * BLOCK + i);
            s02 = a0.fma(b, s02);
            s12 = a1.fma(b, s12);
            b = DoubleVector.fromArray(S, jac, o2 + 3 * BLOCK + i);
            s03 = a0.fma(b, s03);
            s13 = a1.fma(b, s13);
        }
        DoubleVector.fromArray(S, lanes, k0 * V).add(s00).intoArray(lanes, k0 * V);
        DoubleVector.fromArray(S, lanes, (k0 + 1) * V).add(s01).intoArray(lanes, (k0 + 1) * V);
        DoubleVector.fromArray(S, lanes, (k0 + 2) * V).add(s02).intoArray(lanes, (k0 + 2) * V);
        DoubleVector.fromArray(S, lanes, (k0 + 3) * V).add(s03).intoArray(lanes, (k0 + 3) * V);
        DoubleVector.fromArray(S, lanes, k1 * V).add(s10).intoArray(lanes, k1 * V);
        DoubleVector.fromArray(S, lanes, (k1 + 1) * V).add(s11).intoArray(lanes, (k1 + 1) * V);
        DoubleVector.fromArray(S, lanes, (k1 + 2) * V).add(s12).intoArray(lanes, (k1 + 2) * V);
        DoubleVector.fromArray(S, lanes, (k1 + 3) * V).add(s13).intoArray(lanes, (k1 + 3) * V);
    }

    /** Rows at o1, o1+BLOCK against the column at o2. */
    private static void twoByOne(double[] jac, int o1, int o2, int mp, double[] lanes, int k0, int k1) {
        DoubleVector s0 = DoubleVector.zero(S);
        DoubleVector s1 = DoubleVector.zero(S);
        for (int i = 0; i < mp; i += V) {
            DoubleVector b = DoubleVector.fromArray(S, jac, o2 + i);
            s0 = DoubleVector.fromArray(S, jac, o1 + i).fma(b, s0);
            s1 = DoubleVector.fromArray(S, jac, o1 + BLOCK + i).fma(b, s1);
        }
        DoubleVector.fromArray(S, lanes, k0 * V).add(s0).intoArray(lanes, k0 * V);
        DoubleVector.fromArray(S, lanes, k1 * V).add(s1).intoArray(lanes, k1 * V);
    }
}
