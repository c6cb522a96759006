package org.prefixmoe.simulation;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.PriorityQueue;
import java.util.function.ToDoubleFunction;

/**
 * Splits a scenario's tasks into k shards of about equal cost, for array jobs on a cluster
 * ({@code simulate --shard i/k}, then {@code merge}). The split depends on the scenario's grid
 * only, never on threads, timing or what is already done, so every job of an array computes the
 * same partition and a rerun of shard i resumes the same tasks.
 *
 * <p>Cost of a task: {@code n × restarts} (a fit's passes over the data scale with n; each
 * restart is a fit). Tasks are sorted by decreasing cost (ties in the canonical order of
 * {@link Tasks#all}) and each goes to the least-loaded shard (ties to the lowest index): the
 * longest-processing-time rule, whose largest shard is at most 4/3 of the optimum.
 */
public final class Shards {
    private Shards() {
    }

    /**
     * One shard of an array job.
     *
     * @param index the shard, from 1 to count
     * @param count number of shards
     */
    public record Shard(int index, int count) {
        /**
         * Checks 1 ≤ index ≤ count.
         *
         * @param index the shard, from 1 to count
         * @param count number of shards
         */
        public Shard {
            if (count < 1 || index < 1 || index > count) {
                throw new IllegalArgumentException("--shard: expected i/k with 1 <= i <= k, got " + index + "/"
                        + count);
            }
        }

        /**
         * Parses {@code i/k}, e.g. {@code 3/8}.
         *
         * @param text the specification
         * @return the shard
         * @throws IllegalArgumentException naming {@code --shard} if malformed or out of range
         */
        public static Shard parse(String text) {
        java.util.Objects.requireNonNull(text, "text");
            String[] p = text.trim().split("/");
            if (p.length != 2) {
                throw new IllegalArgumentException("--shard: expected i/k (e.g. 3/8), got '" + text + "'");
            }
            try {
                return new Shard(Integer.parseInt(p[0].trim()), Integer.parseInt(p[1].trim()));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("--shard: expected whole numbers i/k (e.g. 3/8), got '" + text
                        + "'");
            }
        }

        /**
         * The suffix of the shard's results folder.
         *
         * @return {@code -shard-i-of-k}
         */
        public String suffix() {
            return "-shard-" + index + "-of-" + count;
        }

        @Override
        public String toString() {
            return index + "/" + count;
        }
    }

    /** The file name of a shard's manifest in its results folder. */
    public static final String MANIFEST = "shard.txt";
    private static final String MAGIC = "prefixmoe shard manifest 1";

    /**
     * What a shard folder was asked to compute, written by {@code simulate --shard} before its
     * first task so that {@code merge} can tell a complete set of shards from a partial one.
     *
     * @param scenario the scenario's name
     * @param fingerprint the scenario's fingerprint
     * @param shard the shard
     * @param scenarioTasks number of tasks of the whole scenario
     * @param tasks the keys of the shard's tasks ({@link Task#key()}), in canonical order
     */
    public record Manifest(String scenario, String fingerprint, Shard shard, int scenarioTasks, List<String> tasks) {
        /**
         * Checks the fields.
         *
         * @param scenario the scenario's name
         * @param fingerprint the scenario's fingerprint
         * @param shard the shard
         * @param scenarioTasks number of tasks of the whole scenario
         * @param tasks the keys of the shard's tasks
         */
        public Manifest {
            java.util.Objects.requireNonNull(scenario, "scenario");
            java.util.Objects.requireNonNull(fingerprint, "fingerprint");
            java.util.Objects.requireNonNull(shard, "shard");
            tasks = List.copyOf(java.util.Objects.requireNonNull(tasks, "tasks"));
        }

        /**
         * The manifest of one shard of a scenario.
         *
         * @param s the scenario
         * @param shard the shard
         * @return its manifest
         */
        public static Manifest of(Scenario s, Shard shard) {
            java.util.Objects.requireNonNull(s, "scenario");
            java.util.Objects.requireNonNull(shard, "shard");
            return new Manifest(s.name(), s.fingerprint(), shard, Math.toIntExact(s.taskCount()),
                    Shards.tasks(s, shard).stream().map(Task::key).toList());
        }

        /**
         * Writes the manifest as {@code dir/shard.txt}, atomically.
         *
         * @param dir the shard's results folder
         */
        public void write(java.nio.file.Path dir) {
            StringBuilder sb = new StringBuilder(MAGIC).append('\n');
            sb.append("scenario ").append(scenario).append('\n');
            sb.append("fingerprint ").append(fingerprint).append('\n');
            sb.append("shard ").append(shard).append('\n');
            sb.append("scenario_tasks ").append(scenarioTasks).append('\n');
            sb.append("tasks ").append(tasks.size()).append('\n');
            tasks.forEach(t -> sb.append(t).append('\n'));
            org.prefixmoe.io.AtomicFiles.writeString(dir.resolve(MANIFEST), sb.toString());
        }

