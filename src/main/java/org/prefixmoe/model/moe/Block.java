package org.prefixmoe.model.moe;

import java.util.List;

/**
 * A named block of one component's parameters (e.g. {@code beta1}, {@code a}, {@code nu}): the
 * unit of the generic Voronoi loss, which gives each block its own exponent.
 *
 * @param name the block's name in scenario and results files
 * @param size its number of coordinates
 */
public record Block(String name, int size) {
    /**
     * Validates the components.
     *
     * @param name the block's name in scenario and results files
     * @param size its number of coordinates
     * @throws IllegalArgumentException for an empty name or a size below 1
     */
    public Block {
        if (name == null || name.isEmpty()) {
            throw new IllegalArgumentException("block name: must not be empty");
        }
        if (size < 1) {
            throw new IllegalArgumentException("block " + name + ": size must be >= 1, got " + size);
        }
    }

    /**
     * The total size of some blocks.
     *
     * @param blocks the blocks
     * @return the sum of their sizes
     */
    public static int total(List<Block> blocks) {
        int s = 0;
        for (Block b : blocks) {
            s += b.size();
        }
        return s;
    }

    /**
     * Checks that a vector has the given length and finite entries.
     *
     * @param field the name used in messages
     * @param v the vector
     * @param length the length it must have
     * @throws IllegalArgumentException naming the field and the first bad entry
     */
    static void checkFinite(String field, double[] v, int length) {
        if (v == null) {
            throw new IllegalArgumentException(field + ": missing");
        }
        if (v.length != length) {
            throw new IllegalArgumentException(field + ": length " + v.length + ", expected " + length);
        }
        for (int c = 0; c < v.length; c++) {
            if (!Double.isFinite(v[c])) {
                throw new IllegalArgumentException(field + "[" + c + "]: not a finite number (" + v[c] + ")");
            }
        }
    }
}
