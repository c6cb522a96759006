package org.prefixmoe.estimation;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.prefixmoe.model.MixingMeasure;

/**
 * The merge–truncate–merge procedure of Guha, Ho and Nguyen (2021) applied to an over-specified
 * estimate (docs/theory.md §9): atoms closer than a threshold that shrinks with n are merged, atoms of
 * negligible weight are dropped (their weight given to the nearest atom kept), and atoms whose
 * weighted transport cost to a heavier one is below the tolerance are merged into it. The number
 * of atoms left is an estimate of L*. Weights are the measure's {@code exp(b_l)} (1 without
 * biases); distances are Euclidean in the atom coordinates ({@code (k, v)} stacked for
 * non-shared atoms).
 *
 * <p>Thresholds: {@code ω_n = atomScale · (log n / n)^{1/4}} (the rate of atoms that share a true
 * one, docs/theory.md §5, up to the logarithm) for merging and {@code ω_n²} scaled by {@code weightScale}
 * for truncating. The defaults, 1 and 1, suit atoms of order 1 apart with weights of order 1, as in the
 * default truths; data on another scale need other constants.
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
     * Applies the procedure.
     *
     * @param g the (over-specified) estimate
     * @param n the sample size it was fitted to
     * @return the reduced measure (biases {@code log} of the merged weights; without biases, merged atoms
     *     still count once)
     */
    public MixingMeasure apply(MixingMeasure g, int n) {
        double omega = distance(n);
        double wMin = weight(n);
        int p = g.atomDimension();
        List<double[]> atoms = new ArrayList<>();
        List<Double> weights = new ArrayList<>();
        for (int l = 0; l < g.size(); l++) {
            atoms.add(g.atom(l));
            weights.add(g.weight(l));
        }
        // Stage 1: merge atoms within ω_n, heaviest first; the merged atom sits at the weighted mean.
        mergeWithin(atoms, weights, (wi, wj, dist) -> dist <= omega);
        // Stage 2: truncate atoms of weight below the threshold, giving their weight to the nearest atom kept.
        if (atoms.size() > 1) {
            int heaviest = 0;
            for (int l = 1; l < atoms.size(); l++) {
                if (weights.get(l) > weights.get(heaviest)) {
                    heaviest = l;
                }
            }
            boolean[] keep = new boolean[atoms.size()];
            for (int l = 0; l < atoms.size(); l++) {
                keep[l] = l == heaviest || weights.get(l) >= wMin;
            }
            double[] extra = new double[atoms.size()];
            for (int l = 0; l < atoms.size(); l++) {
                if (!keep[l]) {
                    int near = -1;
                    for (int k = 0; k < atoms.size(); k++) {
                        if (keep[k] && (near < 0 || dist(atoms.get(l), atoms.get(k)) < dist(atoms.get(l), atoms.get(near)))) {
                            near = k;
                        }
                    }
                    extra[near] += weights.get(l);
                }
            }
            List<double[]> a2 = new ArrayList<>();
            List<Double> w2 = new ArrayList<>();
            for (int l = 0; l < atoms.size(); l++) {
                if (keep[l]) {
                    a2.add(atoms.get(l));
                    w2.add(weights.get(l) + extra[l]);
                }
            }
            atoms = a2;
            weights = w2;
        }
        // Stage 3: merge a lighter atom into a heavier one when its weighted transport cost w_j d² is below ω_n².
        mergeWithin(atoms, weights, (wi, wj, dist) -> wj * dist * dist <= omega * omega);
        double[][] th = atoms.toArray(double[][]::new);
        if (!g.hasBias()) {
            return new MixingMeasure(th, null);
        }
        double[] b = new double[th.length];
        for (int l = 0; l < th.length; l++) {
            b[l] = Math.log(weights.get(l));
        }
        return new MixingMeasure(th, b);
    }

    private interface Rule {
        boolean merge(double heavierWeight, double lighterWeight, double distance);
    }

    private static void mergeWithin(List<double[]> atoms, List<Double> weights, Rule rule) {
        Integer[] order = new Integer[atoms.size()];
        for (int l = 0; l < order.length; l++) {
            order[l] = l;
        }
        Arrays.sort(order, (a, b) -> Double.compare(weights.get(b), weights.get(a)));
        boolean[] gone = new boolean[order.length];
        List<double[]> outA = new ArrayList<>();
        List<Double> outW = new ArrayList<>();
        for (int a = 0; a < order.length; a++) {
            int i = order[a];
            if (gone[i]) {
                continue;
            }
            double[] center = atoms.get(i).clone();
            double w = weights.get(i);
            double[] sum = center.clone();
            for (int c = 0; c < sum.length; c++) {
                sum[c] *= w;
            }
            for (int b = a + 1; b < order.length; b++) {
                int j = order[b];
                if (!gone[j] && rule.merge(weights.get(i), weights.get(j), dist(center, atoms.get(j)))) {
                    gone[j] = true;
                    w += weights.get(j);
                    for (int c = 0; c < sum.length; c++) {
                        sum[c] += weights.get(j) * atoms.get(j)[c];
                    }
                }
            }
            for (int c = 0; c < sum.length; c++) {
                sum[c] /= w;
            }
            outA.add(sum);
            outW.add(w);
        }
        atoms.clear();
        atoms.addAll(outA);
        weights.clear();
        weights.addAll(outW);
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
