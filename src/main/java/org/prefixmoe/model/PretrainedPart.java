package org.prefixmoe.model;

/**
 * The prompt-independent part of the model evaluated on one design (docs/theory.md §2 "Numerics"):
 * {@code logScore[i] = log Σ_j exp(X_i^T A_j X_i + c_j)} and the pretrained mixture mean
 * {@code mean[i*q .. i*q+q)}. Computed once per data set so that evaluations of {@code f_G}
 * cost {@code O(n L (D + q + dim θ))}, independent of N.
 *
 * @param n number of inputs
 * @param q output dimension
 * @param logScore S0(X_i), length n
 * @param mean m0(X_i), n × q row-major
 */
public record PretrainedPart(int n, int q, double[] logScore, double[] mean) {
}
