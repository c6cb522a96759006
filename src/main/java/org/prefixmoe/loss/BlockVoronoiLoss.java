package org.prefixmoe.loss;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The generic Voronoi loss of the mixture-of-experts family: an atom is a flat vector cut into
 * named blocks, with a weight. Each fitted atom joins the cell of the nearest true atom under a
 * cell distance (the sum of the block norms, as the published codes use, or the Euclidean norm of
 * the whole atom, as the prefix losses do; ties go to the smaller index), and
 * <pre>
 *   loss = Σ_j Σ_{l ∈ V_j} w_l Σ_b ||θ_{l,b} − θ*_{j,b}||^{e_b(|V_j|, j)}  +  Σ_j | Σ_{l ∈ V_j} w_l − w*_j |
 * </pre>
 * with one {@link ExponentRule} per block. Blocks left out of the loss (e.g. the softmax
 * intercept, which enters through the weight) are not listed. The prefix losses are instances:
 * {@code D_1} is one block θ with {@code ExponentRule.multi(2)} and the Euclidean distance,
 * {@code D_{2,r}} one block with {@code ExponentRule.always(r)}. Immutable.
 */
public final class BlockVoronoiLoss {

    /** How a fitted atom's distance to a true atom is measured when cells are assigned. */
    public enum CellDistance {
        /** {@code Σ_b ||θ_b − θ*_b||} over the loss's blocks. */
        SUM_OF_BLOCK_NORMS,
        /** {@code ||θ − θ*||} over the loss's blocks stacked. */
        EUCLIDEAN
    }

    /**
     * One block of the loss.
     *
     * @param name its name (a column of per-block results)
     * @param offset where it starts in an atom's vector
     * @param size its length
     * @param rule its exponent
     */
    public record Term(String name, int offset, int size, ExponentRule rule) {
        /**
         * Validates the components.
         *
         * @param name its name (a column of per-block results)
         * @param offset where it starts in an atom's vector
         * @param size its length
         * @param rule its exponent
         * @throws IllegalArgumentException for a bad offset or size
         */
        public Term {
            if (offset < 0 || size < 1) {
                throw new IllegalArgumentException("block " + name + ": offset >= 0 and size >= 1 needed");
            }
            java.util.Objects.requireNonNull(rule, "rule");
        }
    }

    /**
     * The loss of one fit, with its parts.
     *
     * @param loss the total
     * @param weightTerm {@code Σ_j |Σ_{l ∈ V_j} w_l − w*_j|}
     * @param contributions per block, {@code Σ_j Σ_{l ∈ V_j} w_l ||Δ_b||^{e_b}} (they and the weight term sum to the loss)
     * @param errors per block, the largest plain error {@code ||θ_{l,b} − θ*_{cell(l),b}||} over fitted atoms
     * @param cellOf the true atom of each fitted atom
     * @param cellSizes the number of fitted atoms in each cell
     */
    public record Result(double loss, double weightTerm, Map<String, Double> contributions, Map<String, Double> errors,
                         int[] cellOf, int[] cellSizes) {
    }

    private final List<Term> terms;
    private final CellDistance distance;

    /**
     * @param terms the blocks of the loss, non-empty
     * @param distance the cell distance
     */
    public BlockVoronoiLoss(List<Term> terms, CellDistance distance) {
        if (terms == null || terms.isEmpty()) {
            throw new IllegalArgumentException("loss: at least one block is needed");
        }
        java.util.Set<String> names = new java.util.HashSet<>();
        for (Term t : terms) {
            if (!names.add(t.name())) {
                throw new IllegalArgumentException("loss: block " + t.name() + " given twice");
            }
        }
        this.terms = List.copyOf(terms);
        this.distance = java.util.Objects.requireNonNull(distance, "distance");
    }

    /** {@return the blocks, in order} */
    public List<Term> terms() {
        return terms;
    }

    /** {@return the cell distance} */
    public CellDistance distance() {
        return distance;
    }

    /**
     * Evaluates the loss.
     *
     * @param weights the fitted atoms' weights; not modified
     * @param atoms the fitted atoms; not modified
     * @param trueWeights the true atoms' weights; not modified
     * @param trueAtoms the true atoms; not modified
     * @return the loss and its parts
     */
    public Result evaluate(double[] weights, double[][] atoms, double[] trueWeights, double[][] trueAtoms) {
        int l = atoms.length;
        int k = trueAtoms.length;
        if (weights.length != l || trueWeights.length != k || k == 0) {
            throw new IllegalArgumentException("loss: " + l + " atoms with " + weights.length + " weights, " + k
                    + " true atoms with " + trueWeights.length + " weights");
        }
        int[] cellOf = new int[l];
        int[] sizes = new int[k];
        for (int a = 0; a < l; a++) {
            double best = Double.POSITIVE_INFINITY;
            for (int j = 0; j < k; j++) {
                double dist = cellDistance(atoms[a], trueAtoms[j]);
                if (dist < best) {
                    best = dist;
                    cellOf[a] = j;
                }
            }
            sizes[cellOf[a]]++;
        }
        double[] contrib = new double[terms.size()];
        double[] errors = new double[terms.size()];
        double[] mass = new double[k];
        for (int a = 0; a < l; a++) {
            int j = cellOf[a];
            mass[j] += weights[a];
            for (int t = 0; t < terms.size(); t++) {
                Term term = terms.get(t);
                double norm = blockNorm(term, atoms[a], trueAtoms[j]);
                errors[t] = Math.max(errors[t], norm);
                contrib[t] += weights[a] * Math.pow(norm, term.rule().exponent(sizes[j], j));
            }
        }
        double weightTerm = 0;
        for (int j = 0; j < k; j++) {
            weightTerm += Math.abs(mass[j] - trueWeights[j]);
        }
        double loss = weightTerm;
        Map<String, Double> c = new LinkedHashMap<>();
        Map<String, Double> e = new LinkedHashMap<>();
        for (int t = 0; t < terms.size(); t++) {
            loss += contrib[t];
            c.put(terms.get(t).name(), contrib[t]);
            e.put(terms.get(t).name(), errors[t]);
        }
        return new Result(loss, weightTerm, Collections.unmodifiableMap(c), Collections.unmodifiableMap(e), cellOf, sizes);
    }

