package org.prefixmoe.simulation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Booleans are written TRUE/FALSE (R and pandas read them as logical); old true/false files still resume. */
class CsvBooleansTest {
    @TempDir
    Path dir;

    private static List<List<String>> sortedRows(Path file) {
        return ResultsFile.read(file).stream().map(ResultRow::deterministicValues)
                .sorted((a, b) -> String.join(",", a).compareTo(String.join(",", b))).toList();
    }

    private static int convergedIndex() {
        return ResultRow.COLUMNS.indexOf("converged");
    }

    @Test
    void convergedIsWrittenAsTrueOrFalseInCapitals() throws IOException {
        Scenario s = SmallScenarios.small(dir);
        Path file = dir.resolve("new/results.csv");
        new Engine(1, null).run(s, file);
        List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        for (String line : lines.subList(1, lines.size())) {
            String v = line.split(",", -1)[convergedIndex()];
            assertTrue(v.equals("TRUE") || v.equals("FALSE"), line);
        }
    }

    @Test
    void anOldFileWithLowerCaseBooleansResumesAndComparesEqual() throws IOException {
        Scenario s = SmallScenarios.small(dir);
        Path full = dir.resolve("full/results.csv");
        new Engine(2, null).run(s, full);
        List<String> lines = Files.readAllLines(full, StandardCharsets.UTF_8);

        // the same first 5 rows as an older version wrote them: true/false
        List<String> old = new ArrayList<>(List.of(lines.get(0)));
        for (String line : lines.subList(1, 6)) {
            String[] v = line.split(",", -1);
            v[convergedIndex()] = v[convergedIndex()].toLowerCase(java.util.Locale.ROOT);
            old.add(String.join(",", v));
        }
        Path resumed = dir.resolve("old/results.csv");
        Files.createDirectories(resumed.getParent());
        Files.writeString(resumed, String.join("\n", old) + "\n", StandardCharsets.UTF_8);
        assertTrue(Files.readString(resumed).contains(",true,") || Files.readString(resumed).contains(",false,"));

        Engine.Report r = new Engine(2, null).run(s, resumed);
        assertEquals(5, r.skipped());
        assertEquals(sortedRows(full), sortedRows(resumed));
        assertTrue(ResultsFile.read(resumed).stream().allMatch(row -> row.get("converged").matches("TRUE|FALSE")));
    }

    @Test
    void rowsNormalizeEitherSpelling() {
        String[] v = new String[ResultRow.COLUMNS.size()];
        java.util.Arrays.fill(v, "");
        v[convergedIndex()] = "true";
        assertEquals("TRUE", new ResultRow(v).get("converged"));
        v[convergedIndex()] = "False";
        assertEquals("FALSE", new ResultRow(v).get("converged"));
        v[convergedIndex()] = "";
        assertEquals("", new ResultRow(v).get("converged"));
    }

}
