package org.prefixmoe.io;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The files the readers of this toolkit have read on the current thread (model files and the
 * base files they extend, scenarios, data, estimates, results files), so that a command can
 * refuse an output that would overwrite any of its inputs however the input was reached. Every
 * reader calls {@link #record}; a command calls {@link #track} before reading.
 */
public final class InputFiles {
    private static final ThreadLocal<Set<Path>> READ = ThreadLocal.withInitial(LinkedHashSet::new);

    private InputFiles() {
    }

    /** Forgets the files recorded so far on this thread: a command starts. */
    public static void track() {
        READ.get().clear();
    }

    /**
     * Records that {@code file} was read, by its real path (symbolic links resolved).
     *
     * @param file the file read
     */
    public static void record(Path file) {
        READ.get().add(realPath(file));
    }

    /**
     * The files read on this thread since {@link #track}.
     *
     * @return their real paths
     */
    public static List<Path> read() {
        return new ArrayList<>(READ.get());
    }

    /**
     * The real path {@code p} has or would have: symbolic links of the longest existing prefix
     * resolved ({@link Path#toRealPath}), the rest appended and normalized.
     *
     * @param p a path, existing or not
     * @return its real path
     */
    public static Path realPath(Path p) {
        Path abs = p.toAbsolutePath();
        Path existing = abs;
        List<Path> rest = new ArrayList<>();
        while (existing != null && !Files.exists(existing)) {
            rest.add(0, existing.getFileName());
            existing = existing.getParent();
        }
        Path out;
        try {
            out = existing == null ? abs.getRoot() : existing.toRealPath();
        } catch (IOException e) {
            out = existing;
        }
        for (Path r : rest) {
            out = out.resolve(r);
        }
        return out.normalize();
    }
}
