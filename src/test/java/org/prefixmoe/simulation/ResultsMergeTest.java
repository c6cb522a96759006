package org.prefixmoe.simulation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ResultsMergeTest {
    @TempDir
    Path dir;

    private static List<List<String>> sortedRows(List<ResultRow> rows) {
        return rows.stream().map(ResultRow::deterministicValues)
                .sorted((a, b) -> String.join(",", a).compareTo(String.join(",", b))).toList();
    }

    /** Runs the 3 shards of the small scenario into dir/shard-i/ and returns those folders. */
    private List<Path> shards(Scenario s) {
        List<Path> out = new java.util.ArrayList<>();
        for (int i = 1; i <= 3; i++) {
            Path d = dir.resolve("shard-" + i);
            new Engine(1, null).run(s, d.resolve("results.csv"), Shards.tasks(s, new Shards.Shard(i, 3)));
            out.add(d);
        }
        return out;
    }

    @Test
    void mergedShardsHoldTheRowsOfAnUnshardedRun() throws IOException {
        Scenario s = SmallScenarios.small(dir);
        Path full = dir.resolve("full/results.csv");
        new Engine(2, null).run(s, full);
        List<Path> shards = shards(s);
        ResultsMerge.Merged m = ResultsMerge.of(shards);
        assertEquals(s.fingerprint(), m.fingerprint());
        Path out = ResultsMerge.write(m, dir.resolve("merged"));
        List<ResultRow> merged = ResultsFile.read(out);
        assertEquals(sortedRows(ResultsFile.read(full)), sortedRows(merged));
        // The merged folder is an ordinary, complete results folder: a resumed run computes nothing.
        assertEquals(0, new Engine(1, null).run(s, out).ran());
        assertEquals(ResultsFile.read(out).size(), merged.size());
        assertEquals(Summary.of(ResultsFile.read(full)).table(), Summary.of(merged).table());
    }

    @Test
    void theSameShardTwiceOrAConflictingRowIsRefused() throws IOException {
        Scenario s = SmallScenarios.small(dir);
        List<Path> shards = shards(s);
        IllegalArgumentException twice = assertThrows(IllegalArgumentException.class,
                () -> ResultsMerge.of(List.of(shards.get(0), shards.get(1), shards.get(0))));
        assertTrue(twice.getMessage().contains("identical rows") && twice.getMessage().contains("shard-1"),
                twice.getMessage());

        // A copy of shard 2 whose first row was computed differently.
        Path file = shards.get(1).resolve("results.csv");
        List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        ResultRow first = ResultsFile.read(file).get(0);
        String changed = lines.get(1).replace("," + first.get("objective") + ",", ",0.123456789,");
        Path other = dir.resolve("other/results.csv");
        Files.createDirectories(other.getParent());
        Files.writeString(other, lines.get(0) + "\n" + changed + "\n", StandardCharsets.UTF_8);
        IllegalArgumentException conflict = assertThrows(IllegalArgumentException.class,
                () -> ResultsMerge.of(List.of(shards.get(0), shards.get(1), other.getParent())));
        assertTrue(conflict.getMessage().contains("conflicting rows, differing in objective")
                && conflict.getMessage().contains(first.key()), conflict.getMessage());
    }

    @Test
    void shardsOfOtherSettingsAreRefused() throws IOException {
        Scenario s = SmallScenarios.small(dir);
        List<Path> shards = shards(s);
        Path file = shards.get(2).resolve("results.csv");
        String text = Files.readString(file).replace(s.fingerprint(), "0123456789ab");
        Path other = dir.resolve("other-seed/results.csv");
        Files.createDirectories(other.getParent());
        Files.writeString(other, text);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ResultsMerge.of(List.of(shards.get(0), shards.get(1), other.getParent())));
        assertTrue(e.getMessage().contains("0123456789ab") && e.getMessage().contains(s.fingerprint())
                && e.getMessage().contains("other-seed"), e.getMessage());
        assertFalse(Files.exists(dir.resolve("merged")));
    }

    @Test
    void anInputBeingWrittenOrAnExistingForeignOutputIsRefused() throws IOException {
        Scenario s = SmallScenarios.small(dir);
        List<Path> shards = shards(s);
        try (ResultsFile running = ResultsFile.open(shards.get(0).resolve("results.csv"), s.fingerprint())) {
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> ResultsMerge.of(shards));
            assertTrue(e.getMessage().contains("another run"), e.getMessage());
        }
        ResultsMerge.Merged m = ResultsMerge.of(shards.subList(0, 2));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ResultsMerge.write(m, shards.get(2)));
        assertTrue(e.getMessage().contains("not among the inputs"), e.getMessage());
        // Merging into one of the inputs replaces it by the union.
        Path into = ResultsMerge.write(ResultsMerge.of(shards), shards.get(2));
        assertEquals(s.taskCount(), ResultsFile.read(into).size());
    }

    /** Issue 20: the manifests reveal a missing shard, a cut row and a killed shard; read-only inputs merge. */
    @Test
    void manifestsRevealMissingShardsCutRowsAndKilledShards() throws IOException {
        Scenario s = SmallScenarios.small(dir);
        List<Path> shards = shards(s);
        for (int i = 1; i <= 3; i++) {
            Shards.Manifest.of(s, new Shards.Shard(i, 3)).write(shards.get(i - 1));
        }
        ResultsMerge.Merged all = ResultsMerge.of(shards);
        assertTrue(all.complete() && all.checked(), all.gaps().toString());
        assertEquals(s.taskCount(), all.rows().size());

        ResultsMerge.Merged two = ResultsMerge.of(shards.subList(0, 2));
        assertEquals(1, two.gaps().size(), two.gaps().toString());
        assertTrue(two.gaps().get(0).contains("shard(s) 3/3") && two.gaps().get(0).contains("not given"),
                two.gaps().toString());

        Path f = shards.get(1).resolve("results.csv");
        String text = Files.readString(f);
        int lastRow = text.lastIndexOf('\n', text.length() - 2) + 1;
        Files.writeString(f, text.substring(0, lastRow) + text.substring(lastRow, lastRow + 20)); // killed mid-row
        ResultsMerge.Merged cut = ResultsMerge.of(shards);
        assertEquals(2, cut.gaps().size(), cut.gaps().toString());
        assertTrue(cut.gaps().get(0).contains("last line is cut"), cut.gaps().toString());
        assertTrue(cut.gaps().get(1).contains("shard 2/3 has") && cut.gaps().get(1).contains("1 missing"),
                cut.gaps().toString());

        // read-only inputs: merged, nothing created beside them
        for (Path d : shards) {
            d.toFile().setWritable(false);
        }
        try {
            ResultsMerge.Merged ro = ResultsMerge.of(shards);
            assertEquals(2, ro.gaps().size());
            for (Path d : shards) {
                try (var files = Files.list(d)) {
                    assertTrue(files.noneMatch(x -> x.getFileName().toString().endsWith(".lock")), d.toString());
                }
            }
        } finally {
            for (Path d : shards) {
                d.toFile().setWritable(true);
            }
        }
        Path out = ResultsMerge.write(ResultsMerge.of(shards.subList(0, 1)), dir.resolve("merged"));
        assertFalse(Files.exists(out.resolveSibling("results.csv.lock")), "no lock file left in the output");
    }
}
