/**
 * Files: model files (YAML or JSON, with {@code extends}), data CSV, estimate JSON, atomic writes,
 * and {@link org.prefixmoe.io.Tree}, the typed access to YAML/JSON that every file reader uses
 * (scenario files are read in {@code org.prefixmoe.simulation}, which may depend on this package,
 * not the reverse). Errors name the file, the field and the reason.
 */
package org.prefixmoe.io;
