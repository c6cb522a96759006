package org.prefixmoe.simulation.moe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStreamReader;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPInputStream;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVRecord;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The committed shared + routed rows still come out bit for bit: for each setting, the rows of
 * replicate 1 at the smallest size are recomputed from the scenario file and compared with
 * {@code paper-figures/shared-routed/NAME/results.csv.gz} in every column but {@code seconds}.
 */
class SharedRoutedCommittedRowsTest {

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 3, 4})
    void committedRowsAreRecomputedBitForBit(int theorem) throws IOException {
        String name = "shared-routed-th" + theorem;
        SharedRoutedScenario s = SharedRoutedScenarioFiles.read(Path.of("simulations", "moe", name + ".yaml"));
        Path gz = Path.of("paper-figures", "shared-routed", name, "results.csv.gz");
        List<CSVRecord> rows = new ArrayList<>();
        try (Reader in = new InputStreamReader(new GZIPInputStream(Files.newInputStream(gz)), StandardCharsets.UTF_8)) {
            CSVFormat.DEFAULT.builder().setHeader().setSkipHeaderRecord(true).get().parse(in).forEach(rows::add);
        }
        int smallest = s.sizes().get(0);
        int checked = 0;
        for (int st = 0; st < s.blockStudies().size(); st++) {
            String study = s.blockStudies().get(st).name();
            CSVRecord committed = rows.stream().filter(r -> r.get("study").equals(study)
                    && r.get("n").equals(Integer.toString(smallest)) && r.get("replicate").equals("1")).findFirst()
                    .orElseThrow();
            assertEquals(s.fingerprint(), committed.get("fingerprint"), name + ": the committed rows are of this file");
            List<String> again = s.runTask(new MoeRunner.Task(st, smallest, 1)).values(s.name(), s.fingerprint(),
                    s.lossTerms());
            List<String> header = MoeRow.header(s.lossTerms());
            for (int c = 0; c < header.size(); c++) {
                if (!header.get(c).equals("seconds")) {
                    assertEquals(committed.get(header.get(c)), again.get(c), name + " " + study + " " + header.get(c));
                }
            }
            checked++;
        }
        assertTrue(checked == 2, name);
    }
}
