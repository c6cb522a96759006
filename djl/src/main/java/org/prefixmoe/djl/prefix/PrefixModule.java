package org.prefixmoe.djl.prefix;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;

import org.prefixmoe.djl.model.Params;

import java.util.ArrayList;
import java.util.List;

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
        List<NDArray[]> kv = keysValues(step);
        if (rate <= 0) {
            return kv;
        }
        List<NDArray[]> out = new ArrayList<>();
        for (NDArray[] pair : kv) {
            out.add(new NDArray[] {dropout(perExample(pair[0], batch), rate), dropout(perExample(pair[1], batch), rate)});
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
