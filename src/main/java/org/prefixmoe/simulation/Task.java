package org.prefixmoe.simulation;

/**
 * One Monte Carlo task: a replicate of a study at a sample size. Its random streams derive from
 * the master seed and these coordinates only, never from the thread, machine or order it runs in.
 * {@link Tasks#all} lists a scenario's tasks and {@link Tasks#run} computes a task's row.
 * Serializable, so that a distributed engine can ship tasks to its workers.
 *
 * @serial exclude
 *
 * @param study study index in the scenario
 * @param studyName study name (the key of its rows)
 * @param n sample size
 * @param replicate replicate number, from 0
 */
public record Task(int study, String studyName, int n, int replicate) implements java.io.Serializable {

    /** {@return the key identifying this task's row in a results file} */
    public String key() {
        return key(studyName, n, replicate);
    }

    /**
     * The key of a row.
     *
     * @param study study name
     * @param n sample size
     * @param replicate replicate number
     * @return the key {@code study|n|replicate}
     */
    public static String key(String study, int n, int replicate) {
        return study + "|" + n + "|" + replicate;
    }

    /**
     * A stable 64-bit code of a name (FNV-1a), used as a stream coordinate so that indices can change freely.
     *
     * @param name a study name
     * @return its code
     */
    public static long code(String name) {
        long h = 0xcbf29ce484222325L;
        for (int i = 0; i < name.length(); i++) {
            h ^= name.charAt(i);
            h *= 0x100000001b3L;
        }
        return h;
    }
}
