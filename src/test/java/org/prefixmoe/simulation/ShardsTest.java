package org.prefixmoe.simulation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ShardsTest {
    @TempDir
    Path dir;

    /** A paper-sized grid: 3 studies, 10 log-spaced sizes from 10^3 to 10^5, 40 replicates. */
    private static List<Task> paperGrid() {
        List<Task> out = new ArrayList<>();
        for (int s = 0; s < 3; s++) {
            for (int i = 0; i < 10; i++) {
                int n = (int) Math.round(Math.exp(Math.log(1000) + i / 9.0 * Math.log(100)));
                for (int k = 0; k < 40; k++) {
                    out.add(new Task(s, "study" + s, n, k));
                }
            }
        }
        return out;
    }

    @Test
    void everyTaskIsInExactlyOneShardAndTheShardsAreBalanced() {
        List<Task> all = paperGrid();
        double total = all.stream().mapToDouble(Task::n).sum();
        for (int k : new int[] {1, 2, 3, 7, 16, 100}) {
            List<List<Task>> shards = Shards.split(all, k, Task::n);
            assertEquals(k, shards.size());
            Set<Task> seen = new HashSet<>();
            for (List<Task> sh : shards) {
                for (Task t : sh) {
                    assertTrue(seen.add(t), "task " + t + " in two shards (k = " + k + ")");
                }
            }
            assertEquals(new HashSet<>(all), seen, "every task in some shard, k = " + k);
            double max = shards.stream().mapToDouble(sh -> sh.stream().mapToDouble(Task::n).sum()).max().orElseThrow();
            double min = shards.stream().mapToDouble(sh -> sh.stream().mapToDouble(Task::n).sum()).min().orElseThrow();
            // LPT's bound: at most 4/3 of the optimum, which is at least the mean and the largest task.
            double lower = Math.max(total / k, 100_000);
            assertTrue(max <= 4.0 / 3 * lower, "k = " + k + ": largest shard " + max + " vs bound " + lower);
            if (k <= 16) { // many tasks per shard: nearly equal loads (a count split would be far off)
                assertTrue(max / min < 1.02, "k = " + k + ": shard costs " + min + " to " + max);
            }
        }
    }

    @Test
    void theSplitIsDeterministicAndKeepsTheCanonicalOrder() {
        List<Task> all = paperGrid();
        assertEquals(Shards.split(all, 5, Task::n), Shards.split(new ArrayList<>(all), 5, Task::n));
        for (List<Task> sh : Shards.split(all, 5, Task::n)) {
            List<Integer> positions = sh.stream().map(all::indexOf).toList();
            assertEquals(positions.stream().sorted().toList(), positions);
        }
    }

    @Test
    void shardsOfAScenarioCoverItsTasks() throws IOException {
        Scenario s = SmallScenarios.small(dir);
        Set<Task> seen = new HashSet<>();
        int count = 0;
        for (int i = 1; i <= 4; i++) {
            List<Task> sh = Shards.tasks(s, new Shards.Shard(i, 4));
            count += sh.size();
            seen.addAll(sh);
        }
        assertEquals(s.taskCount(), count);
        assertEquals(new HashSet<>(Tasks.all(s)), seen);
    }

    @Test
    void shardSpecificationsAreParsedAndChecked() {
        assertEquals(new Shards.Shard(3, 8), Shards.Shard.parse("3/8"));
        assertEquals("-shard-3-of-8", Shards.Shard.parse(" 3 / 8 ").suffix());
        for (String bad : new String[] {"0/4", "5/4", "1/0", "3", "a/b", "1/2/3"}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Shards.Shard.parse(bad));
            assertTrue(e.getMessage().startsWith("--shard"), e.getMessage());
        }
    }
}
