package org.prefixmoe.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.prefixmoe.simulation.ResultRow;
import org.prefixmoe.simulation.ResultsFile;

class SimulateCommandTest {
    @TempDir
    Path dir;

    private Path scenario() throws IOException {
        return TinyCli.scenario(dir);
    }

    private static int run(StringWriter err, String... args) {
        return TinyCli.run(err, args);
    }

    @Test
    void unwritableOutputFolderFailsBeforeAnyWork() throws IOException {
        Path blocker = dir.resolve("blocker");
        Files.writeString(blocker, "a file, not a folder");
        StringWriter err = new StringWriter();
        int code = run(err, "simulate", scenario().toString(), "-q", "-o", blocker.resolve("out").toString());
        assertEquals(Main.BAD_INPUT, code);
        assertTrue(err.toString().contains("not writable"), err.toString());
        assertFalse(Files.exists(blocker.resolve("out")));
    }

    @Test
    void simulateSummarizePlotEndToEnd() throws IOException {
        StringWriter err = new StringWriter();
        Path out = dir.resolve("out");
        assertEquals(0, run(err, "simulate", scenario().toString(), "-q", "--threads", "2", "-o", out.toString()),
                err.toString());
        Path results = out.resolve("tiny/results.csv");
        assertEquals(1 + 6, Files.readAllLines(results).size());
        for (String f : new String[] {"summary.md", "summary.csv", "rates.csv", "outcomes.csv", "README.md",
            "tiny-d1.png", "tiny-d1.svg"}) {
            assertTrue(Files.exists(out.resolve("tiny").resolve(f)), f);
        }
        assertEquals(0, run(err, "summarize", results.toString(), "-o", dir.resolve("sum").toString()));
        assertTrue(Files.exists(dir.resolve("sum/rates.csv")));
        assertEquals(0, run(err, "plot", results.toString(), "--loss", "d1,regression", "-o",
                dir.resolve("p").toString(), "--name", "both"));
        assertTrue(Files.exists(dir.resolve("p/both.svg")));
        assertEquals(Main.BAD_INPUT, run(err, "plot", results.toString(), "--loss", "d9"));
        assertFalse(Files.exists(out.resolve("tiny/tiny-outcomes.png")), "exact-specified: no outcome figure");
        // Summary settings: from the scenario, or options; bad values name the option.
        assertEquals(0, run(err, "summarize", results.toString(), "--scenario", scenario().toString(),
                "--d1-threshold", "0.5", "-o", dir.resolve("sum2").toString()), err.toString());
        assertTrue(Files.readString(dir.resolve("sum2/outcomes.csv")).contains(",0.5,"));
        // --r says what it changes (only d2's theory slope), in summary.md; the rows' d2 keep their r.
        assertEquals(0, run(err, "summarize", results.toString(), "--scenario", scenario().toString(), "--r", "1",
                "-o", dir.resolve("sum4").toString()), err.toString());
        String md = Files.readString(dir.resolve("sum4/summary.md"));
        assertTrue(md.contains("**Note:** --r 1 changes only the theory slope of d2")
                && md.contains("over-specified -1/4 instead of -1/2"), md.substring(0, Math.min(800, md.length())));
        // report: one self-contained page from the folder's rows and figures.
        assertEquals(0, run(err, "report", out.resolve("tiny").toString(), "--scenario", scenario().toString()),
                err.toString());
        String page = Files.readString(out.resolve("tiny/report.html"));
        assertTrue(page.contains("data:image/png;base64,") && page.contains("id=\"verdicts\""));
        assertTrue(Files.exists(out.resolve("tiny/report.html")));
        StringWriter bad = new StringWriter();
        assertEquals(Main.BAD_INPUT, run(bad, "summarize", results.toString(), "--baseline", "nope", "-o",
                dir.resolve("sum3").toString()));
        assertTrue(bad.toString().contains("no study named 'nope'"), bad.toString());
        assertEquals(Main.BAD_INPUT, run(bad, "summarize", results.toString(), "--d1-threshold", "-1", "-o",
                dir.resolve("sum3").toString()));
        assertTrue(bad.toString().contains("--d1-threshold"), bad.toString());
        assertEquals(Main.BAD_INPUT, run(bad, "plot", results.toString(), "--r", "0", "-o", dir.resolve("p").toString()));
        assertTrue(bad.toString().contains("--r"), bad.toString());
        // --no-plot writes only the results; --plot (the default) also the summary.
        Path bare = dir.resolve("bare");
        assertEquals(0, run(err, "simulate", scenario().toString(), "-q", "--no-plot", "-o", bare.toString()));
        assertTrue(Files.exists(bare.resolve("tiny/results.csv")));
        assertFalse(Files.exists(bare.resolve("tiny/summary.md")));
        assertEquals(0, run(err, "simulate", scenario().toString(), "-q", "--plot", "-o", bare.toString()));
        assertTrue(Files.exists(bare.resolve("tiny/summary.md")));
    }

