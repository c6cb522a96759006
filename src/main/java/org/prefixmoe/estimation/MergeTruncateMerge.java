package org.prefixmoe.estimation;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.prefixmoe.model.MixingMeasure;

/**
 * The merge–truncate–merge procedure of Guha, Ho and Nguyen (2021, Algorithm 1) applied to an
 * over-specified estimate (docs/theory.md §9): atoms closer than a threshold that shrinks with n are
 * merged into the heavier one, atoms of negligible weight, and atoms whose weighted transport cost to a
 * heavier atom is below the same weight threshold, are set aside and their weight given to the nearest
 * atom kept. The number of atoms left is an estimate of L*. Weights are the measure's
 * {@code exp(b_l)} (1 without biases); distances are Euclidean in the atom coordinates ({@code (k, v)}
 * stacked for non-shared atoms).
 *
 * <p>Thresholds: {@code ω_n = atomScale · (log n / n)^{1/4}} (the rate of atoms that share a true
 * one, docs/theory.md §5, up to the logarithm) for merging and {@code weightScale · (log n / n)^{1/2}}
 * for truncating and for the final merge; in the paper's notation (order r = 2) the latter is
 * {@code (c ω_n)²} with {@code c = sqrt(weightScale) / atomScale}. The defaults, 1 and 1, suit atoms of
 * order 1 apart with weights of order 1, as in the default truths; data on another scale need other
 * constants.
 *
 * @param atomScale the constant of the merging distance
 * @param weightScale the constant of the truncation weight
 */
public record MergeTruncateMerge(double atomScale, double weightScale) {
    /** The defaults: both constants 1. */
    public static final MergeTruncateMerge DEFAULT = new MergeTruncateMerge(1, 1);

    /**
     * Checks the constants.
     *
     * @param atomScale the constant of the merging distance, &gt; 0
     * @param weightScale the constant of the truncation weight, &gt;= 0
     */
    public MergeTruncateMerge {
        if (!(atomScale > 0) || Double.isInfinite(atomScale)) {
            throw new IllegalArgumentException("atomScale: must be finite and > 0, got " + atomScale);
        }
        if (!(weightScale >= 0) || Double.isInfinite(weightScale)) {
            throw new IllegalArgumentException("weightScale: must be finite and >= 0, got " + weightScale);
        }
    }

    /**
     * {@return the merging distance ω_n at sample size n}
     *
     * @param n the sample size, at least 2
     */
    public double distance(int n) {
        if (n < 2) {
            throw new IllegalArgumentException("n: must be at least 2, got " + n);
        }
        return atomScale * Math.pow(Math.log(n) / n, 0.25);
    }

    /**
     * {@return the truncation weight at sample size n, {@code weightScale · (log n / n)^{1/2}}}
     *
     * @param n the sample size, at least 2
     */
    public double weight(int n) {
        double w = Math.pow(Math.log(n) / Math.max(2, n), 0.5);
        return weightScale * w;
    }

    /**
     * Applies the procedure (Algorithm 1 of Guha, Ho and Nguyen, 2021, with the order and ties of
     * docs/theory.md §9).
     *
     * <ol>
     *   <li>Merge: going through the atoms from the heaviest down, an atom within {@link #distance(int)}
     *       of an atom kept earlier gives its weight to the first such atom and is dropped; kept
     *       atoms do not move.</li>
     *   <li>Truncate: with the kept atoms sorted by weight (heaviest first) and {@code t =}
     *       {@link #weight(int)}, an atom of weight {@code <= t} is set aside, and so is an atom
     *       {@code i} for which an atom {@code j} before it, still kept, has
     *       {@code w_i ||θ_i − θ_j||² <= t}.</li>
     *   <li>Merge: every atom set aside gives its weight (the weight left by stage 1) to the nearest
     *       atom kept.</li>
     * </ol>
     *
     * <p>When every atom would be set aside by weight, the heaviest is kept.
     *
     * @param g the (over-specified) estimate
     * @param n the sample size it was fitted to
     * @return the reduced measure (biases {@code log} of the merged weights; without biases, merged atoms
     *     still count once)
     */
    public MixingMeasure apply(MixingMeasure g, int n) {
        double omega = distance(n);
        double t = weight(n);
        int size = g.size();
        double[][] atoms = new double[size][];
        double[] w = new double[size];
        for (int l = 0; l < size; l++) {
            atoms[l] = g.atom(l);
            w[l] = g.weight(l);
        }
        // Stage 1: heaviest first; an atom within ω_n of an atom kept before it gives its weight to the first such.
        Integer[] order = byWeight(w);
        List<Integer> kept = new ArrayList<>();
        double[] q = w.clone();
        for (int i : order) {
            int into = -1;
            for (int k : kept) {
                if (dist(atoms[k], atoms[i]) <= omega) {
                    into = k;
                    break;
                }
            }
            if (into < 0) {
                kept.add(i);
            } else {
                q[into] += q[i];
                q[i] = 0;
            }
        }
        // Stage 2: sort by the merged weights; set aside the light atoms and those cheap to move to a heavier kept one.
        Integer[] sorted = kept.toArray(Integer[]::new);
        Arrays.sort(sorted, (a, b) -> Double.compare(q[b], q[a]));
        List<Integer> active = new ArrayList<>();
        List<Integer> aside = new ArrayList<>();
        for (int i : sorted) {
            boolean light = q[i] <= t;
            boolean cheap = false;
            if (!light) {
                for (int j : active) {
                    double d = dist(atoms[i], atoms[j]);
                    if (q[i] * d * d <= t) {
                        cheap = true;
                        break;
                    }
                }
            }
            if (light || cheap) {
                aside.add(i);
            } else {
                active.add(i);
            }
        }
        if (active.isEmpty()) {
            active.add(aside.remove(0));
        }
        // Stage 3: each atom set aside gives its weight to the nearest atom kept.
        double[] extra = new double[size];
        for (int i : aside) {
            int near = -1;
            double best = Double.POSITIVE_INFINITY;
            for (int k : active) {
                double d = dist(atoms[i], atoms[k]);
                if (d < best) {
                    best = d;
                    near = k;
                }
            }
            extra[near] += q[i];
        }
        double[][] th = new double[active.size()][];
        double[] b = new double[active.size()];
        for (int a = 0; a < th.length; a++) {
            int k = active.get(a);
            th[a] = atoms[k].clone();
            b[a] = Math.log(q[k] + extra[k]);
        }
        return new MixingMeasure(th, g.hasBias() ? b : null);
    }

    private static Integer[] byWeight(double[] w) {
        Integer[] order = new Integer[w.length];
        for (int l = 0; l < order.length; l++) {
            order[l] = l;
        }
        Arrays.sort(order, (a, b) -> Double.compare(w[b], w[a]));
        return order;
    }

    private static double dist(double[] a, double[] b) {
        double s = 0;
        for (int c = 0; c < a.length; c++) {
            double e = a[c] - b[c];
            s += e * e;
        }
        return Math.sqrt(s);
    }
}
