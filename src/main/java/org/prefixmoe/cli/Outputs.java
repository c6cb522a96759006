package org.prefixmoe.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.prefixmoe.io.AtomicFiles;
import org.prefixmoe.io.InputFiles;

/**
 * The output policy of every command, applied after the inputs are read and before any work
 * starts: an output that is (through symbolic links, {@code ..} or hard links) one of the files
 * the command read is refused; the output folder must exist or be creatable and writable; an
 * existing output file must be a writable regular file; names given on the command line stay
 * inside their folder. Writes themselves are atomic ({@link AtomicFiles}) and destructive
 * options take the results lock before deleting (see {@code ResultsFile.open}).
 */
final class Outputs {
    private Outputs() {
    }

    /**
     * Checks an output file named by {@code option}.
     *
     * @throws IllegalArgumentException when it is one of the inputs, a folder, or read-only
     * @throws UncheckedIOException when its folder cannot be created or written
     */
    static void file(String option, Path out) {
        notAnInput(option, out);
        if (Files.isDirectory(out)) {
            throw new IllegalArgumentException(option + ": " + out + " is a folder; give a file name");
        }
        if (Files.exists(out) && !Files.isWritable(out)) {
            throw new IllegalArgumentException(option + ": " + out + " exists and is read-only");
        }
        Path parent = out.toAbsolutePath().getParent();
        AtomicFiles.requireWritableFolder(parent);
    }

    /**
     * Checks an output folder named by {@code option} and the files the command will write in it.
     *
     * @throws IllegalArgumentException when one of those files is an input
     * @throws UncheckedIOException when the folder cannot be created or written
     */
    static void folder(String option, Path dir, List<String> names) {
        if (Files.exists(dir) && !Files.isDirectory(dir)) {
            throw new UncheckedIOException(new IOException(option + ": output folder " + dir
                    + " is not writable: it is a file"));
        }
        for (String name : names) {
            notAnInput(option, dir.resolve(name));
        }
        AtomicFiles.requireWritableFolder(dir);
    }

    /**
     * A file base name given on the command line: letters, digits, '.', '_' and '-', not starting
     * with '.', so that it cannot leave its folder ({@code ../x}) or hide.
     */
    static String baseName(String option, String name) {
        if (!name.matches("[A-Za-z0-9_-][A-Za-z0-9._-]*")) {
            throw new IllegalArgumentException(option + ": use letters, digits, '.', '_' and '-' only (not first '.'),"
                    + " got '" + name + "'; the file goes into the output folder");
        }
        return name;
    }

    private static void notAnInput(String option, Path out) {
        Path real = InputFiles.realPath(out);
        for (Path in : InputFiles.read()) {
            if (real.equals(in) || sameFile(out, in)) {
                throw new IllegalArgumentException(option + ": " + out + " is an input of this command (" + in
                        + "); writing it would destroy the input, choose another output");
            }
        }
    }

    private static boolean sameFile(Path a, Path b) {
        try {
            return Files.exists(a) && Files.exists(b) && Files.isSameFile(a, b);
        } catch (IOException e) {
            return false;
        }
    }
}
