package org.prefixmoe.djl.prefix;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

import org.prefixmoe.djl.model.Params;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Reparameterized prefixes: per layer, {@code L} shared vectors {@code p'_l in R^d} pass through one
 * network whose {@code 2d} outputs are split into the key and the value of the same prompt, so the
 * key (the gating parameter of the prompt expert) and the value (the expert) are tied.
 *
 * <ul>
 *   <li>{@code tanh-share}: {@code [p^K; p^V] = tanh(W p' + b)}, one {@code Linear(d, 2d)} (a branch of the
 *       paper's code that none of its scripts runs; the paper's simple-share is {@link ProjectedPrefix});</li>
 *   <li>{@code deep-share}: {@code [p^K; p^V] = W_2 tanh(W_1 p' + b_1) + b_2}, {@code Linear(d, h)},
 *       tanh, {@code Linear(h, 2d)}.</li>
 * </ul>
 * The network is per layer, as in the paper's code. Linear layers use PyTorch's default
 * initialization (uniform in {@code ±1/sqrt(fan_in)}); the shared vectors are drawn like the paper's prompts
 * ({@link NoSharePrefix#initBound}).
 */
public final class SharedPrefix implements PrefixModule {

    /** Which network maps the shared vector to key and value. */
    public enum Kind {
        /** {@code tanh(Linear(d, 2d))}. */
        TANH("tanh-share"),
        /** {@code Linear(h, 2d) ∘ tanh ∘ Linear(d, h)}. */
        DEEP("deep-share");

        private final String label;

        Kind(String label) {
            this.label = label;
        }

        /** The name used in the paper's code and in result tables. */
        public String label() {
            return label;
        }
    }

    private final Kind kind;
    private final Params params;
    private final int depth;
    private final int length;
    private final int dim;

    private SharedPrefix(Kind kind, Params params, int depth, int length, int dim) {
        this.kind = kind;
        this.params = params;
        this.depth = depth;
        this.length = length;
        this.dim = dim;
    }

    /**
     * A randomly initialized shared prefix.
     *
     * @param manager parent manager
     * @param kind tanh or deep
     * @param depth layers
     * @param length prefix length L
     * @param dim model dimension d
     * @param hidden hidden width h of {@code deep-share} (ignored for tanh)
     * @param initBound half-width of the uniform initialization of the shared vectors
     * @param seed seed
     * @return the module
     */
    public static SharedPrefix create(NDManager manager, Kind kind, int depth, int length, int dim, int hidden,
                                      double initBound, long seed) {
        Random rng = new Random(seed);
        Params p = new Params(manager);
        for (int l = 0; l < depth; l++) {
            String n = "prefix" + l + ".";
            p.put(n + "shared", new Shape(length, dim), Params.uniform(rng, length * dim, initBound));
            if (kind == Kind.TANH) {
                linear(p, rng, n + "fc", dim, 2 * dim);
            } else {
                linear(p, rng, n + "fc1", dim, hidden);
                linear(p, rng, n + "fc2", hidden, 2 * dim);
            }
        }
        return new SharedPrefix(kind, p, depth, length, dim);
    }

    private static void linear(Params p, Random rng, String name, int in, int out) {
        double bound = 1.0 / Math.sqrt(in);
        p.put(name + ".w", new Shape(in, out), Params.uniform(rng, in * out, bound));
        p.put(name + ".b", new Shape(out), Params.uniform(rng, out, bound));
    }

    @Override
    public String kind() {
        return kind.label();
    }

    @Override
    public Params params() {
        return params;
    }

    @Override
    public int depth() {
        return depth;
    }

    @Override
    public int length() {
        return length;
    }

    @Override
    public List<NDArray[]> keysValues(NDManager step) {
        Map<String, NDArray> v = params.view(step);
        List<NDArray[]> out = new ArrayList<>();
        for (int l = 0; l < depth; l++) {
            String n = "prefix" + l + ".";
            NDArray s = v.get(n + "shared");
            NDArray kvv;
            if (kind == Kind.TANH) {
                kvv = s.matMul(v.get(n + "fc.w")).add(v.get(n + "fc.b")).tanh();
            } else {
                NDArray h = s.matMul(v.get(n + "fc1.w")).add(v.get(n + "fc1.b")).tanh();
                kvv = h.matMul(v.get(n + "fc2.w")).add(v.get(n + "fc2.b"));
            }
            NDList kvSplit = kvv.split(new long[] {dim}, 1);
            out.add(new NDArray[] {kvSplit.get(0), kvSplit.get(1)});
        }
        return out;
    }
}
