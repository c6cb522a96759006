package org.prefixmoe.model;

import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The vector kernel of {@link Evaluator#normalEquations}: every loop over samples runs
 * {@code V = 4} lanes at a time through the JDK Vector API ({@link ScalarKernel} repeats it lane by
 * lane, bit for bit). The width is fixed at 256 bits, not the machine's preferred one, because the
 * lanes are summed only at a chunk's end: a wider vector would change the summation order, and
 * with it the last bits of every fit, between an AVX2 and an AVX-512 machine (docs/theory.md §6: rows are
 * bit-identical whatever the machine). {@code -Dprefixmoe.vector.width=preferred} trades that
 * identity for the widest vectors (measured at most 10% faster on AVX-512). Only loaded when the module
 * {@code jdk.incubator.vector} is present (see {@link Evaluator#vectorKernelAvailable()}).
 *
 * <p>Per block of samples it computes the gates (softmax with {@link VectorMath#exp}), {@code f_G},
 * residuals and the Jacobian columns; the products {@code JᵀJ} (upper triangle only) and
 * {@code Jᵀr} are accumulated per lane over the whole chunk and summed over lanes once at the
 * chunk's end. The data arrays are padded to whole blocks, so no loop has a scalar tail: samples
 * past n get gate probability 0, hence zero residual and Jacobian, and add nothing.
 *
 * <p>It uses the model's structure where that leaves every sum unchanged to the bit: when all
 * atoms share ∂κ/∂θ (a key map linear in θ) the gating-slope derivatives are computed once per
 * block, and Jacobian columns that vanish identically (non-shared values of the other outputs) are
 * neither computed nor multiplied ({@link Evaluator#liveColumns}). Every sweep over the samples
 * keeps several independent sums in flight, and no method takes or returns a vector (one that C2
 * does not inline would box it, allocating per block).
 */
final class VectorKernel extends PassKernel {
    /** 256 bits unless {@code -Dprefixmoe.vector.width=preferred} asks for the machine's widest (machine-dependent rows). */
    private static final VectorSpecies<Double> S = VectorMath.S;
    private static final int V = VectorMath.V;


    VectorKernel(Evaluator e) {
        super(e, BLOCK);
        if (BLOCK % (2 * V) != 0) {
            throw new IllegalStateException("block " + BLOCK + " is not a multiple of the vector length " + V);
        }
    }

    @Override
    int lanes() {
        return V;
    }

    @Override
    void gates(Evaluator.Scratch w, int start, int m, int mp) {
        final int atoms = e.atoms;
        final int d = e.gd;
        final int np = e.nPad;
        final double[] xs = e.gT;
        final double[] kappa = e.gKappa;
        final double[] biases = e.biases;
        final double[] ls = e.ls0;
        final double[] g = w.bGate;
        final double[] pi0 = w.bPi0;
        // Three sweeps, so that exp is inlined once into a small loop of its own (called from a
        // larger method, C2 stops inlining it and boxes its vectors): scores minus their max,
        // the exps, the normalization. Each lane sees the same operations in the same order.
        for (int i = 0; i < mp; i += 2 * V) {
            final int j = i + V;
            DoubleVector l0 = DoubleVector.fromArray(S, ls, start + i);
            DoubleVector l1 = DoubleVector.fromArray(S, ls, start + j);
            DoubleVector max0 = l0;
            DoubleVector max1 = l1;
            for (int l = 0; l < atoms; l++) {
                DoubleVector s0 = DoubleVector.broadcast(S, biases[l]);
                DoubleVector s1 = s0;
                for (int u = 0; u < d; u++) {
                    DoubleVector k = DoubleVector.broadcast(S, kappa[l * d + u]);
                    s0 = DoubleVector.fromArray(S, xs, u * np + start + i).fma(k, s0);
                    s1 = DoubleVector.fromArray(S, xs, u * np + start + j).fma(k, s1);
                }
                s0.intoArray(g, l * BLOCK + i);
                s1.intoArray(g, l * BLOCK + j);
                max0 = max0.max(s0);
                max1 = max1.max(s1);
            }
            l0.sub(max0).intoArray(pi0, i);
            l1.sub(max1).intoArray(pi0, j);
            for (int l = 0; l < atoms; l++) {
                DoubleVector.fromArray(S, g, l * BLOCK + i).sub(max0).intoArray(g, l * BLOCK + i);
                DoubleVector.fromArray(S, g, l * BLOCK + j).sub(max1).intoArray(g, l * BLOCK + j);
            }
        }
        VectorMath.exp(pi0, 0, mp);
        for (int l = 0; l < atoms; l++) {
            VectorMath.exp(g, l * BLOCK, l * BLOCK + mp);
        }
        for (int i = 0; i < mp; i += 2 * V) {
            final int j = i + V;
            DoubleVector w0 = DoubleVector.fromArray(S, pi0, i);
            DoubleVector w1 = DoubleVector.fromArray(S, pi0, j);
            DoubleVector z0 = w0;
            DoubleVector z1 = w1;
            for (int l = 0; l < atoms; l++) {
                z0 = z0.add(DoubleVector.fromArray(S, g, l * BLOCK + i));
                z1 = z1.add(DoubleVector.fromArray(S, g, l * BLOCK + j));
            }
            DoubleVector one = DoubleVector.broadcast(S, 1.0);
            DoubleVector inv0 = one.div(z0);
            DoubleVector inv1 = one.div(z1);
            w0.mul(inv0).intoArray(pi0, i);
            w1.mul(inv1).intoArray(pi0, j);
            for (int l = 0; l < atoms; l++) {
                DoubleVector.fromArray(S, g, l * BLOCK + i).mul(inv0).intoArray(g, l * BLOCK + i);
                DoubleVector.fromArray(S, g, l * BLOCK + j).mul(inv1).intoArray(g, l * BLOCK + j);
            }
        }
        noWeightOnPadding(w, m, mp);
    }

    /** f_G coordinate a and its residual; adds the squared residuals to the lanes' SSR. */
    @Override
    void valuesAndResiduals(Evaluator.Scratch w, int start, int a, int from, int mp, double[] yc) {
        final int atoms = e.atoms;
        final int q = e.q;
        final double[] mean = e.meanT;
        final double[] value = e.value;
        final double[] g = w.bGate;
        final double[] pi0 = w.bPi0;
        final double[] f = w.bF;
        final double[] res = w.bJac;
        final int ssrAt = (e.packedLength + e.dimension()) * V;
        DoubleVector ssr = DoubleVector.fromArray(S, w.lanes, ssrAt);
        final int fo = a * BLOCK;
        final int ro = (a * (e.dimension() + 1) + e.live[a]) * BLOCK;   // the residual follows a's live columns
        final int mo = a * e.nPad + start;
        // Two samples' vectors per step: independent chains for f; the squared residuals still
        // enter each lane's sum in sample order.
        for (int i = from, end = from + mp; i < end; i += 2 * V) {
            final int j = i + V;
            DoubleVector fa = DoubleVector.fromArray(S, pi0, i).mul(DoubleVector.fromArray(S, mean, mo + i));
            DoubleVector fb = DoubleVector.fromArray(S, pi0, j).mul(DoubleVector.fromArray(S, mean, mo + j));
            for (int l = 0; l < atoms; l++) {
                DoubleVector v = DoubleVector.broadcast(S, value[l * q + a]);
                fa = DoubleVector.fromArray(S, g, l * BLOCK + i).fma(v, fa);
                fb = DoubleVector.fromArray(S, g, l * BLOCK + j).fma(v, fb);
            }
            fa.intoArray(f, fo + i);
            fb.intoArray(f, fo + j);
            DoubleVector ra = fa.sub(DoubleVector.fromArray(S, yc, mo + i));
            DoubleVector rb = fb.sub(DoubleVector.fromArray(S, yc, mo + j));
            ra.intoArray(res, ro + i);
            rb.intoArray(res, ro + j);
            ssr = rb.fma(rb, ra.fma(ra, ssr));
        }
        ssr.intoArray(w.lanes, ssrAt);
    }

    /** ∂s_l/∂θ_c = Σ_u (B ∂key/∂θ)[u][c] x_u for every c, into bSlope. */
    @Override
    void slopes(Evaluator.Scratch w, int start, int l, int mp) {
        final int d = e.gd;
        final int p = e.p;
        final int np = e.nPad;
        final double[] xs = e.gT;
        final double[] dKappa = e.gDKappa;
        final double[] sl = w.bSlope;
        for (int c = 0; c < p; c++) {
            final int ko = (l * p + c) * d;
            for (int i = 0; i < mp; i += 2 * V) {
                final int j = i + V;
                DoubleVector s0 = DoubleVector.zero(S);
                DoubleVector s1 = s0;
                for (int u = 0; u < d; u++) {
                    DoubleVector k = DoubleVector.broadcast(S, dKappa[ko + u]);
                    s0 = DoubleVector.fromArray(S, xs, u * np + start + i).fma(k, s0);
                    s1 = DoubleVector.fromArray(S, xs, u * np + start + j).fma(k, s1);
                }
                s0.intoArray(sl, c * BLOCK + i);
                s1.intoArray(sl, c * BLOCK + j);
            }
        }
    }

    /**
     * Jacobian columns of atom l, coordinate a: ∂f_a/∂s_l = π_l (ν_la − f_a) is the bias column;
     * the atom columns are that times ∂s_l/∂θ plus π_l ∂ν_la/∂θ. Only live columns are written.
     */
    @Override
    void jacobianColumns(Evaluator.Scratch w, int l, int a, int mp) {
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
        final int ao = a * (cols + 1) * BLOCK;
        final int so = a * cols + l * e.stride;
        final int vo = (l * q + a) * p;
        // Live columns two per sweep (π and ν − f loaded once for both); an odd one goes with the bias column.
        int pending = -1;
        for (int c = 0; c < p; c++) {
            if (e.slot[so + c] < 0) {
                continue;
            }
            if (pending < 0) {
                pending = c;
                continue;
            }
            twoColumns(g, go, f, fo, v, sl, pending * BLOCK, dValue[vo + pending], c * BLOCK, dValue[vo + c],
                    jac, ao + e.slot[so + pending] * BLOCK, ao + e.slot[so + c] * BLOCK, mp);
            pending = -1;
        }
        int bo = e.bias ? ao + e.slot[so + p] * BLOCK : -1;
        if (pending >= 0) {
            columnAndBias(g, go, f, fo, v, sl, pending * BLOCK, dValue[vo + pending], jac,
                    ao + e.slot[so + pending] * BLOCK, bo, mp);
        } else if (bo >= 0) {
            columnAndBias(g, go, f, fo, v, null, 0, 0.0, jac, -1, bo, mp);
        }
    }

    /** Columns π (t s + dv) for two slopes s = sl[lo ..], t = ν − f. */
    private static void twoColumns(double[] g, int go, double[] f, int fo, double v, double[] sl, int l0, double d0,
                                   int l1, double d1, double[] jac, int j0, int j1, int mp) {
        DoubleVector vv = DoubleVector.broadcast(S, v);
        DoubleVector dv0 = DoubleVector.broadcast(S, d0);
        DoubleVector dv1 = DoubleVector.broadcast(S, d1);
        for (int i = 0; i < mp; i += V) {
            DoubleVector pi = DoubleVector.fromArray(S, g, go + i);
            DoubleVector t = vv.sub(DoubleVector.fromArray(S, f, fo + i));
            t.fma(DoubleVector.fromArray(S, sl, l0 + i), dv0).mul(pi).intoArray(jac, j0 + i);
            t.fma(DoubleVector.fromArray(S, sl, l1 + i), dv1).mul(pi).intoArray(jac, j1 + i);
        }
    }

    /** One column π (t s + dv) (none when j0 < 0) and the bias column π t (none when jb < 0). */
    private static void columnAndBias(double[] g, int go, double[] f, int fo, double v, double[] sl, int l0,
                                      double d0, double[] jac, int j0, int jb, int mp) {
        DoubleVector vv = DoubleVector.broadcast(S, v);
        DoubleVector dv0 = DoubleVector.broadcast(S, d0);
        for (int i = 0; i < mp; i += V) {
            DoubleVector pi = DoubleVector.fromArray(S, g, go + i);
            DoubleVector t = vv.sub(DoubleVector.fromArray(S, f, fo + i));
            if (j0 >= 0) {
                t.fma(DoubleVector.fromArray(S, sl, l0 + i), dv0).mul(pi).intoArray(jac, j0 + i);
            }
            if (jb >= 0) {
                pi.mul(t).intoArray(jac, jb + i);
            }
        }
    }

    /**
     * Adds the block's Jacobian products to the per-lane sums: JᵀJ upper triangle and Jᵀr. The
     * residual is stored as one more column after the live ones, so Jᵀr entries are products like
     * the others. Rows go two at a time; each sweep keeps at least seven independent sums in
     * flight (a sweep with fewer waits on the FMA latency).
     */
    @Override
    void products(Evaluator.Scratch w, int from, int mp) {
        final int cols = e.dimension();
        final double[] jac = w.bJac;
        final double[] lanes = w.lanes;
        final int stride = cols + 1;
        for (int a = 0; a < e.q; a++) {
            final int n = e.live[a];
            final int ao = a * stride * BLOCK + from;
            final int eo = a * stride * stride;
            int k1 = 0;
            for (; k1 + 1 < n; k1 += 2) {
                final int o1 = ao + k1 * BLOCK;
                final int e1 = eo + k1 * stride;
                // Columns k1+2 .. n (n: the residual): a head sweep with the diagonal block and the
                // first 1–4 of them, then sweeps of four.
                int rest = n - k1 - 1;
                int first = rest % 4 == 0 ? 4 : rest % 4;
                int c2 = k1 + 2;
                if (first > 2) {
                    pairHeadFour(jac, o1, ao + c2 * BLOCK, first, mp, lanes, e.entry, e1, e1 + stride, k1);
                } else {
                    pairHeadTwo(jac, o1, ao + c2 * BLOCK, first, mp, lanes, e.entry, e1, e1 + stride, k1);
                }
                for (c2 += first; c2 <= n; c2 += 4) {
                    twoByFour(jac, o1, ao + c2 * BLOCK, mp, lanes, e.entry, e1 + c2, e1 + stride + c2);
                }
            }
            if (k1 < n) {
                headOne(jac, ao + k1 * BLOCK, ao + n * BLOCK, mp, lanes, e.entry[eo + k1 * stride + k1],
                        e.entry[eo + k1 * stride + n]);
            }
        }
    }


    /**
     * Rows k1, k1+1 (at o1, o1+BLOCK): their 2 × 2 diagonal block and their products with the
     * {@code count} (1 or 2) columns at o2, ...; entries through {@code at[e1 ..]} and {@code at[e2 ..]}.
     * A missing second column is swept too (the padding column after the last), its sums dropped.
     */
    private static void pairHeadTwo(double[] jac, int o1, int o2, int count, int mp, double[] lanes, int[] at,
                                     int e1, int e2, int k1) {
        DoubleVector s00 = DoubleVector.zero(S);
        DoubleVector s01 = DoubleVector.zero(S);
        DoubleVector s11 = DoubleVector.zero(S);
        DoubleVector a0 = DoubleVector.zero(S);
        DoubleVector a1 = DoubleVector.zero(S);
        DoubleVector b0 = DoubleVector.zero(S);
        DoubleVector b1 = DoubleVector.zero(S);
        for (int i = 0; i < mp; i += V) {
            DoubleVector j0 = DoubleVector.fromArray(S, jac, o1 + i);
            DoubleVector j1 = DoubleVector.fromArray(S, jac, o1 + BLOCK + i);
            s00 = j0.fma(j0, s00);
            s01 = j0.fma(j1, s01);
            s11 = j1.fma(j1, s11);
            DoubleVector c = DoubleVector.fromArray(S, jac, o2 + i);
            a0 = j0.fma(c, a0);
            b0 = j1.fma(c, b0);
            c = DoubleVector.fromArray(S, jac, o2 + BLOCK + i);
            a1 = j0.fma(c, a1);
            b1 = j1.fma(c, b1);
        }
        DoubleVector.fromArray(S, lanes, at[e1 + k1] * V).add(s00).intoArray(lanes, at[e1 + k1] * V);
        DoubleVector.fromArray(S, lanes, at[e1 + k1 + 1] * V).add(s01).intoArray(lanes, at[e1 + k1 + 1] * V);
        DoubleVector.fromArray(S, lanes, at[e2 + k1 + 1] * V).add(s11).intoArray(lanes, at[e2 + k1 + 1] * V);
        DoubleVector.fromArray(S, lanes, at[e1 + k1 + 2] * V).add(a0).intoArray(lanes, at[e1 + k1 + 2] * V);
        DoubleVector.fromArray(S, lanes, at[e2 + k1 + 2] * V).add(b0).intoArray(lanes, at[e2 + k1 + 2] * V);
        if (count > 1) {
            DoubleVector.fromArray(S, lanes, at[e1 + k1 + 3] * V).add(a1).intoArray(lanes, at[e1 + k1 + 3] * V);
            DoubleVector.fromArray(S, lanes, at[e2 + k1 + 3] * V).add(b1).intoArray(lanes, at[e2 + k1 + 3] * V);
        }
    }

    /** As {@link #pairHeadTwo} with 3 or 4 columns. */
    private static void pairHeadFour(double[] jac, int o1, int o2, int count, int mp, double[] lanes, int[] at,
                                     int e1, int e2, int k1) {
        DoubleVector s00 = DoubleVector.zero(S);
        DoubleVector s01 = DoubleVector.zero(S);
        DoubleVector s11 = DoubleVector.zero(S);
        DoubleVector a0 = DoubleVector.zero(S);
        DoubleVector a1 = DoubleVector.zero(S);
        DoubleVector a2 = DoubleVector.zero(S);
        DoubleVector a3 = DoubleVector.zero(S);
        DoubleVector b0 = DoubleVector.zero(S);
        DoubleVector b1 = DoubleVector.zero(S);
        DoubleVector b2 = DoubleVector.zero(S);
        DoubleVector b3 = DoubleVector.zero(S);
        for (int i = 0; i < mp; i += V) {
            DoubleVector j0 = DoubleVector.fromArray(S, jac, o1 + i);
            DoubleVector j1 = DoubleVector.fromArray(S, jac, o1 + BLOCK + i);
            s00 = j0.fma(j0, s00);
            s01 = j0.fma(j1, s01);
            s11 = j1.fma(j1, s11);
            DoubleVector c = DoubleVector.fromArray(S, jac, o2 + i);
            a0 = j0.fma(c, a0);
            b0 = j1.fma(c, b0);
            c = DoubleVector.fromArray(S, jac, o2 + BLOCK + i);
            a1 = j0.fma(c, a1);
            b1 = j1.fma(c, b1);
            c = DoubleVector.fromArray(S, jac, o2 + 2 * BLOCK + i);
            a2 = j0.fma(c, a2);
            b2 = j1.fma(c, b2);
            c = DoubleVector.fromArray(S, jac, o2 + 3 * BLOCK + i);
            a3 = j0.fma(c, a3);
            b3 = j1.fma(c, b3);
        }
        DoubleVector.fromArray(S, lanes, at[e1 + k1] * V).add(s00).intoArray(lanes, at[e1 + k1] * V);
        DoubleVector.fromArray(S, lanes, at[e1 + k1 + 1] * V).add(s01).intoArray(lanes, at[e1 + k1 + 1] * V);
        DoubleVector.fromArray(S, lanes, at[e2 + k1 + 1] * V).add(s11).intoArray(lanes, at[e2 + k1 + 1] * V);
        DoubleVector.fromArray(S, lanes, at[e1 + k1 + 2] * V).add(a0).intoArray(lanes, at[e1 + k1 + 2] * V);
        DoubleVector.fromArray(S, lanes, at[e2 + k1 + 2] * V).add(b0).intoArray(lanes, at[e2 + k1 + 2] * V);
        DoubleVector.fromArray(S, lanes, at[e1 + k1 + 3] * V).add(a1).intoArray(lanes, at[e1 + k1 + 3] * V);
        DoubleVector.fromArray(S, lanes, at[e2 + k1 + 3] * V).add(b1).intoArray(lanes, at[e2 + k1 + 3] * V);
        DoubleVector.fromArray(S, lanes, at[e1 + k1 + 4] * V).add(a2).intoArray(lanes, at[e1 + k1 + 4] * V);
        DoubleVector.fromArray(S, lanes, at[e2 + k1 + 4] * V).add(b2).intoArray(lanes, at[e2 + k1 + 4] * V);
        if (count > 3) {
            DoubleVector.fromArray(S, lanes, at[e1 + k1 + 5] * V).add(a3).intoArray(lanes, at[e1 + k1 + 5] * V);
            DoubleVector.fromArray(S, lanes, at[e2 + k1 + 5] * V).add(b3).intoArray(lanes, at[e2 + k1 + 5] * V);
        }
    }

    /** The last row when the live columns are odd in number: its diagonal entry and Jᵀr entry. */
    private static void headOne(double[] jac, int o1, int ro, int mp, double[] lanes, int k, int kr) {
        DoubleVector s0 = DoubleVector.zero(S);
        DoubleVector r0 = DoubleVector.zero(S);
        for (int i = 0; i < mp; i += V) {
            DoubleVector j0 = DoubleVector.fromArray(S, jac, o1 + i);
            s0 = j0.fma(j0, s0);
            r0 = j0.fma(DoubleVector.fromArray(S, jac, ro + i), r0);
        }
        DoubleVector.fromArray(S, lanes, (k) * V).add(s0).intoArray(lanes, (k) * V);
        DoubleVector.fromArray(S, lanes, (kr) * V).add(r0).intoArray(lanes, (kr) * V);
    }

    /** Rows at o1, o1+BLOCK against the four columns at o2, o2+BLOCK, ...; entries through at[e1 ..], at[e2 ..]. */
    private static void twoByFour(double[] jac, int o1, int o2, int mp, double[] lanes, int[] at, int e1, int e2) {
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
        DoubleVector.fromArray(S, lanes, at[e1] * V).add(s00).intoArray(lanes, at[e1] * V);
        DoubleVector.fromArray(S, lanes, at[e1 + 1] * V).add(s01).intoArray(lanes, at[e1 + 1] * V);
        DoubleVector.fromArray(S, lanes, at[e1 + 2] * V).add(s02).intoArray(lanes, at[e1 + 2] * V);
        DoubleVector.fromArray(S, lanes, at[e1 + 3] * V).add(s03).intoArray(lanes, at[e1 + 3] * V);
        DoubleVector.fromArray(S, lanes, at[e2] * V).add(s10).intoArray(lanes, at[e2] * V);
        DoubleVector.fromArray(S, lanes, at[e2 + 1] * V).add(s11).intoArray(lanes, at[e2 + 1] * V);
        DoubleVector.fromArray(S, lanes, at[e2 + 2] * V).add(s12).intoArray(lanes, at[e2 + 2] * V);
        DoubleVector.fromArray(S, lanes, at[e2 + 3] * V).add(s13).intoArray(lanes, at[e2 + 3] * V);
    }
}