    /** Least-squares rows agree bit for bit between the scalar and vector kernels, not across -wide or -projected. */
    @Test
    void leastSquaresBitsDependOnWidthAndGatingOnly() {
        assertTrue(SimulateCommand.sameLeastSquaresBits("scalar", "vector"));
        assertTrue(SimulateCommand.sameLeastSquaresBits("vector-projected", "scalar-projected"));
        assertFalse(SimulateCommand.sameLeastSquaresBits("vector", "vector-projected"));
        assertFalse(SimulateCommand.sameLeastSquaresBits("vector", "vector-wide"));
        assertFalse(SimulateCommand.sameLeastSquaresBits("vector-wide", "vector-wide-projected"));
        assertTrue(SimulateCommand.kernel().equals("scalar") || SimulateCommand.kernel().equals("vector"),
                "this JVM runs the default arithmetic: " + SimulateCommand.kernel());
    }

    @Test
    void runsLogRecordsTheKernelAndAResumeWithOtherArithmeticWarns() throws IOException {
        StringWriter err = new StringWriter();
        Path out = dir.resolve("k");
        assertEquals(0, run(err, "simulate", scenario().toString(), "-q", "--no-plot", "-o", out.toString()));
        Path log = out.resolve("tiny/runs.log");
        String mine = org.prefixmoe.model.Evaluator.defaultKernel().name().toLowerCase(java.util.Locale.ROOT);
        String other = mine.equals("vector") ? "scalar" : "vector";
        assertTrue(Files.readString(log).strip().endsWith("kernel " + mine), Files.readString(log));
        java.io.PrintStream old = System.err;
        java.io.ByteArrayOutputStream captured = new java.io.ByteArrayOutputStream();
        try {
            System.setErr(new java.io.PrintStream(captured, true, java.nio.charset.StandardCharsets.UTF_8));
            assertEquals(0, run(err, "simulate", scenario().toString(), "-q", "--no-plot", "-o", out.toString()));
            // The scalar and vector kernels give the same bits: switching between them is fine.
            Files.writeString(log, Files.readString(log).replace("kernel " + mine, "kernel " + other));
            assertEquals(0, run(err, "simulate", scenario().toString(), "-q", "--no-plot", "-o", out.toString()));
            assertFalse(captured.toString(java.nio.charset.StandardCharsets.UTF_8).contains("kernel"),
                    "same bits: no warning");
            Files.writeString(log, Files.readString(log).replace("kernel " + other, "kernel vector-wide"));
            assertEquals(0, run(err, "simulate", scenario().toString(), "-q", "--no-plot", "-o", out.toString()));
        } finally {
            System.setErr(old);
        }
        String text = captured.toString(java.nio.charset.StandardCharsets.UTF_8);
        assertTrue(text.contains("computed with the vector-wide kernel"), text);
        // EM's two kernels agree only to rounding: there, switching between them warns.
        Path em = dir.resolve("em.yaml");
        Files.writeString(em, Files.readString(scenario()).replace("name: tiny", "name: tiny-em")
                + "estimator: em\nsampler: density\n");
        Path emOut = dir.resolve("kem");
        assertEquals(0, run(err, "simulate", em.toString(), "-q", "--no-plot", "-o", emOut.toString()), err.toString());
        // The Gauss–Newton decrement is a least-squares diagnostic: EM's rows leave it empty.
        assertTrue(org.prefixmoe.simulation.ResultsFile.read(emOut.resolve("tiny-em/results.csv")).stream()
                .allMatch(r -> r.ok() && Double.isNaN(r.gaussNewtonDecrement())));
        Path emLog = emOut.resolve("tiny-em/runs.log");
        Files.writeString(emLog, Files.readString(emLog).replace("kernel " + mine, "kernel " + other));
        captured.reset();
        try {
            System.setErr(new java.io.PrintStream(captured, true, java.nio.charset.StandardCharsets.UTF_8));
            assertEquals(0, run(err, "simulate", em.toString(), "-q", "--no-plot", "-o", emOut.toString()));
        } finally {
            System.setErr(old);
        }
        text = captured.toString(java.nio.charset.StandardCharsets.UTF_8);
        assertTrue(text.contains("computed with the " + other + " kernel"), text);
    }

    @Test
    void malformedScenarioExitsWithTheFieldNamed() throws IOException {
        Path f = dir.resolve("bad.yaml");
        Files.writeString(f, "seed: 1\nstudies: []\nsizes: [10]\nreplicates: 1\n");
        StringWriter err = new StringWriter();
        assertEquals(Main.BAD_INPUT, run(err, "simulate", f.toString(), "-o", dir.toString()));
        assertTrue(err.toString().contains("field 'studies'"), err.toString());
    }

