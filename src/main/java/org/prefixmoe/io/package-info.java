/**
 * Files: model files (YAML or JSON, with {@code extends}), scenario files, data CSV, estimate
 * JSON, and atomic writes. Errors name the file, the field and the reason.
 */
package org.prefixmoe.io;
