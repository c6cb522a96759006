package org.prefixmoe.simulation;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The results file's lock file is gone after a run, and a stale one never blocks. */
class ResultsFileLockTest {
    @TempDir
    Path dir;

    @Test
    void lockFileIsRemovedAfterARunAndAfterARefusal() throws IOException {
        Scenario s = SmallScenarios.small(dir);
        Path file = dir.resolve("r/results.csv");
        try (ResultsFile f = ResultsFile.open(file, s.fingerprint())) {
            assertTrue(Files.exists(ResultsFile.lockFile(file)), "held while open");
        }
        assertFalse(Files.exists(ResultsFile.lockFile(file)));
        // a refused open (rows of other settings) leaves no lock file either
        Files.writeString(file, String.join(",", ResultRow.COLUMNS) + "\n"
                + "small,000000000000,shared-linear,shared-linear,3,2,150,0,least-squares,near-truth,ok,"
                + "objective-change,TRUE,3,4,0.1,0.1,0.1,0.1,0.1,0.1,0.1,0.1,0,split,,0.1,,\n");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ResultsFile.open(file, s.fingerprint()));
        assertTrue(e.getMessage().contains("settings"), e.getMessage());
        assertFalse(Files.exists(ResultsFile.lockFile(file)));
    }

    @Test
    void aStaleLockFileOfAKilledRunDoesNotBlock() throws IOException {
        Scenario s = SmallScenarios.small(dir);
        Path file = dir.resolve("stale/results.csv");
        Files.createDirectories(file.getParent());
        Files.writeString(ResultsFile.lockFile(file), ""); // left by a process killed with -9: no OS lock held
        Engine.Report r = new Engine(2, null).run(s, file);
        assertTrue(r.ran() > 0);
        assertFalse(Files.exists(ResultsFile.lockFile(file)));
    }
}
