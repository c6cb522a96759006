package org.prefixmoe.djl.prefix;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

import org.prefixmoe.djl.model.Params;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;

/** {@code no-share}: the keys and values of every layer are independent free parameters. */
public final class NoSharePrefix implements PrefixModule {

    /**
     * Half-width of the uniform initialization of every trainable prefix vector, as in the paper's code
     * (VPT's "xavier uniform" for prompts): {@code sqrt(6 / (channels * patch^2 + d))}, with one channel here.
     *
     * @param patch patch side
     * @param dim model dimension d
     * @return the bound
     */
    public static double initBound(int patch, int dim) {
        return Math.sqrt(6.0 / (patch * patch + dim));
    }

    private final Params params;
    private final int depth;
    private final int length;

    private NoSharePrefix(Params params, int depth, int length) {
        this.params = params;
        this.depth = depth;
        this.length = length;
    }

    /**
     * Randomly initialized prefixes.
     *
     * @param manager parent manager
     * @param depth layers
     * @param length prefix length L
     * @param dim model dimension d
     * @param initBound half-width of the uniform initialization ({@link #initBound})
     * @param seed seed
     * @return the module
     */
    public static NoSharePrefix create(NDManager manager, int depth, int length, int dim, double initBound,
                                       long seed) {
        Random rng = new Random(seed);
        Params p = new Params(manager);
        for (int l = 0; l < depth; l++) {
            p.put("prefix" + l + ".k", new Shape(length, dim), Params.uniform(rng, length * dim, initBound));
            p.put("prefix" + l + ".v", new Shape(length, dim), Params.uniform(rng, length * dim, initBound));
        }
        return new NoSharePrefix(p, depth, length);
    }

    /**
     * Prefixes with given values (used by folding).
     *
     * @param manager parent manager
     * @param kv per layer {@code [keys (L, d), values (L, d)]}; attached to the new module
     * @return the module
     */
    public static NoSharePrefix of(NDManager manager, List<NDArray[]> kv) {
        Params p = new Params(manager);
        for (int l = 0; l < kv.size(); l++) {
            p.put("prefix" + l + ".k", kv.get(l)[0]);
            p.put("prefix" + l + ".v", kv.get(l)[1]);
        }
        return new NoSharePrefix(p, kv.size(), (int) kv.get(0)[0].getShape().get(0));
    }

    @Override
    public String kind() {
        return "no-share";
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
            out.add(new NDArray[] {v.get("prefix" + l + ".k"), v.get("prefix" + l + ".v")});
        }
        return out;
    }
}
