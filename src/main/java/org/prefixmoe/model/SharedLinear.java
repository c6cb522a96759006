package org.prefixmoe.model;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The {@code shared-linear} parameterization: one shared vector {@code p ∈ R^m} gives both
 * {@code key = R_K p} and {@code value = R_V p} through fixed, known maps (docs/theory.md §2).
 */
public class SharedLinear implements Parameterization {
    /** The name used in files. */
    public static final String NAME = "shared-linear";
    final int r;
    final int q;
    final int m;
    final double[] rk;
    final double[] rv;

    /**
     * @param rK the key map, r × m
     * @param rV the value map, q × m
     */
    public SharedLinear(double[][] rK, double[][] rV) {
        this(rK, rV, "R_K", "R_V");
    }

    SharedLinear(double[][] rK, double[][] rV, String kField, String vField) {
        if (rK == null || rK.length == 0 || rK[0] == null) {
            throw new IllegalArgumentException(kField + ": missing or empty");
        }
        if (rV == null || rV.length == 0 || rV[0] == null) {
            throw new IllegalArgumentException(vField + ": missing or empty");
        }
        this.r = rK.length;
        this.m = rK[0].length;
        this.q = rV.length;
        this.rk = Matrices.flatten(kField, rK, r, m);
        this.rv = Matrices.flatten(vField, rV, q, m);
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public int atomDimension() {
        return m;
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
        multiply(rk, r, theta, offset, key);
        multiply(rv, q, theta, offset, value);
        if (dKey != null) {
            System.arraycopy(rk, 0, dKey, 0, rk.length);
        }
        if (dValue != null) {
            System.arraycopy(rv, 0, dValue, 0, rv.length);
        }
    }

    final void multiply(double[] a, int rows, double[] theta, int offset, double[] out) {
        for (int i = 0; i < rows; i++) {
            double s = 0;
            for (int j = 0; j < m; j++) {
                s += a[i * m + j] * theta[offset + j];
            }
            out[i] = s;
        }
    }

    @Override
    public void checkIdentifiable(double[][] trueAtoms) {
        Matrices.requireFullColumnRank(keyField(), rk, r, m);
        Parameterization.super.checkIdentifiable(trueAtoms);
    }

    String keyField() {
        return "R_K";
    }

    @Override
    public Map<String, Object> fixedMaps() {
        Map<String, Object> maps = new LinkedHashMap<>();
        maps.put("R_K", Matrices.unflatten(rk, r, m));
        maps.put("R_V", Matrices.unflatten(rv, q, m));
        return maps;
    }
}
