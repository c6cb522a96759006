/**
 * Monte Carlo rate studies: scenarios and their files, the parallel, reproducible and resumable
 * engine, the results file, summaries, rate fits and the theory's slopes.
 */
package org.prefixmoe.simulation;
