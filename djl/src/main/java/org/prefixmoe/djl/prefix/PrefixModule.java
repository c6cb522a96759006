package org.prefixmoe.djl.prefix;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;

import org.prefixmoe.djl.model.Params;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Trainable prefixes for every attention layer: {@code L} key vectors and {@code L} value vectors
 * of dimension d per layer, produced by one of the paper's parameterizations.
 */
public interface PrefixModule {

    /** The parameterization's name ({@code no-share}, {@code simple-share}, {@code deep-share}, {@code tanh-share}). */
    String kind();

    /** The trainable parameters (what the optimizer sees). */
    Params params();

    /** Number of layers. */
    int depth();

    /** Prefix length L. */
    int length();

    /**
     * Computes the prefix keys and values of every layer.
     *
     * @param step manager of the current step; the returned arrays and all intermediates are attached to it
     * @return per layer {@code [keys (L, d), values (L, d)]}
     */
    List<NDArray[]> keysValues(NDManager step);

    /**
     * The prefix keys and values of a training step with prefix dropout, as in the paper's code: the prefix is
     * expanded over the batch and each example gets its own dropout mask (inverted dropout, kept entries scaled
     * by {@code 1/(1-rate)}). Without dropout this is {@link #keysValues(NDManager)}.
     *
     * @param step manager of the current step
     * @param batch batch size B
     * @param rate dropout probability in {@code [0, 1)}; 0 for none
     * @return per layer {@code [keys, values]}, {@code (B, L, d)} with dropout, {@code (L, d)} without
     */
    default List<NDArray[]> keysValues(NDManager step, long batch, float rate) {
        return keysValues(step, batch, rate, null);
    }

    /**
     * As {@link #keysValues(NDManager, long, float)}, with the dropout masks drawn in Java from {@code masks}
     * ({@link #dropout(NDArray, float, Random)}) rather than from the engine's generator, so that they do not
     * depend on the device or on what else is in the batch (the batched multi-seed trainer relies on this).
     *
     * @param step manager of the current step
     * @param batch batch size B
     * @param rate dropout probability in {@code [0, 1)}; 0 for none
     * @param masks source of the masks, or null for the engine's generator
     * @return per layer {@code [keys, values]}, {@code (B, L, d)} with dropout, {@code (L, d)} without
     */
    default List<NDArray[]> keysValues(NDManager step, long batch, float rate, Random masks) {
        List<NDArray[]> kv = keysValues(step);
        if (rate <= 0) {
            return kv;
        }
        List<NDArray[]> out = new ArrayList<>();
        for (NDArray[] pair : kv) {
            out.add(new NDArray[] {dropout(perExample(pair[0], batch), rate, masks),
                dropout(perExample(pair[1], batch), rate, masks)});
        }
        return out;
    }

    /**
     * Expands an {@code (L, d)} tensor to {@code (B, L, d)}.
     *
     * @param x {@code (L, d)}
     * @param batch B
     * @return {@code (B, L, d)}
     */
    static NDArray perExample(NDArray x, long batch) {
        return x.expandDims(0).broadcast(batch, x.getShape().get(0), x.getShape().get(1));
    }

    /**
     * Inverted dropout in training mode (PyTorch's {@code nn.Dropout}).
     *
     * @param x input
     * @param rate drop probability
     * @return masked and rescaled input
     */
    static NDArray dropout(NDArray x, float rate) {
        return x.getNDArrayInternal().dropout(x, rate, true).singletonOrThrow();
    }

    /**
     * Inverted dropout with a mask drawn in Java: entry {@code i} (row-major) is kept, scaled by
     * {@code 1/(1-rate)}, iff the {@code i}-th {@code masks.nextFloat()} is at least {@code rate}. With a null
     * source, the engine's dropout ({@link #dropout(NDArray, float)}).
     *
     * @param x input
     * @param rate drop probability
     * @param masks source of the mask, or null
     * @return masked and rescaled input
     */
    static NDArray dropout(NDArray x, float rate, Random masks) {
        if (masks == null) {
            return dropout(x, rate);
        }
        int n = Math.toIntExact(x.getShape().size());
        float keep = 1f / (1f - rate);
        float[] m = new float[n];
        for (int i = 0; i < n; i++) {
            m[i] = masks.nextFloat() < rate ? 0f : keep;
        }
        return x.mul(x.getManager().create(m, x.getShape()));
    }

    /**
     * Folds the parameterization into constant keys and values: computes them once and returns a
     * {@code no-share} module holding them, so the reparameterization network can be discarded
     * (this is what one would deploy). Outputs are unchanged.
     *
     * @param parent parent manager of the folded module
     * @return an equivalent {@link NoSharePrefix}
     */
    default NoSharePrefix fold(NDManager parent) {
        try (NDManager tmp = parent.newSubManager()) {
            List<NDArray[]> kv = keysValues(tmp);
            List<NDArray[]> copy = new ArrayList<>();
            for (NDArray[] pair : kv) {
                copy.add(new NDArray[] {pair[0].stopGradient().duplicate(), pair[1].stopGradient().duplicate()});
            }
            return NoSharePrefix.of(parent, copy);
        }
    }
}
