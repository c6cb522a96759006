package org.prefixmoe.model;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The {@code prompt-tuning} parameterization: a prompt token {@code p ∈ R^d} read through the
 * frozen projections, {@code key = W_K^T p}, {@code value = W_V^T p} (docs/theory.md §2). It is the
 * {@link SharedLinear} map with {@code R_K = W_K^T}, {@code R_V = W_V^T}.
 */
public final class PromptTuning extends SharedLinear {
    /** The name used in files. */
    public static final String NAME = "prompt-tuning";

    /**
     * @param wK the frozen key projection, d × r
     * @param wV the frozen value projection, d × q
     */
    public PromptTuning(double[][] wK, double[][] wV) {
        super(transpose("W_K", wK), transpose("W_V", wV), "W_K", "W_V");
    }

    private static double[][] transpose(String field, double[][] w) {
        if (w == null || w.length == 0 || w[0] == null) {
            throw new IllegalArgumentException(field + ": missing or empty");
        }
        int rows = w.length;
        int cols = w[0].length;
        double[][] t = new double[cols][rows];
        for (int i = 0; i < rows; i++) {
            if (w[i] == null || w[i].length != cols) {
                throw new IllegalArgumentException(field + ": row " + i + " must have " + cols + " entries");
            }
            for (int j = 0; j < cols; j++) {
                t[j][i] = w[i][j];
            }
        }
        return t;
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    String keyField() {
        return "W_K (as W_K^T)";
    }

    @Override
    public Map<String, Object> fixedMaps() {
        Map<String, Object> maps = new LinkedHashMap<>();
        maps.put("W_K", Matrices.unflatten(Matrices.transpose(rk, r, m), m, r));
        maps.put("W_V", Matrices.unflatten(Matrices.transpose(rv, q, m), m, q));
        return maps;
    }

}
