/**
 * Maximum likelihood by EM for the Gaussian mixture-of-experts reading of the model.
 */
package org.prefixmoe.estimation.em;
