package org.prefixmoe.djl.train;

import java.util.Locale;

/** The adaptation methods compared by the experiment. */
public enum Method {
    /** Frozen backbone, train the new head only. */
    LINEAR_PROBE("linear-probe"),
    /** Prefix-tuning with independent keys and values (plus the head). */
    NO_SHARE("no-share"),
    /**
     * The paper's simple-share: one token per slot mapped by the block's frozen LayerNorm and pretrained key and
     * value projections; only the tokens (plus the head) are trained.
     */
    SIMPLE_SHARE("simple-share"),
    /** Prefix-tuning with {@code Linear(h, 2d) ∘ tanh ∘ Linear(d, h)} of a shared vector (plus the head). */
    DEEP_SHARE("deep-share"),
    /** Prefix-tuning with {@code tanh(Linear(d, 2d))} of a shared vector (plus the head); not run by the paper. */
    TANH_SHARE("tanh-share"),
    /** Every backbone parameter and the head are trained. */
    FULL_FINETUNE("full-finetune");

    private final String label;

    Method(String label) {
        this.label = label;
    }

    /** Name used on the command line and in tables. */
    public String label() {
        return label;
    }

    /** Whether the method trains prefixes. */
    public boolean usesPrefix() {
        return this == NO_SHARE || isShared();
    }

    /** Whether the method is one of the shared (reparameterized) prefix forms compared with no-share. */
    public boolean isShared() {
        return this == SIMPLE_SHARE || this == DEEP_SHARE || this == TANH_SHARE;
    }

    /**
     * Parses a label ({@code no-share}) or constant name ({@code NO_SHARE}).
     *
     * @param s text
     * @return the method
     */
    public static Method parse(String s) {
        String t = s.trim().toLowerCase(Locale.ROOT).replace('_', '-');
        for (Method m : values()) {
            if (m.label.equals(t)) {
                return m;
            }
        }
        throw new IllegalArgumentException("unknown method '" + s + "'; expected one of linear-probe, no-share, "
                + "simple-share, deep-share, tanh-share, full-finetune");
    }
}