        /**
         * Reads the manifest of a shard folder, if it has one.
         *
         * @param dir a results folder
         * @return its manifest, or empty when it has no {@code shard.txt}
         * @throws IllegalArgumentException naming the file when it is malformed
         */
        public static java.util.Optional<Manifest> read(java.nio.file.Path dir) {
            java.nio.file.Path f = dir.resolve(MANIFEST);
            if (!java.nio.file.Files.isRegularFile(f)) {
                return java.util.Optional.empty();
            }
            List<String> lines;
            try {
                lines = java.nio.file.Files.readAllLines(f, java.nio.charset.StandardCharsets.UTF_8);
            } catch (java.io.IOException | java.io.UncheckedIOException e) {
                throw new IllegalArgumentException(f + ": not a readable shard manifest: " + e.getMessage());
            }
            try {
                if (lines.size() < 6 || !lines.get(0).equals(MAGIC)) {
                    throw new IllegalArgumentException("first line is not '" + MAGIC + "'");
                }
                String scenario = value(lines.get(1), "scenario");
                String fingerprint = value(lines.get(2), "fingerprint");
                Shard shard = Shard.parse(value(lines.get(3), "shard"));
                int total = Integer.parseInt(value(lines.get(4), "scenario_tasks"));
                int count = Integer.parseInt(value(lines.get(5), "tasks"));
                if (lines.size() != 6 + count) {
                    throw new IllegalArgumentException("says " + count + " tasks but lists " + (lines.size() - 6));
                }
                return java.util.Optional.of(new Manifest(scenario, fingerprint, shard, total,
                        lines.subList(6, lines.size())));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(f + ": not a shard manifest of this version: " + e.getMessage());
            }
        }

        private static String value(String line, String key) {
            if (!line.startsWith(key + " ")) {
                throw new IllegalArgumentException("expected '" + key + " ...', found '"
                        + (line.length() > 60 ? line.substring(0, 60) + "...' (" + line.length() + " characters)"
                        : line + "'"));
            }
            return line.substring(key.length() + 1);
        }
    }

    /**
     * The relative cost of a task.
     *
     * @param s the scenario
     * @param t one of its tasks
     * @return n × restarts
     */
    public static double cost(Scenario s, Task t) {
        java.util.Objects.requireNonNull(s, "scenario");
        java.util.Objects.requireNonNull(t, "task");
        return (double) t.n() * s.init().restarts();
    }

    /**
     * The tasks of one shard of a scenario.
     *
     * @param s the scenario
     * @param shard the shard
     * @return its tasks, in the canonical order of {@link Tasks#all}
     */
    public static List<Task> tasks(Scenario s, Shard shard) {
        java.util.Objects.requireNonNull(s, "scenario");
        java.util.Objects.requireNonNull(shard, "shard");
        return split(Tasks.all(s), shard.count(), t -> cost(s, t)).get(shard.index() - 1);
    }

    /**
     * Splits {@code tasks} into {@code k} groups of about equal total cost by the
     * longest-processing-time rule; each group keeps the input order. Deterministic.
     *
     * @param tasks the tasks
     * @param k number of groups, at least 1
     * @param cost the cost of a task
     * @return k groups (some empty when there are fewer tasks than groups)
     */
    public static List<List<Task>> split(List<Task> tasks, int k, ToDoubleFunction<Task> cost) {
        java.util.Objects.requireNonNull(tasks, "tasks");
        java.util.Objects.requireNonNull(cost, "cost");
        if (k < 1) {
            throw new IllegalArgumentException("number of shards must be at least 1, got " + k);
        }
        Integer[] order = new Integer[tasks.size()];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        double[] c = tasks.stream().mapToDouble(cost).toArray();
        java.util.Arrays.sort(order, Comparator.<Integer>comparingDouble(i -> -c[i]).thenComparingInt(i -> i));
        // (load, shard) pairs; the least loaded, then the lowest index, comes first
        PriorityQueue<double[]> loads = new PriorityQueue<>((a, b) -> a[0] != b[0] ? Double.compare(a[0], b[0])
                : Double.compare(a[1], b[1]));
        for (int j = 0; j < k; j++) {
            loads.add(new double[] {0, j});
        }
        int[] shardOf = new int[tasks.size()];
        for (int i : order) {
            double[] least = loads.poll();
            shardOf[i] = (int) least[1];
            least[0] += c[i];
            loads.add(least);
        }
        List<List<Task>> out = new ArrayList<>();
        for (int j = 0; j < k; j++) {
            out.add(new ArrayList<>());
        }
        for (int i = 0; i < shardOf.length; i++) {
            out.get(shardOf[i]).add(tasks.get(i));
        }
        return out;
    }
}
