/**
 * Data from a truth: the regression sampler {@code Y = f_G*(X) + ε}, the density sampler of the
 * mixture-of-experts reading, data sets, and {@link org.prefixmoe.sampling.RandomStreams}, an
 * independent random stream per task from a master seed and coordinates.
 */
package org.prefixmoe.sampling;
