package org.prefixmoe.estimation.em;

import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.VectorSpecies;
import org.prefixmoe.model.VectorMath;

/**
 * The vector kernel of EM's passes ({@link EmState#eStep} and {@link EmState#q}): the loops over
 * the samples of a block that compute scores, exponentials and sums run {@code V = 4} lanes at a
 * time through the JDK Vector API; the elementwise rest stays in {@link EmState}. The width is
 * fixed at 256 bits so that the lanes, summed only at the end of a pass, are summed in the same
 * order on every machine. Only loaded when the module {@code jdk.incubator.vector} is present
 * (see {@link org.prefixmoe.model.Evaluator#vectorKernelAvailable()}).
 *
 * <p>The log-normalizers {@code log Σ_c exp(·)} of a block are summed as the log of their
 * product per lane: every normalizer lies in [1, N + L + 1] (the largest term is exp 0 = 1), so a
 * lane's product over a block's 16 samples cannot overflow, and two logarithms per lane and block
 * replace two per sample.
 */
final class EStepVectorKernel {
    private static final VectorSpecies<Double> S = DoubleVector.SPECIES_256;
    private static final int V = S.length();
    private static final int BLOCK = EmState.BLOCK;

    private final EmState st;
    private final double[] prodG = new double[V];
    private final double[] prodH = new double[V];

    EStepVectorKernel(EmState st) {
        if (BLOCK % V != 0) {
            throw new IllegalStateException("block " + BLOCK + " is not a multiple of the vector length " + V);
        }
        this.st = st;
    }

    /** Lanes per vector. */
    int lanes() {
        return V;
    }

    /** Prompt scores, gate weights relative to the largest score (S0 included), and their sum. */
    void gates(int base) {
        final int atoms = st.atoms;
        final int r = st.r;
        final double[] data = st.data;
        final double[] key = st.key;
        final double[] bs = st.bs;
        final double[] score = st.bScore;
        final double[] gate = st.bGate;
        final int lso = base + st.colLse0 * BLOCK;
        final int zo = base + st.colZ * BLOCK;
        final double[] g0 = st.bGz;
        // Scores minus their max, then the exps over whole rows (VectorMath.exp takes arrays: see
        // there why), then the sums; each lane sees the same operations in the same order.
        for (int i = 0; i < BLOCK; i += V) {
            DoubleVector l0 = DoubleVector.fromArray(S, data, lso + i);
            DoubleVector max = l0;
            for (int l = 0; l < atoms; l++) {
                DoubleVector s = DoubleVector.broadcast(S, bs[l]);
                for (int k = 0; k < r; k++) {
                    s = DoubleVector.fromArray(S, data, zo + k * BLOCK + i).fma(DoubleVector.broadcast(S, key[l * r + k]), s);
                }
                s.intoArray(score, l * BLOCK + i);
                max = max.max(s);
            }
            l0.sub(max).intoArray(g0, i);
            for (int l = 0; l < atoms; l++) {
                DoubleVector.fromArray(S, score, l * BLOCK + i).sub(max).intoArray(gate, l * BLOCK + i);
            }
            max.intoArray(st.bGmax, i);
        }
        VectorMath.exp(g0, 0, BLOCK);
        VectorMath.exp(gate, 0, atoms * BLOCK);
        for (int i = 0; i < BLOCK; i += V) {
            DoubleVector z = DoubleVector.fromArray(S, g0, i);
            for (int l = 0; l < atoms; l++) {
                z = z.add(DoubleVector.fromArray(S, gate, l * BLOCK + i));
            }
            z.intoArray(g0, i);
        }
    }

    /** The joint terms' weights exp(a_c − max_c a_c) into bComp, their largest term and their sum. */
    void joint(int base, double inv2s) {
        final int nPre = st.nPre;
        final int atoms = st.atoms;
        final int q = st.q;
        final double[] data = st.data;
        final double[] value = st.value;
        final double[] score = st.bScore;
        final double[] comp = st.bComp;
        final int so = base + st.colS0 * BLOCK;
        final int dso = base + st.colDist0 * BLOCK;
        final int yo = base + BLOCK;
        final int k = nPre + atoms;
        final DoubleVector minusInv2s = DoubleVector.broadcast(S, -inv2s);
        for (int i = 0; i < BLOCK; i += V) {
            DoubleVector amax = DoubleVector.broadcast(S, Double.NEGATIVE_INFINITY);
            for (int j = 0; j < nPre; j++) {
                DoubleVector a = DoubleVector.fromArray(S, data, dso + j * BLOCK + i)
                        .fma(minusInv2s, DoubleVector.fromArray(S, data, so + j * BLOCK + i));
                a.intoArray(comp, j * BLOCK + i);
                amax = amax.max(a);
            }
            for (int l = 0; l < atoms; l++) {
                DoubleVector e = DoubleVector.zero(S);
                for (int a = 0; a < q; a++) {
                    DoubleVector d = DoubleVector.fromArray(S, data, yo + a * BLOCK + i)
                            .sub(DoubleVector.broadcast(S, value[l * q + a]));
                    e = d.fma(d, e);
                }
                DoubleVector a = e.fma(minusInv2s, DoubleVector.fromArray(S, score, l * BLOCK + i));
                a.intoArray(comp, (nPre + l) * BLOCK + i);
                amax = amax.max(a);
            }
            for (int c = 0; c < k; c++) {
                DoubleVector.fromArray(S, comp, c * BLOCK + i).sub(amax).intoArray(comp, c * BLOCK + i);
            }
            amax.intoArray(st.bAmax, i);
        }
        VectorMath.exp(comp, 0, k * BLOCK);
        for (int i = 0; i < BLOCK; i += V) {
            DoubleVector hz0 = DoubleVector.zero(S);
            for (int c = 0; c < k; c++) {
                hz0 = hz0.add(DoubleVector.fromArray(S, comp, c * BLOCK + i));
            }
            hz0.intoArray(st.bHz0, i);
        }
    }

