package org.prefixmoe.simulation.moe;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * One task's result in a family study: a typed row of {@code results.csv}. Block columns
 * ({@code c_<block>}: the block's contribution to the loss; {@code e_<block>}: its largest plain
 * error) follow the scenario's loss.
 *
 * @param study the study's name
 * @param components K
 * @param trueComponents K*
 * @param n the sample size
 * @param replicate the replicate, from 1
 * @param status {@code ok} or {@code failed}
 * @param stopReason why EM stopped (its label), empty when failed
 * @param converged whether that counts as convergence
 * @param iterations EM iterations of the kept try
 * @param logLikelihood its log-likelihood
 * @param loss the generic Voronoi loss, weights as the gate gives them (the published codes' loss)
 * @param lossNormalized the same with fitted and true weights each divided by their sum (invariant to
 *     a common shift of softmax intercepts)
 * @param weightTerm the weight term of {@code loss}
 * @param cells the cell sizes, e.g. {@code 1|2}
 * @param contributions per block, its part of {@code loss}
 * @param errors per block, its largest plain error
 * @param message the failure's message, or empty
 * @param seconds wall time of the task
 * @param estimate the fitted components, {@code gate;expert;nu} per component joined by {@code |}
 */
public record MoeRow(String study, int components, int trueComponents, int n, int replicate, String status,
                     String stopReason, boolean converged, int iterations, double logLikelihood, double loss,
                     double lossNormalized, double weightTerm, String cells, Map<String, Double> contributions,
                     Map<String, Double> errors, String message, double seconds, String estimate) {

    /** The fixed columns before the block columns. */
    static final List<String> HEAD = List.of("scenario", "fingerprint", "study", "K", "K_star", "n", "replicate",
            "status", "stop_reason", "converged", "iterations", "log_likelihood", "loss", "loss_normalized",
            "weight_term", "cells");
    /** The fixed columns after the block columns. */
    static final List<String> TAIL = List.of("message", "seconds", "estimate");

    /**
     * The header of a scenario's results file.
     *
     * @param blocks the loss's block names
     * @return the columns
     */
    public static List<String> header(List<String> blocks) {
        List<String> h = new ArrayList<>(HEAD);
        blocks.forEach(b -> h.add("c_" + b));
        blocks.forEach(b -> h.add("e_" + b));
        h.addAll(TAIL);
        return h;
    }

    /** {@return the task's key, {@code study/n/replicate}} */
    public String key() {
        return study + "/" + n + "/" + replicate;
    }

    /** {@return whether the fit succeeded} */
    public boolean ok() {
        return status.equals("ok");
    }

    /**
     * The row's values in {@link #header} order.
     *
     * @param scenario the scenario's name
     * @param fingerprint its fingerprint
     * @param blocks the loss's block names
     * @return the texts
     */
    public List<String> values(String scenario, String fingerprint, List<String> blocks) {
        List<String> v = new ArrayList<>(List.of(scenario, fingerprint, study, Integer.toString(components),
                Integer.toString(trueComponents), Integer.toString(n), Integer.toString(replicate), status, stopReason,
                Boolean.toString(converged).toUpperCase(Locale.ROOT), Integer.toString(iterations), num(logLikelihood),
                num(loss), num(lossNormalized), num(weightTerm), cells));
        blocks.forEach(b -> v.add(num(contributions.getOrDefault(b, Double.NaN))));
        blocks.forEach(b -> v.add(num(errors.getOrDefault(b, Double.NaN))));
        v.add(message);
        v.add(String.format(Locale.ROOT, "%.4f", seconds));
        v.add(estimate);
        return v;
    }

    /**
     * The values that a rerun of the task must reproduce: every column of {@link #values} but the
     * scenario, fingerprint and seconds, keyed by column name in header order.
     *
     * @param blocks the loss's block names
     * @return column name to text
     */
    public java.util.LinkedHashMap<String, String> deterministicValues(List<String> blocks) {
        List<String> h = header(blocks);
        List<String> v = values("", "", blocks);
        java.util.LinkedHashMap<String, String> out = new java.util.LinkedHashMap<>();
        for (int c = 0; c < h.size(); c++) {
            String col = h.get(c);
            if (!col.equals("scenario") && !col.equals("fingerprint") && !col.equals("seconds")) {
                out.put(col, v.get(c));
            }
        }
        return out;
    }

    private static String num(double x) {
        return Double.isNaN(x) ? "" : Double.toString(x);
    }

    /**
     * Reads a row back.
     *
     * @param get the value of a column
     * @param blocks the loss's block names
     * @return the row
     */
    static MoeRow parse(java.util.function.Function<String, String> get, List<String> blocks) {
        Map<String, Double> c = new java.util.LinkedHashMap<>();
        Map<String, Double> e = new java.util.LinkedHashMap<>();
        for (String b : blocks) {
            c.put(b, dbl(get.apply("c_" + b)));
            e.put(b, dbl(get.apply("e_" + b)));
        }
        return new MoeRow(get.apply("study"), Integer.parseInt(get.apply("K")), Integer.parseInt(get.apply("K_star")),
                Integer.parseInt(get.apply("n")), Integer.parseInt(get.apply("replicate")), get.apply("status"),
                get.apply("stop_reason"), Boolean.parseBoolean(get.apply("converged")),
                Integer.parseInt(get.apply("iterations")), dbl(get.apply("log_likelihood")), dbl(get.apply("loss")),
                dbl(get.apply("loss_normalized")), dbl(get.apply("weight_term")), get.apply("cells"), c, e,
                get.apply("message"), dbl(get.apply("seconds")), get.apply("estimate"));
    }

    private static double dbl(String s) {
        return s == null || s.isEmpty() ? Double.NaN : Double.parseDouble(s);
    }
}
