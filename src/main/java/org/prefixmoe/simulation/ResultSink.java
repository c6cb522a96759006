package org.prefixmoe.simulation;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * Where the rows of a run go, one per task as tasks finish: a list in memory ({@link #memory()}),
 * a callback ({@link #of(Consumer)}) or the resumable results file ({@link ResultsFile}). The
 * {@link Engine} calls {@link #accept} from one thread at a time, in the order tasks finish (not
 * the canonical order); it never closes the sink, which belongs to the caller.
 */
public interface ResultSink extends AutoCloseable {

    /**
     * Takes one task's row.
     *
     * @param row the row
     */
    void accept(ResultRow row);

    /** Releases what the sink holds (a file, its lock); nothing by default. */
    @Override
    default void close() {
    }

    /** {@return a sink that keeps the rows in memory} */
    static Memory memory() {
        return new Memory();
    }

    /**
     * A sink that hands each row to a callback (e.g. to stream rows into another store).
     *
     * @param callback called once per row
     * @return the sink
     */
    static ResultSink of(Consumer<ResultRow> callback) {
        Objects.requireNonNull(callback, "callback");
        return callback::accept;
    }

    /** Rows kept in memory, in the order they arrived; thread-safe. */
    final class Memory implements ResultSink {
        private final List<ResultRow> rows = new ArrayList<>();

        private Memory() {
        }

        @Override
        public synchronized void accept(ResultRow row) {
            rows.add(Objects.requireNonNull(row, "row"));
        }

        /** {@return a copy of the rows so far, in arrival order} */
        public synchronized List<ResultRow> rows() {
            return Collections.unmodifiableList(new ArrayList<>(rows));
        }
    }
}
