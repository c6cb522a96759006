package org.prefixmoe.model;

import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.IntConsumer;

/**
 * The daemon threads that share one pass of {@link Evaluator#normalEquations} over the data.
 * The calling thread runs part 0 itself; parts 1..k−1 go to a shared cached pool, so a fit
 * that asks for k threads holds k − 1 pool threads only while a pass runs.
 */
final class ChunkPool {
    private static final ExecutorService POOL = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "prefixmoe-pass");
        t.setDaemon(true);
        return t;
    });

    private ChunkPool() {
    }

    /** Runs {@code part.accept(t)} for t = 0..parts−1 and waits for all of them. */
    static void run(int parts, IntConsumer part) {
        @SuppressWarnings("unchecked")
        Future<?>[] futures = new Future<?>[parts];
        for (int t = 1; t < parts; t++) {
            final int k = t;
            futures[t] = POOL.submit(() -> part.accept(k));
        }
        RuntimeException failure = null;
        try {
            part.accept(0);
        } catch (RuntimeException e) {
            failure = e;
        }
        for (int t = 1; t < parts; t++) {
            try {
                futures[t].get();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while a pass over the data ran", e);
            } catch (ExecutionException e) {
                if (failure == null) {
                    failure = e.getCause() instanceof RuntimeException re ? re
                            : new IllegalStateException(e.getCause());
                }
            }
        }
        if (failure != null) {
            throw failure;
        }
    }
}
