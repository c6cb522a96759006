package org.prefixmoe.simulation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CertificationTest {
    @TempDir
    Path dir;

    /** The file as a release before the column wrote it: the same rows without gauss_newton_decrement. */
    private static void dropDecrement(Path from, Path to) throws IOException {
        int drop = ResultRow.COLUMNS.indexOf("gauss_newton_decrement");
        List<String> out = new ArrayList<>();
        for (String line : Files.readAllLines(from, StandardCharsets.UTF_8)) {
            List<String> f = new ArrayList<>(List.of(line.split(",", -1)));
            f.remove(drop);
            out.add(String.join(",", f));
        }
        Files.createDirectories(to.getParent());
        Files.writeString(to, String.join("\n", out) + "\n", StandardCharsets.UTF_8);
    }

    /** Runs the small scenario into full/ and writes its rows without the column into old/, returned. */
    private Path olderResults(Scenario s) throws IOException {
        new Engine(2, null).run(s, dir.resolve("full/results.csv"));
        Path old = dir.resolve("old/results.csv");
        dropDecrement(dir.resolve("full/results.csv"), old);
        return old;
    }

    @Test
    void anOlderFileGetsTheDecrementsARunWouldHaveWrittenBitForBit() throws IOException {
        Scenario s = SmallScenarios.small(dir);
        Path old = olderResults(s);
        Path full = dir.resolve("full/results.csv");
        assertTrue(ResultsFile.read(old).stream().allMatch(r -> Double.isNaN(r.gaussNewtonDecrement())));

        Certification.Report r = Certification.certify(s, old, 2);
        assertEquals(s.taskCount(), r.rows());
        assertEquals(s.taskCount(), r.computed());
        assertEquals(0, r.present());
        // Every column, the new one included, as the run that wrote the column computed it.
        assertEquals(SmallScenarios.byKey(ResultsFile.read(full)), SmallScenarios.byKey(ResultsFile.read(old)));
        long converged = ResultsFile.read(full).stream().filter(ResultRow::converged).count();
        assertEquals(converged, r.converged());
        assertEquals(ResultsFile.read(full).stream().filter(x -> x.converged() && x.gaussNewtonDecrement() > 1e-9)
                .count(), r.notCertified());

        // Again: nothing to compute, the file is left as it is.
        String before = Files.readString(old);
        Certification.Report again = Certification.certify(s, old, 1);
        assertEquals(0, again.computed());
        assertEquals(s.taskCount(), again.present());
        assertEquals(before, Files.readString(old));
        assertTrue(!Files.exists(dir.resolve("old/results.csv.lock")), "the lock file is removed");
    }

    @Test
    void aFileOfOtherSettingsIsRefusedUntouched() throws IOException {
        Scenario s = SmallScenarios.small(dir);
        Path old = olderResults(s);
        String before = Files.readString(old);
        Path f = dir.resolve("small.yaml");
        Files.writeString(f, Files.readString(f).replace("seed: 7", "seed: 8"));
        Scenario other = ScenarioFiles.read(f);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Certification.certify(other, old, 1));
        assertTrue(e.getMessage().contains(old.toString()), e.getMessage());
        assertEquals(before, Files.readString(old));
    }
}
