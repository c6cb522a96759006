/**
 * Monte Carlo studies of the mixture-of-experts family ({@link org.prefixmoe.model.moe}): scenario
 * files that define any member (gate, expert, observation, truth, fitted K, starts, loss, design),
 * a parallel, reproducible, resumable runner, and rate summaries (mean, median and trimmed mean).
 */
package org.prefixmoe.simulation.moe;
