package org.prefixmoe;

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
import org.prefixmoe.simulation.ResultRow;
import org.prefixmoe.simulation.ResultsFile;
import org.prefixmoe.simulation.Summary;

/** Every column of every CSV the toolkit writes has a row in README's "CSV files: every column". */
class CsvColumnsDocumentedTest {
    @TempDir
    Path dir;

    private static String section() throws IOException {
        String readme = Files.readString(Path.of("README.md"), StandardCharsets.UTF_8);
        int start = readme.indexOf("### CSV files: every column");
        assertTrue(start >= 0, "README section 'CSV files: every column'");
        int end = readme.indexOf("\n#", start + 5);
        return readme.substring(start, end < 0 ? readme.length() : end);
    }

    private static List<String> header(Path csv) throws IOException {
        return List.of(Files.readAllLines(csv, StandardCharsets.UTF_8).get(0).split(","));
    }

    @Test
    void everyColumnHasItsRow() throws IOException {
        List<ResultRow> rows = ResultsFile.read(Path.of("paper-figures/exact-specified/results.csv"));
        Summary.of(rows.stream().limit(200).toList()).write(dir, "columns");
        String doc = section();
        List<String> missing = new ArrayList<>();
        Files.writeString(dir.resolve("outcome-curves.csv"), Summary.of(ResultsFile.read(
                Path.of("paper-figures/over-specified/results.csv")).stream().limit(120).toList()).outcomeCurvesCsv());
        for (String file : List.of("summary.csv", "rates.csv", "outcomes.csv", "outcome-curves.csv")) {
            assertTrue(doc.contains("**`" + file + "`**"), file);
            for (String c : header(dir.resolve(file))) {
                if (!doc.contains("`" + c + "`")) {
                    missing.add(file + ": " + c);
                }
            }
        }
        for (String c : ResultRow.COLUMNS) {
            if (!doc.contains("`" + c + "`")) {
                missing.add("results.csv: " + c);
            }
        }
        assertTrue(doc.contains("`x1..xD`") && doc.contains("`y1..yq`"), "data CSV columns");
        assertEquals(List.of(), missing);
    }
}
