/**
 * Single-threaded timings of the least-squares path, run by the {@code bench} command.
 */
package org.prefixmoe.bench;