    /**
     * Adds the block's log-normalizers to the lanes' Σ log Σ_c exp s_c and, for the E-step, the
     * log-likelihood terms {@code amax − gmax + log hz0 − log gz} (without the normal constant).
     */
    void logTerms(boolean eStep) {
        final double[] lanes = st.lanesArray();
        final int lse = st.slotLse * V;
        final int ll = st.slotLl * V;
        DoubleVector sumG = DoubleVector.fromArray(S, lanes, lse);
        DoubleVector pG = DoubleVector.broadcast(S, 1.0);
        if (eStep) {
            DoubleVector sumL = DoubleVector.fromArray(S, lanes, ll);
            DoubleVector pH = DoubleVector.broadcast(S, 1.0);
            for (int i = 0; i < BLOCK; i += V) {
                DoubleVector gmax = DoubleVector.fromArray(S, st.bGmax, i);
                sumG = sumG.add(gmax);
                pG = pG.mul(DoubleVector.fromArray(S, st.bGz, i));
                sumL = sumL.add(DoubleVector.fromArray(S, st.bAmax, i).sub(gmax));
                pH = pH.mul(DoubleVector.fromArray(S, st.bHz0, i));
            }
            sumL.intoArray(lanes, ll);
            pH.intoArray(prodH, 0);
        } else {
            for (int i = 0; i < BLOCK; i += V) {
                sumG = sumG.add(DoubleVector.fromArray(S, st.bGmax, i));
                pG = pG.mul(DoubleVector.fromArray(S, st.bGz, i));
            }
        }
        sumG.intoArray(lanes, lse);
        pG.intoArray(prodG, 0);
        for (int j = 0; j < V; j++) {
            double logG = Math.log(prodG[j]);
            lanes[lse + j] += logG;
            if (eStep) {
                lanes[ll + j] += Math.log(prodH[j]) - logG;
            }
        }
    }

    /**
     * Adds Σ_i row_i · column_c over the block to the lanes of slot k + c, for the {@code count}
     * columns from co; four columns at a time (one row load per four FMAs).
     */
    void rowTimesColumns(double[] row, int ro, double[] columns, int co, int count, double[] lanes, int k) {
        int c = 0;
        for (; c + 3 < count; c += 4) {
            rowTimesFour(row, ro, columns, co + c * BLOCK, lanes, (k + c) * V);
        }
        for (; c < count; c++) {
            rowTimesOne(row, ro, columns, co + c * BLOCK, lanes, (k + c) * V);
        }
    }

    private static void rowTimesFour(double[] row, int ro, double[] columns, int o, double[] lanes, int at) {
        DoubleVector s0 = DoubleVector.zero(S);
        DoubleVector s1 = DoubleVector.zero(S);
        DoubleVector s2 = DoubleVector.zero(S);
        DoubleVector s3 = DoubleVector.zero(S);
        for (int i = 0; i < BLOCK; i += V) {
            DoubleVector a = DoubleVector.fromArray(S, row, ro + i);
            s0 = a.fma(DoubleVector.fromArray(S, columns, o + i), s0);
            s1 = a.fma(DoubleVector.fromArray(S, columns, o + BLOCK + i), s1);
            s2 = a.fma(DoubleVector.fromArray(S, columns, o + 2 * BLOCK + i), s2);
            s3 = a.fma(DoubleVector.fromArray(S, columns, o + 3 * BLOCK + i), s3);
        }
        DoubleVector.fromArray(S, lanes, at).add(s0).intoArray(lanes, at);
        DoubleVector.fromArray(S, lanes, at + V).add(s1).intoArray(lanes, at + V);
        DoubleVector.fromArray(S, lanes, at + 2 * V).add(s2).intoArray(lanes, at + 2 * V);
        DoubleVector.fromArray(S, lanes, at + 3 * V).add(s3).intoArray(lanes, at + 3 * V);
    }

    private static void rowTimesOne(double[] row, int ro, double[] columns, int o, double[] lanes, int at) {
        DoubleVector s0 = DoubleVector.zero(S);
        for (int i = 0; i < BLOCK; i += V) {
            s0 = DoubleVector.fromArray(S, row, ro + i).fma(DoubleVector.fromArray(S, columns, o + i), s0);
        }
        DoubleVector.fromArray(S, lanes, at).add(s0).intoArray(lanes, at);
    }
}
