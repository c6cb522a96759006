package org.prefixmoe.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.prefixmoe.cli.HostileInputTest.Run;

/** Issue 18 items 2 and 3 on the command line: fit --se, --bootstrap, and select. */
class InferenceCliTest {
    static final String EXPERTS = OwnDataCliTest.EXPERTS;
    static final String TRUTH = OwnDataCliTest.TRUTH;

    @TempDir
    static Path shared;
    @TempDir
    Path dir;
    static Path data;

    @BeforeAll
    static void data() {
        data = shared.resolve("d.csv");
        Run r = HostileInputTest.run(shared, "sample", TRUTH, "-n", "3000", "--seed", "5", "-o", data.toString());
        assertEquals(0, r.status(), r.err());
    }

    @Test
    void fitWritesStandardErrorsAndBootstrap() throws IOException {
        Path table = dir.resolve("se.csv");
        Run r = HostileInputTest.run(dir, "fit", data.toString(), "-m", EXPERTS, "-L", "2", "--restarts", "3",
                "--threads", "2", "--se", "--bootstrap", "20", "--se-output", table.toString());
        assertEquals(0, r.status(), r.err());
        assertTrue(r.out().contains("observed standard errors"), r.out());
        assertTrue(r.out().contains("parametric bootstrap: 20 refits"), r.out());
        List<String> lines = Files.readAllLines(table);
        assertEquals("method,parameter,estimate,se,lower,upper", lines.get(0));
        assertEquals(1 + 3 * 6, lines.size(), lines.toString());
        assertTrue(lines.get(1).startsWith("observed,theta_1_1,"));
        assertTrue(lines.get(7).startsWith("sandwich,theta_1_1,"));
        assertTrue(lines.get(13).startsWith("bootstrap,theta_1_1,"));
        assertFalse(r.err().contains("warning"), r.err());
    }

    @Test
    void overSpecifiedSaysWaldIsInvalid() {
        Run r = HostileInputTest.run(dir, "fit", data.toString(), "-m", TRUTH, "-L", "3", "--init", "near-truth",
                "--restarts", "1", "--threads", "1", "--se");
        assertTrue(r.status() == 0 || r.status() == Main.FIT_FAILED, r.err());
        assertTrue(r.err().contains("warning: L = 3 > L* = 2") && r.err().contains("Wald intervals are invalid"),
                r.err());
    }

    @Test
    void seOutputNeedsSeOrBootstrap() {
        Run r = HostileInputTest.run(dir, "fit", data.toString(), "-m", EXPERTS, "-L", "2", "--se-output",
                dir.resolve("x.csv").toString());
        assertEquals(2, r.status());
        assertTrue(r.err().startsWith("error: --se-output:"), r.err());
        assertFalse(Files.exists(dir.resolve("x.csv")));
        Run b = HostileInputTest.run(dir, "fit", data.toString(), "-m", EXPERTS, "-L", "2", "--bootstrap", "1");
        assertEquals(2, b.status());
        assertTrue(b.err().startsWith("error: --bootstrap:"), b.err());
    }

    @Test
    void selectReportsEveryLAndTheChoices() throws IOException {
        Path table = dir.resolve("select.csv");
        Run r = HostileInputTest.run(dir, "select", data.toString(), "-m", EXPERTS, "--L", "1..3", "--restarts", "2",
                "--threads", "1", "-o", table.toString());
        assertEquals(0, r.status(), r.err());
        assertTrue(r.out().contains("chosen L: BIC 2, ICL 2, merge-truncate-merge 2 (of the L = 3 fit"), r.out());
        List<String> lines = Files.readAllLines(table);
        assertEquals(4, lines.size());
        assertTrue(lines.get(0).startsWith("L,log_likelihood,residual_variance,parameters,bic,entropy,icl"));
        for (String bad : new String[] {"0..2", "3..1", "a", "1..2..3"}) {
            Run b = HostileInputTest.run(dir, "select", data.toString(), "-m", EXPERTS, "--L", bad);
            assertEquals(2, b.status(), bad);
            assertTrue(b.err().startsWith("error: --L: expected MIN..MAX"), b.err());
        }
    }
}
