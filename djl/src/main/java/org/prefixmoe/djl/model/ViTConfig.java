package org.prefixmoe.djl.model;

/**
 * Shape of the vision transformer.
 *
 * @param imageSide input side in pixels (28 for Fashion-MNIST)
 * @param patch patch side; must divide {@code imageSide}
 * @param dim embedding dimension d
 * @param depth number of transformer blocks
 * @param heads attention heads; must divide {@code dim}
 * @param mlpRatio hidden width of the MLP as a multiple of d
 */
public record ViTConfig(int imageSide, int patch, int dim, int depth, int heads, int mlpRatio) {

    /** Validates the divisibility constraints. */
    public ViTConfig {
        if (imageSide % patch != 0) {
            throw new IllegalArgumentException("patch " + patch + " must divide image side " + imageSide);
        }
        if (dim % heads != 0) {
            throw new IllegalArgumentException("heads " + heads + " must divide dim " + dim);
        }
    }

    /** Patches per image. */
    public int numPatches() {
        int g = imageSide / patch;
        return g * g;
    }

    /** Tokens per image: patches plus the class token. */
    public int numTokens() {
        return numPatches() + 1;
    }

    /** Short identifier, used in checkpoint file names. */
    public String tag() {
        return "vit-s" + imageSide + "-p" + patch + "-d" + dim + "-L" + depth + "-h" + heads + "-m" + mlpRatio;
    }
}
