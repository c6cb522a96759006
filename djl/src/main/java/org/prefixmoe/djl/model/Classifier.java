package org.prefixmoe.djl.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

import org.prefixmoe.djl.prefix.PrefixModule;

import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Backbone + optional prefixes + a linear classification head on the class-token feature.
 * Which parts are trained is decided by the caller ({@link org.prefixmoe.djl.train.Method}).
 */
public final class Classifier {

    private final VisionTransformer backbone;
    private final PrefixModule prefix;
    private final Params head;

    /**
     * @param backbone the transformer
     * @param prefix prefixes for every layer, or null
     * @param head parameters {@code head.w (d, C)}, {@code head.b (C)}
     */
    public Classifier(VisionTransformer backbone, PrefixModule prefix, Params head) {
        this.backbone = backbone;
        this.prefix = prefix;
        this.head = head;
    }

    /**
     * A fresh linear head {@code Linear(d, classes)} with PyTorch's default initialization.
     *
     * @param manager parent manager
     * @param dim d
     * @param classes number of classes
     * @param seed seed
     * @return the head parameters
     */
    public static Params newHead(NDManager manager, int dim, int classes, long seed) {
        Random rng = new Random(seed);
        Params h = new Params(manager);
        double bound = 1.0 / Math.sqrt(dim);
        h.put("head.w", new Shape(dim, classes), Params.uniform(rng, dim * classes, bound));
        h.put("head.b", new Shape(classes), Params.uniform(rng, classes, bound));
        return h;
    }

    /** The backbone. */
    public VisionTransformer backbone() {
        return backbone;
    }

    /** The prefixes, or null. */
    public PrefixModule prefix() {
        return prefix;
    }

    /** The head parameters. */
    public Params head() {
        return head;
    }

    /**
     * Class scores.
     *
     * @param step manager of this step
     * @param images {@code (B, side*side)} normalized pixels
     * @return logits {@code (B, C)}
     */
    public NDArray logits(NDManager step, NDArray images) {
        return logits(step, images, 0f);
    }

    /**
     * Class scores of a training step with prefix dropout ({@link PrefixModule#keysValues(NDManager, long, float)}).
     *
     * @param step manager of this step
     * @param images {@code (B, side*side)} normalized pixels
     * @param prefixDropout dropout probability of the prefix (0: none, as in evaluation)
     * @return logits {@code (B, C)}
     */
    public NDArray logits(NDManager step, NDArray images, float prefixDropout) {
        return logits(step, images, prefixDropout, null);
    }

    /**
     * Class scores of a training step with prefix dropout whose masks are drawn in Java from {@code masks}
     * ({@link PrefixModule#keysValues(NDManager, long, float, Random)}).
     *
     * @param step manager of this step
     * @param images {@code (B, side*side)} normalized pixels
     * @param prefixDropout dropout probability of the prefix (0: none)
     * @param masks source of the dropout masks, or null for the engine's generator
     * @return logits {@code (B, C)}
     */
    public NDArray logits(NDManager step, NDArray images, float prefixDropout, Random masks) {
        List<NDArray[]> kv = prefix == null ? null
                : prefix.keysValues(step, images.getShape().get(0), prefixDropout, masks);
        return headLogits(step, backbone.features(step, images, kv));
    }

    /**
     * The head applied to class-token features.
     *
     * @param step manager of this step
     * @param features {@code (B, d)}
     * @return logits {@code (B, C)}
     */
    public NDArray headLogits(NDManager step, NDArray features) {
        Map<String, NDArray> h = head.view(step);
        return features.matMul(h.get("head.w")).add(h.get("head.b"));
    }
}
