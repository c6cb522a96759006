/**
 * Losses between a fitted and a true mixing measure: Voronoi cells, the Voronoi losses
 * {@code D_1} and {@code D_{2,r}}, per-cell atom errors and the regression error.
 */
package org.prefixmoe.loss;
