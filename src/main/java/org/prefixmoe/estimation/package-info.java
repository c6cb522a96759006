/**
 * Estimators of the mixing measure: the {@link org.prefixmoe.estimation.Estimator} interface, the
 * box-projected Levenberg–Marquardt least-squares estimator, fit problems and results (with the
 * reason a fit stopped), initializers and restarts.
 */
package org.prefixmoe.estimation;
