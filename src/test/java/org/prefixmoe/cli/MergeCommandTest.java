package org.prefixmoe.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.prefixmoe.simulation.ResultRow;
import org.prefixmoe.simulation.ResultsFile;

class MergeCommandTest {
    @TempDir
    Path dir;

    private Path scenario() throws IOException {
        return TinyCli.scenario(dir);
    }

    private static int run(StringWriter err, String... args) {
        return TinyCli.run(err, args);
    }

    private static List<List<String>> rows(Path file) {
        return ResultsFile.read(file).stream().map(ResultRow::deterministicValues)
                .sorted((a, b) -> String.join(",", a).compareTo(String.join(",", b))).toList();
    }

    @Test
    void shardsThenMergeThenSummarizeAndDraw() throws IOException {
        StringWriter err = new StringWriter();
        Path out = dir.resolve("out");
        String sc = scenario().toString();
        assertEquals(0, run(err, "simulate", sc, "-q", "--no-plot", "-o", dir.resolve("whole").toString()),
                err.toString());
        for (String shard : new String[] {"1/2", "2/2"}) {
            assertEquals(0, run(err, "simulate", sc, "-q", "--shard", shard, "-o", out.toString()), err.toString());
        }
        Path s1 = out.resolve("tiny-shard-1-of-2");
        Path s2 = out.resolve("tiny-shard-2-of-2");
        assertTrue(Files.exists(s1.resolve("runs.log")));
        assertFalse(Files.exists(s1.resolve("summary.md")), "a shard is not summarized");
        int n1 = ResultsFile.read(s1.resolve("results.csv")).size();
        int n2 = ResultsFile.read(s2.resolve("results.csv")).size();
        assertEquals(6, n1 + n2);
        assertTrue(n1 > 0 && n2 > 0);

        Path merged = out.resolve("tiny");
        assertEquals(0, run(err, "merge", s1.toString(), s2.toString(), "-o", merged.toString()), err.toString());
        assertEquals(rows(dir.resolve("whole/tiny/results.csv")), rows(merged.resolve("results.csv")));
        assertTrue(Files.readString(merged.resolve("runs.log")).contains("merged 6 rows from 2 inputs"));
        // simulate on the merged folder computes nothing and draws the figures.
        assertEquals(0, run(err, "simulate", sc, "-q", "-o", out.toString()), err.toString());
        assertTrue(Files.exists(merged.resolve("tiny-d1.png")));
        assertEquals(6, ResultsFile.read(merged.resolve("results.csv")).size());
        assertEquals(0, run(err, "summarize", merged.resolve("results.csv").toString()));

        StringWriter bad = new StringWriter();
        assertEquals(Main.BAD_INPUT, run(bad, "merge", s1.toString(), s1.toString(), "-o",
                dir.resolve("dup").toString()));
        assertTrue(bad.toString().contains("identical rows"), bad.toString());
        assertFalse(Files.exists(dir.resolve("dup/results.csv")));
        assertEquals(Main.BAD_INPUT, run(bad, "simulate", sc, "--shard", "3/2", "-o", out.toString()));
        assertTrue(bad.toString().contains("--shard"), bad.toString());
    }
}
