package org.prefixmoe.io;

import java.nio.file.Path;

/** A malformed input file: the message names the file, the field and the reason. */
public final class InputFileException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;
    /** Not serialized: {@link Path} is not serializable; the message keeps the name. */
    private final transient Path file;
    /** The offending field, empty when the whole file is at fault. */
    private final String field;

    /**
     * @param file the file
     * @param field the offending field (may be empty)
     * @param reason what is wrong
     */
    public InputFileException(Path file, String field, String reason) {
        super(file + (field == null || field.isEmpty() ? "" : ": field '" + field + "'") + ": " + reason);
        this.file = file;
        this.field = field;
    }

    /** {@return the file} */
    public Path file() {
        return file;
    }

    /** {@return the offending field (may be empty)} */
    public String field() {
        return field;
    }
}
