package org.prefixmoe.model.moe;

import java.util.List;

/**
 * Input-free weights: {@code π_k(x) = π_k / Σ_j π_j}, one block {@code pi} (1) per component, each
 * entry > 0 (a mixture of regressions when the experts depend on x). The weights are read as
 * proportions, so a start whose π do not sum to one is the gate of its normalized π; the M-step is
 * the closed form {@code π_k = Σ_i τ_ik / n}, whose π sum to one. Frozen components are not supported.
 */
public final class ConstantGate implements Gate {
    private final int d;
    private final int k;

    /**
     * @param inputDimension d (the gate ignores the input)
     * @param components K
     * @throws IllegalArgumentException naming the argument
     */
    public ConstantGate(int inputDimension, int components) {
        if (inputDimension < 1) {
            throw new IllegalArgumentException("d: must be >= 1, got " + inputDimension);
        }
        if (components < 1) {
            throw new IllegalArgumentException("K: must be >= 1, got " + components);
        }
        this.d = inputDimension;
        this.k = components;
    }

    @Override
    public String name() {
        return "constant";
    }

    @Override
    public int components() {
        return k;
    }

    @Override
    public int inputDimension() {
        return d;
    }

    @Override
    public ConstantGate withComponents(int components) {
        return new ConstantGate(d, components);
    }

    @Override
    public List<Block> blocks() {
        return List.of(new Block("pi", 1));
    }

    @Override
    public boolean modelsInput() {
        return false;
    }

    @Override
    public double weight(double[] component) {
        return component[0];
    }

    @Override
    public void check(String field, double[] component) {
        Gate.super.check(field, component);
        if (!(component[0] > 0)) {
            throw new IllegalArgumentException(field + ".pi: must be > 0, got " + component[0]);
        }
    }

    @Override
    public void checkUse(Observation observation, int frozenCount) {
        if (frozenCount > 0) {
            throw new IllegalArgumentException("frozen: the constant gate takes no frozen components");
        }
    }

    @Override
    public Weights at(double[][] params) {
        if (params.length != k) {
            throw new IllegalArgumentException("gate: " + params.length + " components, expected " + k);
        }
        double[] logPi = logWeights(params);
        return (x, offset, frozen, frozenOffset, out) -> System.arraycopy(logPi, 0, out, 0, k);
    }

    /**
     * The log weights {@code log π_k − log Σ_j π_j}.
     *
     * @param params the K gate vectors; not modified
     * @return K log weights
     */
    public double[] logWeights(double[][] params) {
        double sum = 0;
        for (double[] p : params) {
            sum += p[0];
        }
        double[] out = new double[params.length];
        for (int c = 0; c < params.length; c++) {
            out[c] = Math.log(params[c][0]) - Math.log(sum);
        }
        return out;
    }

    /**
     * {@code ∂ log π_c / ∂ π_j = δ_cj / π_c − 1 / Σ_l π_l}.
     *
     * @param params the K gate vectors; not modified
     * @param component c
     * @return the K derivatives
     */
    public double[] logWeightGradient(double[][] params, int component) {
        double sum = 0;
        for (double[] p : params) {
            sum += p[0];
        }
        double[] g = new double[params.length];
        for (int j = 0; j < params.length; j++) {
            g[j] = (j == component ? 1 / params[j][0] : 0) - 1 / sum;
        }
        return g;
    }

    /** Closed form: {@code π_k = Σ_i τ_ik / Σ_i Σ_j τ_ij}; an empty component keeps a tiny positive weight. */
    @Override
    public double[][] maximize(double[][] params, double[] x, int n, double[] frozen, int frozenCount, double[] resp) {
        if (frozenCount != 0) {
            throw new IllegalArgumentException("frozen: the constant gate takes no frozen components");
        }
        double[] mass = new double[k];
        double total = 0;
        for (int i = 0; i < n; i++) {
            for (int c = 0; c < k; c++) {
                mass[c] += resp[i * k + c];
            }
        }
        for (double m : mass) {
            total += m;
        }
        double[][] out = new double[k][1];
        for (int c = 0; c < k; c++) {
            out[c][0] = total > 0 ? Math.max(mass[c] / total, Double.MIN_NORMAL) : params[c][0];
        }
        return out;
    }
}
