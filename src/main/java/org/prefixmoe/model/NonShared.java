package org.prefixmoe.model;

import java.util.Map;

/**
 * The {@code non-shared} parameterization: the atom is the stacked pair {@code θ = (k, v)} and
 * {@code key = k}, {@code value = v} are independent free parameters (docs/theory.md §2).
 */
public final class NonShared implements Parameterization {
    /** The name used in files. */
    public static final String NAME = "non-shared";
    private final int r;
    private final int q;

    /**
     * @param r key dimension
     * @param q value dimension
     */
    public NonShared(int r, int q) {
        if (r < 1 || q < 1) {
            throw new IllegalArgumentException("non-shared: key and value dimensions must be positive, got r=" + r
                    + ", q=" + q);
        }
        this.r = r;
        this.q = q;
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public int atomDimension() {
        return r + q;
    }

    @Override
    public int keyDimension() {
        return r;
    }

    @Override
    public int valueDimension() {
        return q;
    }

    @Override
    public void map(double[] theta, int offset, double[] key, double[] value, double[] dKey, double[] dValue) {
        System.arraycopy(theta, offset, key, 0, r);
        System.arraycopy(theta, offset + r, value, 0, q);
        int p = r + q;
        if (dKey != null) {
            java.util.Arrays.fill(dKey, 0, r * p, 0.0);
            for (int i = 0; i < r; i++) {
                dKey[i * p + i] = 1.0;
            }
        }
        if (dValue != null) {
            java.util.Arrays.fill(dValue, 0, q * p, 0.0);
            for (int i = 0; i < q; i++) {
                dValue[i * p + r + i] = 1.0;
            }
        }
    }

    /** The value {@code v}: coordinates {@code r, …, r + q − 1}. */
    @Override
    public int[] linearCoordinates() {
        int[] c = new int[q];
        for (int i = 0; i < q; i++) {
            c[i] = r + i;
        }
        return c;
    }

    /** Key and value are separate coordinates of the atom. */
    @Override
    public boolean shared() {
        return false;
    }

    /** Key and value are free coordinates: only a zero true value (a prompt that contributes nothing) is refused. */
    @Override
    public void checkIdentifiable(double[][] trueAtoms) {
        for (int l = 0; l < trueAtoms.length; l++) {
            double norm = 0;
            for (int i = 0; i < q; i++) {
                norm += trueAtoms[l][r + i] * trueAtoms[l][r + i];
            }
            if (norm == 0) {
                throw new IllegalArgumentException("atoms[" + l + "]: the true value is zero, so the prompt is not"
                        + " identifiable");
            }
        }
    }

    @Override
    public Map<String, Object> fixedMaps() {
        return Map.of();
    }
}
