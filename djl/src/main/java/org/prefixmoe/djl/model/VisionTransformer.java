package org.prefixmoe.djl.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * A small pre-norm vision transformer: patch embedding, class token, learned position embedding,
 * {@code depth} blocks of (LayerNorm, multi-head self-attention, residual, LayerNorm, GELU MLP, residual),
 * and a final LayerNorm. {@link #features} returns the class-token feature; classification heads
 * are separate ({@link Classifier}).
 *
 * <p>Every attention layer accepts optional prefix keys and values ({@link #attention}), which is what
 * prefix-tuning trains.
 */
public final class VisionTransformer {

    private final ViTConfig cfg;
    private final Params params;

    private VisionTransformer(ViTConfig cfg, Params params) {
        this.cfg = cfg;
        this.params = params;
    }

    /**
     * A freshly initialized backbone.
     *
     * @param cfg shape
     * @param manager parent manager
     * @param seed initialization seed
     * @return the backbone
     */
    public static VisionTransformer create(ViTConfig cfg, NDManager manager, long seed) {
        Random rng = new Random(seed);
        Params p = new Params(manager);
        int d = cfg.dim();
        int pp = cfg.patch() * cfg.patch();
        int h = d * cfg.mlpRatio();
        p.put("patch.w", new Shape(pp, d), Params.xavier(rng, pp, d));
        p.put("patch.b", new Shape(d), new float[d]);
        p.put("cls", new Shape(1, 1, d), Params.normal(rng, d, 0.02));
        p.put("pos", new Shape(1, cfg.numTokens(), d), Params.normal(rng, cfg.numTokens() * d, 0.02));
        for (int l = 0; l < cfg.depth(); l++) {
            String b = "block" + l + ".";
            p.put(b + "ln1.g", new Shape(d), Params.filled(d, 1f));
            p.put(b + "ln1.b", new Shape(d), new float[d]);
            p.put(b + "qkv.w", new Shape(d, 3 * d), Params.xavier(rng, d, 3 * d));
            p.put(b + "qkv.b", new Shape(3 * d), new float[3 * d]);
            p.put(b + "proj.w", new Shape(d, d), Params.xavier(rng, d, d));
            p.put(b + "proj.b", new Shape(d), new float[d]);
            p.put(b + "ln2.g", new Shape(d), Params.filled(d, 1f));
            p.put(b + "ln2.b", new Shape(d), new float[d]);
            p.put(b + "fc1.w", new Shape(d, h), Params.xavier(rng, d, h));
            p.put(b + "fc1.b", new Shape(h), new float[h]);
            p.put(b + "fc2.w", new Shape(h, d), Params.xavier(rng, h, d));
            p.put(b + "fc2.b", new Shape(d), new float[d]);
        }
        p.put("norm.g", new Shape(d), Params.filled(d, 1f));
        p.put("norm.b", new Shape(d), new float[d]);
        return new VisionTransformer(cfg, p);
    }

    /**
     * Wraps existing parameters (a loaded checkpoint or a copy).
     *
     * @param cfg shape
     * @param params parameters with the names used by {@link #create}
     * @return the backbone
     */
    public static VisionTransformer of(ViTConfig cfg, Params params) {
        return new VisionTransformer(cfg, params);
    }

    /** The shape. */
    public ViTConfig config() {
        return cfg;
    }

    /** The backbone parameters. */
    public Params params() {
        return params;
    }

    /**
     * The class-token feature after the final LayerNorm.
     *
     * @param step manager of this step (intermediates live there)
     * @param images {@code (B, side*side)} or {@code (B, 1, side, side)} normalized pixels
     * @param prefixes per-layer {@code [keys, values]}, each {@code (L, d)} or {@code (B, L, d)}, or {@code null}
     *     for plain attention
     * @return {@code (B, d)}
     */
    public NDArray features(NDManager step, NDArray images, List<NDArray[]> prefixes) {
        if (prefixes != null && prefixes.size() != cfg.depth()) {
            throw new IllegalArgumentException("need one prefix per layer: " + cfg.depth() + ", got " + prefixes.size());
        }
        Map<String, NDArray> p = params.view(step);
        long b = images.getShape().get(0);
        int g = cfg.imageSide() / cfg.patch();
        int ps = cfg.patch();
        int d = cfg.dim();
        // (B, g, ps, g, ps) -> (B, g, g, ps, ps) -> (B, g*g, ps*ps): non-overlapping patches, row-major.
        NDArray patches = images.reshape(b, g, ps, g, ps).transpose(0, 1, 3, 2, 4).reshape(b, (long) g * g, (long) ps * ps);
        NDArray x = patches.matMul(p.get("patch.w")).add(p.get("patch.b"));
        NDArray cls = x.get(":, :1, :").zerosLike().add(p.get("cls"));
        x = NDArrays.concat(new NDList(cls, x), 1).add(p.get("pos"));
        for (int l = 0; l < cfg.depth(); l++) {
            String n = "block" + l + ".";
            NDArray h = layerNorm(x, p.get(n + "ln1.g"), p.get(n + "ln1.b"));
            NDArray pk = prefixes == null ? null : prefixes.get(l)[0];
            NDArray pv = prefixes == null ? null : prefixes.get(l)[1];
            x = x.add(attention(h, p.get(n + "qkv.w"), p.get(n + "qkv.b"), p.get(n + "proj.w"), p.get(n + "proj.b"),
                    cfg.heads(), pk, pv));
            h = layerNorm(x, p.get(n + "ln2.g"), p.get(n + "ln2.b"));
            h = h.matMul(p.get(n + "fc1.w")).add(p.get(n + "fc1.b")).getNDArrayInternal().gelu();
            x = x.add(h.matMul(p.get(n + "fc2.w")).add(p.get(n + "fc2.b")));
        }
        x = layerNorm(x, p.get("norm.g"), p.get("norm.b"));
        return x.get(":, 0, :");
    }

    /**
     * The key and value a token would have in block {@code layer}: the block's own (frozen) attention
     * LayerNorm followed by its pretrained key and value projections with their biases,
     * {@code p^K = W_K^T LN(p) + b_K}, {@code p^V = W_V^T LN(p) + b_V}. This is the map of the paper's
     * simple-share ({@code KV_ONLY=True} in its code). The backbone's tensors enter through per-step aliases,
     * so they collect a gradient only if the backbone itself is trainable.
     *
     * @param step manager of this step
     * @param layer block index
     * @param tokens {@code (..., d)} token vectors
     * @return {@code [keys, values]}, each shaped like {@code tokens}
     */
    public NDArray[] projectKeysValues(NDManager step, int layer, NDArray tokens) {
        String n = "block" + layer + ".";
        int d = cfg.dim();
        NDArray g = params.get(n + "ln1.g").reshape(d);
        NDArray beta = params.get(n + "ln1.b").reshape(d);
        NDArray w = params.get(n + "qkv.w").reshape(d, 3L * d);
        NDArray bias = params.get(n + "qkv.b").reshape(3L * d);
        for (NDArray a : new NDArray[] {g, beta, w, bias}) {
            a.attach(step);
        }
        NDArray h = layerNorm(tokens, g, beta);
        NDArray keys = h.matMul(w.get(":, " + d + ":" + 2 * d)).add(bias.get(d + ":" + 2 * d));
        NDArray values = h.matMul(w.get(":, " + 2 * d + ":")).add(bias.get(2 * d + ":"));
        return new NDArray[] {keys, values};
    }

    /**
     * LayerNorm over the last axis.
     *
     * @param x input {@code (..., d)}
     * @param gamma scale {@code (d)}
     * @param beta shift {@code (d)}
     * @return normalized input
     */
    public static NDArray layerNorm(NDArray x, NDArray gamma, NDArray beta) {
        long d = x.getShape().get(x.getShape().dimension() - 1);
        return x.getNDArrayInternal().layerNorm(x, new Shape(d), gamma, beta, 1e-5f).singletonOrThrow();
    }

    /**
     * Multi-head self-attention with optional prefix keys and values.
     *
     * <p>Queries, keys and values come from {@code x}; the {@code L} prefix keys and values (already
     * in key/value space, shared by the whole batch, split across heads like ordinary keys) are
     * concatenated in front of the token keys and values, so every query attends to
     * {@code L + T} positions: {@code softmax(q [P_K; K]^T / sqrt(d_h)) [P_V; V]}, then the output projection.
     *
     * @param x {@code (B, T, d)}
     * @param wqkv {@code (d, 3d)} query/key/value projection
     * @param bqkv {@code (3d)}
     * @param wo {@code (d, d)} output projection
     * @param bo {@code (d)}
     * @param heads number of heads
     * @param prefixKeys {@code (L, d)} shared by the batch, {@code (B, L, d)} per example, or null
     * @param prefixValues same shape as {@code prefixKeys}, or null
     * @return {@code (B, T, d)}
     */
    public static NDArray attention(NDArray x, NDArray wqkv, NDArray bqkv, NDArray wo, NDArray bo, int heads,
                                    NDArray prefixKeys, NDArray prefixValues) {
        Shape s = x.getShape();
        long b = s.get(0);
        long t = s.get(1);
        long d = s.get(2);
        long dh = d / heads;
        NDList qkv = x.matMul(wqkv).add(bqkv).split(3, 2);
        NDArray q = qkv.get(0);
        NDArray k = qkv.get(1);
        NDArray v = qkv.get(2);
        long kt = t;
        if (prefixKeys != null) {
            boolean perExample = prefixKeys.getShape().dimension() == 3;
            long len = prefixKeys.getShape().get(perExample ? 1 : 0);
            // A shared (L, d) prefix is broadcast over the batch (an expand: no copy, gradients sum over the
            // batch); a (B, L, d) prefix (after prefix dropout, which masks each example separately) is used as is.
            NDArray pk = perExample ? prefixKeys : prefixKeys.expandDims(0).broadcast(b, len, d);
            NDArray pv = perExample ? prefixValues : prefixValues.expandDims(0).broadcast(b, len, d);
            k = NDArrays.concat(new NDList(pk, k), 1);
            v = NDArrays.concat(new NDList(pv, v), 1);
            kt += len;
        }
        q = q.reshape(b, t, heads, dh).transpose(0, 2, 1, 3);
        k = k.reshape(b, kt, heads, dh).transpose(0, 2, 3, 1);
        v = v.reshape(b, kt, heads, dh).transpose(0, 2, 1, 3);
        // An engine-owned scalar: NDArray.mul(Number) wraps the number in a tensor over Java memory and closes it
        // at once, while autograd keeps that tensor for the backward pass; a garbage collection in between frees the
        // memory and corrupts the gradient now and then (runs that differ from run to run).
        NDArray scale = q.getManager().full(new Shape(), (float) (1.0 / Math.sqrt(dh)));
        NDArray att = q.matMul(k).mul(scale).softmax(-1);
        NDArray out = att.matMul(v).transpose(0, 2, 1, 3).reshape(b, t, d);
        return out.matMul(wo).add(bo);
    }
}
