package org.prefixmoe.io;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFileAttributeView;

/**
 * Writes files atomically: into a temporary file beside the target, then a rename, so that a
 * reader never sees a half-written file and an interrupted run leaves the old file intact.
 */
public final class AtomicFiles {
    private AtomicFiles() {
    }

    /** Writes the content of {@code body} to {@code target}. */
    public interface Body {
        /**
         * Writes the content.
         *
         * @param out the temporary file's stream (closed by the caller)
         * @throws IOException when writing fails: the target is then left as it was
         */
        void write(OutputStream out) throws IOException;
    }

    /**
     * Writes {@code target} atomically, creating its folder if needed. The file gets the
     * permissions the umask gives a new file, or keeps those of the file it replaces.
     *
     * @param target the file to write
     * @param body writes the content
     * @throws UncheckedIOException naming the file when writing or renaming fails
     */
    public static void write(Path target, Body body) {
        Path abs = target.toAbsolutePath();
        Path dir = abs.getParent();
        Path tmp = null;
        try {
            Files.createDirectories(dir);
            tmp = temporarySibling(abs);
            // CREATE_NEW without attributes: the umask decides, unlike Files.createTempFile's 0600.
            try (OutputStream out = new java.io.BufferedOutputStream(Files.newOutputStream(tmp,
                    StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE))) {
                body.write(out);
            }
            keepPermissions(abs, tmp);
            try {
                Files.move(tmp, abs, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, abs, StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + target + ": " + e.getMessage(), e);
        } finally {
            if (tmp != null) {
                try {
                    Files.deleteIfExists(tmp);
                } catch (IOException ignored) {
                    // best effort: the temporary file is hidden and harmless
                }
            }
        }
    }

    /**
     * Moves a finished temporary file over {@code target} in one step (a file written by a
     * library that only writes to a path): the result keeps {@code target}'s permissions if it
     * existed.
     *
     * @param tmp the finished file, in {@code target}'s folder
     * @param target the file it replaces
     * @throws UncheckedIOException naming the target
     */
    public static void replace(Path tmp, Path target) {
        try {
            keepPermissions(target, tmp);
            try {
                Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + target + ": " + e.getMessage(), e);
        }
    }

    /**
     * A fresh hidden name beside {@code target}, for its temporary file.
     *
     * @param target the file to be written
     * @return a name in its folder that no file has
     */
    public static Path temporarySibling(Path target) {
        return target.resolveSibling("." + target.getFileName() + "." + Long.toUnsignedString(
                java.util.concurrent.ThreadLocalRandom.current().nextLong(), 36) + ".tmp");
    }

    /** Gives {@code tmp} the POSIX permissions of {@code existing}, if it exists (replacing keeps them). */
    private static void keepPermissions(Path existing, Path tmp) throws IOException {
        if (Files.exists(existing) && Files.getFileStore(tmp).supportsFileAttributeView(PosixFileAttributeView.class)) {
            Files.setPosixFilePermissions(tmp, Files.getPosixFilePermissions(existing));
        }
    }

    /**
     * Writes a string atomically, in UTF-8.
     *
     * @param target the file to write
     * @param text its content
     */
    public static void writeString(Path target, String text) {
        write(target, out -> out.write(text.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
    }

    /**
     * Checks before any work starts that {@code dir} exists or can be created and is writable.
     *
     * @param dir the folder
     * @throws UncheckedIOException naming the folder otherwise
     */
    public static void requireWritableFolder(Path dir) {
        try {
            Files.createDirectories(dir);
            Path probe = Files.createFile(temporarySibling(dir.resolve("write-check")));
            Files.delete(probe);
        } catch (IOException | SecurityException e) {
            String why = e.getMessage();
            for (Path p = dir.toAbsolutePath(); p != null; p = p.getParent()) {
                if (Files.exists(p) && !Files.isDirectory(p)) {
                    why = p + " is a file, not a folder";
                    break;
                }
            }
            if (e instanceof java.nio.file.AccessDeniedException) {
                why = "permission denied";
            }
            throw new UncheckedIOException("output folder " + dir + " is not writable: " + why,
                    e instanceof IOException io ? io : new IOException(e));
        }
    }

    /**
     * Truncates a file after its last newline: the remains of a row cut by a killed run. A file
     * ending in a newline (or empty) is left as it is.
     *
     * @param file the file. Modified.
     * @throws java.io.IOException when it cannot be read or written
     */
    public static void dropCutLastLine(Path file) throws java.io.IOException {
        try (java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(file,
                java.nio.file.StandardOpenOption.READ, java.nio.file.StandardOpenOption.WRITE)) {
            long size = ch.size();
            long pos = size;
            java.nio.ByteBuffer one = java.nio.ByteBuffer.allocate(1);
            while (pos > 0) {
                one.clear();
                ch.read(one, pos - 1);
                if (one.get(0) == '\n') {
                    break;
                }
                pos--;
            }
            if (pos < size) {
                ch.truncate(pos);
            }
        }
    }
}
