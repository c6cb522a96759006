/**
 * The {@code prefixmoe} command line (picocli), a thin layer over the library. Needs the optional
 * picocli dependency; the {@code -cli.jar} bundles everything.
 */
package org.prefixmoe.cli;