    private double cellDistance(double[] a, double[] t) {
        double s = 0;
        for (Term term : terms) {
            double n2 = 0;
            for (int c = term.offset(); c < term.offset() + term.size(); c++) {
                n2 += (a[c] - t[c]) * (a[c] - t[c]);
            }
            s += distance == CellDistance.EUCLIDEAN ? n2 : Math.sqrt(n2);
        }
        return distance == CellDistance.EUCLIDEAN ? Math.sqrt(s) : s;
    }

    private static double blockNorm(Term term, double[] a, double[] t) {
        double n2 = 0;
        for (int c = term.offset(); c < term.offset() + term.size(); c++) {
            n2 += (a[c] - t[c]) * (a[c] - t[c]);
        }
        return Math.sqrt(n2);
    }

    /**
     * The loss over some named blocks of a family member, in the model's block order.
     *
     * @param model the family member
     * @param rules per block name, its exponent rule (blocks not named stay out of the loss)
     * @param distance the cell distance
     * @return the loss
     * @throws IllegalArgumentException naming a block the model does not have
     */
    public static BlockVoronoiLoss forModel(org.prefixmoe.model.moe.MixtureOfExperts model,
                                            Map<String, ExponentRule> rules, CellDistance distance) {
        List<Term> terms = new ArrayList<>();
        java.util.Set<String> names = new java.util.HashSet<>();
        int offset = 0;
        for (org.prefixmoe.model.moe.Block b : model.blocks()) {
            names.add(b.name());
            if (rules.containsKey(b.name())) {
                terms.add(new Term(b.name(), offset, b.size(), rules.get(b.name())));
            }
            offset += b.size();
        }
        for (String r : rules.keySet()) {
            if (!names.contains(r)) {
                throw new IllegalArgumentException("loss.blocks." + r + ": the model has no block " + r + " (blocks: "
                        + model.blocks().stream().map(org.prefixmoe.model.moe.Block::name).toList() + ")");
            }
        }
        return new BlockVoronoiLoss(terms, distance);
    }

    /**
     * The loss of an estimate of a family member against its truth, with the gate's weights
     * ({@code exp β_0}, {@code π}).
     *
     * @param fitted the fitted model (K components)
     * @param estimate its estimate
     * @param truthModel the true model (K* components, same family)
     * @param truth the true components
     * @return the loss and its parts
     */
    public Result evaluate(org.prefixmoe.model.moe.MixtureOfExperts fitted, org.prefixmoe.model.moe.Components estimate,
                           org.prefixmoe.model.moe.MixtureOfExperts truthModel, org.prefixmoe.model.moe.Components truth) {
        return evaluate(weights(fitted, estimate), atoms(fitted, estimate), weights(truthModel, truth),
                atoms(truthModel, truth));
    }

    /**
     * The loss with the fitted and the true weights each divided by their sum: invariant to a common
     * shift of softmax intercepts, which the raw weights {@code exp β_0} are not (with a reference
     * component, a true component split in m moves the other intercepts by {@code log m} and the raw
     * weight term stays near {@code m − 1} at every n).
     *
     * @param fitted the fitted model
     * @param estimate its estimate
     * @param truthModel the true model
     * @param truth the true components
     * @return the loss and its parts
     */
    public Result evaluateNormalized(org.prefixmoe.model.moe.MixtureOfExperts fitted,
                                     org.prefixmoe.model.moe.Components estimate,
                                     org.prefixmoe.model.moe.MixtureOfExperts truthModel,
                                     org.prefixmoe.model.moe.Components truth) {
        return evaluate(normalized(weights(fitted, estimate)), atoms(fitted, estimate),
                normalized(weights(truthModel, truth)), atoms(truthModel, truth));
    }

    private static double[] normalized(double[] w) {
        double s = 0;
        for (double x : w) {
            s += x;
        }
        double[] out = new double[w.length];
        for (int i = 0; i < w.length; i++) {
            out[i] = w[i] / s;
        }
        return out;
    }

    /**
     * The gate's weights of some components ({@code exp β_0}, {@code π}).
     *
     * @param m the model
     * @param c the components
     * @return one weight per component
     */
    public static double[] weights(org.prefixmoe.model.moe.MixtureOfExperts m, org.prefixmoe.model.moe.Components c) {
        double[] w = new double[c.size()];
        for (int k = 0; k < w.length; k++) {
            w[k] = m.weight(c, k);
        }
        return w;
    }

    private static double[][] atoms(org.prefixmoe.model.moe.MixtureOfExperts m, org.prefixmoe.model.moe.Components c) {
        double[][] a = new double[c.size()][];
        for (int k = 0; k < a.length; k++) {
            a[k] = m.atom(c, k);
        }
        return a;
    }

    /**
     * A builder-free shortcut: terms from (name, offset, size, rule) in order.
     *
     * @param distance the cell distance
     * @param terms the blocks
     * @return the loss
     */
    public static BlockVoronoiLoss of(CellDistance distance, Term... terms) {
        return new BlockVoronoiLoss(new ArrayList<>(List.of(terms)), distance);
    }
}
