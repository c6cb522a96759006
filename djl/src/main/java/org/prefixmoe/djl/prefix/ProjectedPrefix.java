package org.prefixmoe.djl.prefix;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

import org.prefixmoe.djl.model.Params;
import org.prefixmoe.djl.model.VisionTransformer;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Random;

/**
 * {@code simple-share} as the paper's scripts run it ({@code KV_ONLY=True}): one trainable token {@code p_l in R^d}
 * per prefix slot and layer, mapped to its key and value by the block's own <b>frozen</b> attention LayerNorm and
 * <b>pretrained</b> key and value projections, {@code p^K = W_K^T LN(p) + b_K}, {@code p^V = W_V^T LN(p) + b_V}
 * ({@link VisionTransformer#projectKeysValues}). Only the tokens are trainable: the map belongs to the backbone,
 * which the optimizer never sees. Key and value of a slot are tied through the shared token, like prompt-tuning
 * tokens but without passing through the rest of the layer.
 *
 * <p>With prefix dropout the token itself is dropped out per example before the LayerNorm, as in the paper's
 * code (it applies its dropout to the prompt and then calls the block).
 */
public final class ProjectedPrefix implements PrefixModule {

    private final Params params;
    private final VisionTransformer backbone;
    private final int length;

    private ProjectedPrefix(Params params, VisionTransformer backbone, int length) {
        this.params = params;
        this.backbone = backbone;
        this.length = length;
    }

    /**
     * Random tokens for every layer of {@code backbone}.
     *
     * @param manager parent manager
     * @param backbone the frozen backbone whose LayerNorms and key/value projections map the tokens
     * @param length prefix length L (tokens per layer)
     * @param initBound half-width of the uniform initialization ({@link NoSharePrefix#initBound})
     * @param seed seed
     * @return the module
     */
    public static ProjectedPrefix create(NDManager manager, VisionTransformer backbone, int length, double initBound,
                                         long seed) {
        Random rng = new Random(seed);
        Params p = new Params(manager);
        int d = backbone.config().dim();
        for (int l = 0; l < backbone.config().depth(); l++) {
            p.put("prefix" + l + ".token", new Shape(length, d), Params.uniform(rng, length * d, initBound));
        }
        return new ProjectedPrefix(p, backbone, length);
    }

    @Override
    public String kind() {
        return "simple-share";
    }

    /** The tokens only: the LayerNorms and projections are the backbone's, frozen. */
    @Override
    public Params params() {
        return params;
    }

    @Override
    public int depth() {
        return backbone.config().depth();
    }

    @Override
    public int length() {
        return length;
    }

    @Override
    public List<NDArray[]> keysValues(NDManager step) {
        return project(step, params.view(step), 0, 0, null);
    }

    @Override
    public List<NDArray[]> keysValues(NDManager step, long batch, float rate, Random masks) {
        return project(step, params.view(step), batch, rate, masks);
    }

    private List<NDArray[]> project(NDManager step, Map<String, NDArray> v, long batch, float rate, Random masks) {
        List<NDArray[]> out = new ArrayList<>();
        for (int l = 0; l < depth(); l++) {
            NDArray tokens = v.get("prefix" + l + ".token");
            if (rate > 0) {
                tokens = PrefixModule.dropout(PrefixModule.perExample(tokens, batch), rate, masks);
            }
            out.add(backbone.projectKeysValues(step, l, tokens));
        }
        return out;
    }
}