    @Test
    void aRunSaysHowManyConvergedFitsAreNotCertified() throws IOException {
        // A loose objective tolerance stops the over-specified fits early, as a crawl's mouth does (under trf-pair-w:
        // the default finishes such ends).
        Path f = dir.resolve("loose.yaml");
        Files.writeString(f, "name: loose\nseed: 5\nstudies:\n  - {truth: "
                + Path.of("simulations/models/default-shared-linear.yaml").toAbsolutePath()
                + ", L: 3}\nsizes: [400]\nreplicates: 4\nsolver: {objective_tolerance: 1e-3, method: trf-pair-w}\n");
        Path out = dir.resolve("loose-out");
        HostileInputTest.Run run = HostileInputTest.run(dir, "simulate", f.toString(), "-q", "--no-plot", "-o",
                out.toString());
        assertEquals(0, run.status(), run.err());
        List<ResultRow> rows = ResultsFile.read(out.resolve("loose/results.csv"));
        long flagged = rows.stream().filter(r -> r.converged() && r.gaussNewtonDecrement() > 1e-9).count();
        assertTrue(flagged > 0, "some early stop is flagged: " + rows.stream().map(r -> r.gaussNewtonDecrement())
                .toList());
        assertTrue(run.out().contains(", " + flagged + " of 4 converged fits not certified"), run.out());
        assertEquals("", SimulateCommand.notCertified(rows.stream().filter(r -> !(r.gaussNewtonDecrement() > 1e-9))
                .toList()), "nothing said when every converged fit is certified");
    }

    @Test
    void certifyFillsTheDecrementOfAnOlderResultsFile() throws IOException {
        Path f = dir.resolve("cert.yaml");
        Files.writeString(f, "name: cert\nseed: 6\nstudies:\n  - {truth: "
                + Path.of("simulations/models/default-shared-linear.yaml").toAbsolutePath()
                + ", L: 3}\nsizes: [300]\nreplicates: 3\n");
        Path out = dir.resolve("cert-out");
        HostileInputTest.Run none = HostileInputTest.run(dir, "certify", f.toString(), "-o", out.toString());
        assertEquals(Main.BAD_INPUT, none.status());
        assertTrue(none.err().contains("no results file") && none.err().contains("cert.yaml"), none.err());
        assertEquals(0, HostileInputTest.run(dir, "simulate", f.toString(), "-q", "--no-plot", "-o", out.toString())
                .status());
        Path results = out.resolve("cert/results.csv");
        List<String> written = Files.readAllLines(results);
        int col = ResultRow.COLUMNS.indexOf("gauss_newton_decrement");
        List<String> older = written.stream().map(l -> {
            List<String> v = new java.util.ArrayList<>(List.of(l.split(",", -1)));
            v.remove(col);
            return String.join(",", v);
        }).toList();
        Files.write(results, older);
        HostileInputTest.Run run = HostileInputTest.run(dir, "certify", f.toString(), "-o", out.toString(),
                "--threads", "1");
        assertEquals(0, run.status(), run.err());
        assertTrue(run.out().contains("3 rows, 3 decrements computed, 0 already present"), run.out());
        assertEquals(written, Files.readAllLines(results), "the file a run with the column writes, to the byte");
    }

    /** Issue 20: a resumed run counted only its own capped fits ("0 at the iteration cap" for a file with 4). */
    @Test
    void aResumedRunCountsTheCappedFitsOfTheRowsAlreadyThere() throws IOException {
        String base = "name: capped\nseed: 3\nstudies:\n  - {truth: "
                + Path.of("simulations/models/default-shared-linear.yaml").toAbsolutePath()
                + ", L: 3}\nsizes: [200]\nsolver: {max_iterations: 2}\nreplicates: ";
        Path two = dir.resolve("two.yaml");
        Files.writeString(two, base + "2\n");
        Path three = dir.resolve("capped.yaml");
        Files.writeString(three, base + "3\n");
        Path out = dir.resolve("out");
        HostileInputTest.Run first = HostileInputTest.run(dir, "simulate", two.toString(), "-q", "--no-plot",
                "-o", out.toString());
        assertEquals(0, first.status(), first.err());
        assertTrue(first.out().contains("2 computed, 0 already present, 0 failed, 2 at the iteration cap;"),
                first.out());
        HostileInputTest.Run resumed = HostileInputTest.run(dir, "simulate", three.toString(), "-q", "--no-plot",
                "-o", out.toString());
        assertEquals(0, resumed.status(), resumed.err());
        long capped = ResultsFile.read(out.resolve("capped/results.csv")).stream().filter(ResultRow::capped).count();
        assertEquals(3, capped, "every fit stops at 2 iterations");
        Matcher m = Pattern.compile("1 computed, 2 already present, 0 failed, (\\d+) at the iteration cap among its 3"
                + " rows \\(0 and 1 in this run\\)").matcher(resumed.out());
        assertTrue(m.find(), resumed.out());
        assertEquals(capped, Long.parseLong(m.group(1)));
    }
}
