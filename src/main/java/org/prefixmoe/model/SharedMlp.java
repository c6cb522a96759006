package org.prefixmoe.model;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The {@code shared-mlp} parameterization, the paper code's deep-share: a hidden layer with tanh,
 * {@code u = W_2 tanh(W_1 p + b_1) + b_2 ∈ R^{r+q}}, key = the first r entries, value = the last q.
 */
public final class SharedMlp implements Parameterization {
    /** The name used in files. */
    public static final String NAME = "shared-mlp";
    private final int m;
    private final int h;
    private final int r;
    private final int q;
    private final double[] w1;
    private final double[] b1;
    private final double[] w2;
    private final double[] b2;

    /**
     * @param w1 first layer, h × m
     * @param b1 first bias, h
     * @param w2 second layer, (r + q) × h
     * @param b2 second bias, r + q
     * @param r key dimension (the first r outputs are the key)
     */
    public SharedMlp(double[][] w1, double[] b1, double[][] w2, double[] b2, int r) {
        if (w1 == null || w1.length == 0 || w1[0] == null) {
            throw new IllegalArgumentException("W1: missing or empty");
        }
        if (w2 == null || w2.length == 0 || w2[0] == null) {
            throw new IllegalArgumentException("W2: missing or empty");
        }
        this.h = w1.length;
        this.m = w1[0].length;
        this.r = r;
        this.q = w2.length - r;
        if (r < 1 || q < 1) {
            throw new IllegalArgumentException("W2: must have r + q rows with r, q >= 1 (r = " + r + ", rows = "
                    + w2.length + ")");
        }
        this.w1 = Matrices.flatten("W1", w1, h, m);
        this.b1 = Matrices.vector("b1", b1, h);
        this.w2 = Matrices.flatten("W2", w2, r + q, h);
        this.b2 = Matrices.vector("b2", b2, r + q);
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
        double[] t = new double[h];
        double[] dt = new double[h];
        for (int k = 0; k < h; k++) {
            double z = b1[k];
            for (int j = 0; j < m; j++) {
                z += w1[k * m + j] * theta[offset + j];
            }
            t[k] = Math.tanh(z);
            dt[k] = 1 - t[k] * t[k];
        }
        for (int i = 0; i < r + q; i++) {
            double u = b2[i];
            for (int k = 0; k < h; k++) {
                u += w2[i * h + k] * t[k];
            }
            double[] jac = i < r ? dKey : dValue;
            int row = i < r ? i : i - r;
            if (i < r) {
                key[i] = u;
            } else {
                value[i - r] = u;
            }
            if (jac != null) {
                for (int j = 0; j < m; j++) {
                    double s = 0;
                    for (int k = 0; k < h; k++) {
                        s += w2[i * h + k] * dt[k] * w1[k * m + j];
                    }
                    jac[row * m + j] = s;
                }
            }
        }
    }

    @Override
    public Map<String, Object> fixedMaps() {
        Map<String, Object> maps = new LinkedHashMap<>();
        maps.put("W1", Matrices.unflatten(w1, h, m));
        maps.put("b1", b1.clone());
        maps.put("W2", Matrices.unflatten(w2, r + q, h));
        maps.put("b2", b2.clone());
        return maps;
    }
}
