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

    /**
     * The relative cost of a task.
     *
     * @param s the scenario
     * @param t one of its tasks
     * @return n × restarts
     */
    public static double cost(Scenario s, Task t) {
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
