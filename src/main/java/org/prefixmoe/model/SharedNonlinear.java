package org.prefixmoe.model;

import java.util.Map;

/**
 * The {@code shared-nonlinear} parameterization: {@code key = σ(R_K p)}, {@code value = σ(R_V p)}
 * with an elementwise activation σ (tanh by default; docs/theory.md §2).
 */
public final class SharedNonlinear implements Parameterization {
    /** The name used in files. */
    public static final String NAME = "shared-nonlinear";
    private final SharedLinear linear;
    private final Activation activation;

    /**
     * @param rK the key map, r × m
     * @param rV the value map, q × m
     * @param activation the elementwise activation
     */
    public SharedNonlinear(double[][] rK, double[][] rV, Activation activation) {
        this.linear = new SharedLinear(rK, rV);
        if (activation == null) {
            throw new IllegalArgumentException("activation: missing");
        }
        this.activation = activation;
    }

    /** {@return the activation σ} */
    public Activation activation() {
        return activation;
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public int atomDimension() {
        return linear.m;
    }

    @Override
    public int keyDimension() {
        return linear.r;
    }

    @Override
    public int valueDimension() {
        return linear.q;
    }

    @Override
    public void map(double[] theta, int offset, double[] key, double[] value, double[] dKey, double[] dValue) {
        linear.multiply(linear.rk, linear.r, theta, offset, key);
        linear.multiply(linear.rv, linear.q, theta, offset, value);
        apply(key, linear.rk, linear.r, dKey);
        apply(value, linear.rv, linear.q, dValue);
    }

    // Chain rule: d σ(R p) / dp = diag(σ'(R p)) R; pre-activations are overwritten by σ in place.
    private void apply(double[] pre, double[] a, int rows, double[] jac) {
        int m = linear.m;
        for (int i = 0; i < rows; i++) {
            double z = pre[i];
            pre[i] = activation.value(z);
            if (jac != null) {
                double d = activation.derivative(z);
                for (int j = 0; j < m; j++) {
                    jac[i * m + j] = d * a[i * m + j];
                }
            }
        }
    }

    @Override
    public void checkIdentifiable(double[][] trueAtoms) {
        Matrices.requireFullColumnRank("R_K", linear.rk, linear.r, linear.m);
        Parameterization.super.checkIdentifiable(trueAtoms);
    }

    @Override
    public Map<String, Object> fixedMaps() {
        Map<String, Object> maps = new java.util.LinkedHashMap<>(linear.fixedMaps());
        maps.put("activation", activation.label());
        return maps;
    }
}
