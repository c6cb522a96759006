package org.prefixmoe.model;

/**
 * The steps of one block of the fused pass of {@link Evaluator#normalEquations}, which
 * {@link #chunk} runs over a chunk: gates, f_G and residuals, gating-slope derivatives, the live
 * Jacobian columns, their products. Two implementations give the same bits: {@link VectorKernel}
 * (JDK Vector API) and {@link ScalarKernel} (plain Java, lane by lane).
 */
abstract class PassKernel {
    /** The largest block (the scratch buffers' size); a kernel's own block divides it. */
    static final int BLOCK = Evaluator.BLOCK;
    static final int SUM_BLOCK = Evaluator.SUM_BLOCK;

    final Evaluator e;
    /** Samples per block of this kernel: a multiple of SUM_BLOCK that divides BLOCK (speed only). */
    private final int block;

    PassKernel(Evaluator e, int block) {
        this.e = e;
        this.block = block;
    }

    /** {@return the partial sums per entry: lanes of a vector} */
    abstract int lanes();

    /** Prompt gate probabilities and the pretrained block's (zero on the padding m..mp). */
    abstract void gates(Evaluator.Scratch w, int start, int m, int mp);

    /**
     * f_G coordinate a and its residual (stored after a's live columns) at the block's samples
     * [from, from + mp); their squared residuals into the SSR sums, in sample order.
     */
    abstract void valuesAndResiduals(Evaluator.Scratch w, int start, int a, int from, int mp, double[] yc);

    /** ∂s_l/∂θ_c = Σ_u (B ∂key/∂θ)[u][c] x_u for every c, into bSlope. */
    abstract void slopes(Evaluator.Scratch w, int start, int l, int mp);

    /** The live Jacobian columns of atom l, coordinate a. */
    abstract void jacobianColumns(Evaluator.Scratch w, int l, int a, int mp);

    /**
     * Adds the products of stored columns (the residual last) over the block's samples
     * [from, from + mp) to the sums (JᵀJ upper triangle and Jᵀr): each entry's partial sums start
     * from zero for these samples and are then added to the chunk's lanes.
     */
    abstract void products(Evaluator.Scratch w, int from, int mp);

    /** Samples m..mp past the data get no gate weight, so f = 0 = y and the Jacobian vanishes there. */
    final void noWeightOnPadding(Evaluator.Scratch w, int m, int mp) {
        for (int i = m; i < mp; i++) {
            w.bPi0[i] = 0;
            for (int l = 0; l < e.atoms; l++) {
                w.bGate[l * block + i] = 0;
            }
        }
    }

    /** Sums of samples [start, end) into out[o ..]: packed upper triangle of JᵀJ, Jᵀr, SSR. */
    final void chunk(Evaluator.Scratch w, int start, int end, double[] yc, double[] out, int o) {
        final int v = lanes();
        final int width = e.packedLength + e.dimension() + 1;
        final double[] lanes = w.lanes;
        java.util.Arrays.fill(lanes, 0, width * v, 0.0);
        for (int b = start; b < end; b += block) {
            int m = Math.min(block, end - b);
            int mp = (m + 2 * v - 1) / (2 * v) * (2 * v);
            gates(w, b, m, mp);
            // The squared residuals enter each lane's SSR sum output by output within SUM_BLOCK
            // samples: part of the summation order, as for the products below.
            for (int s = 0; s < mp; s += SUM_BLOCK) {
                for (int a = 0; a < e.q; a++) {
                    valuesAndResiduals(w, b, a, s, Math.min(mp, s + SUM_BLOCK) - s, yc);
                }
            }
            for (int l = 0; l < e.atoms; l++) {
                if (l == 0 || !e.sameSlopes) {
                    slopes(w, b, l, mp);
                }
                for (int a = 0; a < e.q; a++) {
                    jacobianColumns(w, l, a, mp);
                }
            }
            // The products in sums of SUM_BLOCK samples each, whatever the block is: that grouping is
            // part of the summation order, so it fixes the bits of JᵀJ and Jᵀr.
            for (int s = 0; s < mp; s += SUM_BLOCK) {
                products(w, s, Math.min(mp, s + SUM_BLOCK) - s);
            }
        }
        // Lanes summed in a fixed order in plain Java (a vector's reduceLanes leaves the order to the JIT).
        for (int k = 0; k < width; k++) {
            double t = 0;
            for (int j = 0; j < v; j++) {
                t += lanes[k * v + j];
            }
            out[o + k] = t;
        }
    }
}
