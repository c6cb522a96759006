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

    /** The parameterization's name ({@code no-share}, {@code simple-share}, {@code deep-share}). */
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
