package org.prefixmoe.djl.data;

import java.io.IOException;

/** Thrown when the Fashion-MNIST files are not where they were looked for; the message says how to install them. */
public final class DataMissingException extends IOException {
    private static final long serialVersionUID = 1L;

    /**
     * @param message what is missing and how to get it
     */
    public DataMissingException(String message) {
        super(message);
    }
}
