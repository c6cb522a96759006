/**
 * Estimators for the mixture-of-experts family of {@link org.prefixmoe.model.moe}: EM that knows
 * neither the gate nor the expert (each part brings its own M-step), and near-truth starts per block.
 */
package org.prefixmoe.estimation.moe;
