package org.prefixmoe.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.prefixmoe.simulation.ScenarioFiles;
import org.prefixmoe.simulation.Engine;
import org.prefixmoe.simulation.ResultRow;
import org.prefixmoe.simulation.ResultsFile;
import org.prefixmoe.simulation.Scenario;

/** The Spark engine in local mode against the threaded engine; one Spark session for every test (start-up is slow). */
class SparkEngineTest {
    private static SparkSession spark;
    private static JavaSparkContext sc;

    @TempDir
    Path dir;

    @BeforeAll
    static void start() {
        spark = SparkSession.builder().master("local[2]").appName("prefixmoe-test")
                .config("spark.ui.enabled", "false").getOrCreate();
        sc = JavaSparkContext.fromSparkContext(spark.sparkContext());
    }

    @AfterAll
    static void stop() {
        spark.stop();
    }

    private static String models() {
        return Path.of("simulations/models").toAbsolutePath().toString();
    }

    /** Two studies (over-specified shared-linear, exact non-shared), 2 sizes x 3 replicates. */
    private Path small() throws IOException {
        Path f = dir.resolve("small.yaml");
        Files.writeString(f, String.join("\n",
                "name: small",
                "seed: 7",
                "studies:",
                "  - {name: shared-linear, truth: " + models() + "/default-shared-linear.yaml, L: 3}",
                "  - {name: non-shared, truth: " + models() + "/default-non-shared.yaml, L: 2}",
                "sizes: [150, 300]",
                "replicates: 3",
                "solver: {max_iterations: 60}",
                ""));
        return f;
    }

    private static List<List<String>> sortedRows(Path file) {
        return ResultsFile.read(file).stream().map(ResultRow::deterministicValues)
                .sorted((a, b) -> String.join(",", a).compareTo(String.join(",", b))).toList();
    }

    private static SparkEngine.Report spark(Path scenario, int partitions, Path results) throws IOException {
        return new SparkEngine(sc, partitions, null).run(scenario, false, results);
    }

    @Test
    void rowsAreTheThreadedEnginesRows() throws IOException {
        Path f = small();
        Scenario s = ScenarioFiles.read(f);
        Path threaded = dir.resolve("threaded/results.csv");
        new Engine(2, null).run(s, threaded);
        for (int partitions : new int[] {0, 5, 1}) {
            Path out = dir.resolve("spark-" + partitions + "/results.csv");
            SparkEngine.Report r = spark(f, partitions, out);
            assertEquals(s.taskCount(), r.ran());
            assertEquals(0, r.failed());
            assertEquals(sortedRows(threaded), sortedRows(out), "partitions " + partitions);
        }
        assertEquals(12, sortedRows(threaded).size());
    }

    @Test
    void aPartialRunIsResumedToTheRowsOfAnUninterruptedOne() throws IOException {
        Path f = small();
        Scenario s = ScenarioFiles.read(f);
        Path full = dir.resolve("full/results.csv");
        new Engine(2, null).run(s, full);
        List<String> lines = Files.readAllLines(full, StandardCharsets.UTF_8);
        // Killed after 5 rows, in the middle of the 6th.
        Path cut = dir.resolve("cut/results.csv");
        Files.createDirectories(cut.getParent());
        String partial = lines.get(6).substring(0, lines.get(6).length() / 2);
        Files.writeString(cut, String.join("\n", lines.subList(0, 6)) + "\n" + partial, StandardCharsets.UTF_8);

        SparkEngine.Report resumed = spark(f, 0, cut);
        assertEquals(5, resumed.skipped());
        assertEquals(s.taskCount() - 5, resumed.ran());
        assertEquals(sortedRows(full), sortedRows(cut));
        SparkEngine.Report again = spark(f, 0, cut);
        assertEquals(0, again.ran());
        assertEquals(s.taskCount(), ResultsFile.read(cut).size());
    }

    @Test
    void aFailedFitIsARecordedRow() throws IOException {
        // EM on density data with n = 1: the variance collapses, the likelihood is infinite, the fit fails.
        Path f = dir.resolve("failing.yaml");
        Files.writeString(f, String.join("\n",
                "name: failing",
                "seed: 3",
                "studies:",
                "  - {name: non-shared, truth: " + models() + "/default-non-shared.yaml, L: 3}",
                "sizes: [1, 40]",
                "replicates: 2",
                "estimator: em",
                "sampler: density",
                "solver: {max_iterations: 50}",
                ""));
        Scenario s = ScenarioFiles.read(f);
        Path threaded = dir.resolve("threaded/results.csv");
        Engine.Report t = new Engine(1, null).run(s, threaded);
        Path out = dir.resolve("spark/results.csv");
        SparkEngine.Report r = spark(f, 0, out);
        assertTrue(r.failed() >= 2, "failed fits: " + r.failed());
        assertEquals(t.failed(), r.failed());
        assertEquals(s.taskCount(), ResultsFile.read(out).size());
        List<ResultRow> failed = ResultsFile.read(out).stream().filter(row -> !row.ok()).toList();
        assertTrue(failed.stream().allMatch(row -> row.get("n").equals("1") && row.get("status").equals("failed")
                && !row.get("message").isEmpty()), failed.toString());
        assertEquals(sortedRows(threaded), sortedRows(out));
    }

    @Test
    void aResultsFileHeldByAnotherRunIsRefused() throws IOException {
        Path f = small();
        Path file = dir.resolve("held/results.csv");
        try (ResultsFile other = ResultsFile.open(file, ScenarioFiles.read(f).fingerprint())) {
            IllegalStateException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalStateException.class,
                    () -> spark(f, 0, file));
            assertTrue(e.getMessage().contains("another run"), e.getMessage());
        }
        assertEquals(12, spark(f, 0, file).ran());
    }

    @Test
    void theCommandLineRunsSummarizesAndDraws() throws IOException {
        Path f = small();
        Path out = dir.resolve("out");
        assertEquals(0, Main.commandLine().execute(f.toString(), "-q", "-o", out.toString()));
        for (String name : new String[] {"results.csv", "runs.log", "summary.md", "rates.csv", "small-d1.png"}) {
            assertTrue(Files.exists(out.resolve("small").resolve(name)), name);
        }
        assertTrue(Files.readString(out.resolve("small/runs.log")).contains("spark local[2]"));
        // a missing scenario is one 'error:' line, captured here so that the build log shows no error line
        java.io.StringWriter missing = new java.io.StringWriter();
        picocli.CommandLine withMissing = Main.commandLine();
        withMissing.setErr(new java.io.PrintWriter(missing));
        assertEquals(org.prefixmoe.cli.Main.BAD_INPUT, withMissing.execute(dir.resolve("none.yaml").toString(),
                "-o", out.toString()));
        assertTrue(missing.toString().startsWith("error: ") && missing.toString().contains("none.yaml")
                && missing.toString().strip().lines().count() == 1, missing.toString());
        // issue 20: a bogus --master is one line and status 2, not a SparkException trace
        java.io.StringWriter err = new java.io.StringWriter();
        picocli.CommandLine cl = Main.commandLine();
        cl.setErr(new java.io.PrintWriter(err));
        assertEquals(org.prefixmoe.cli.Main.BAD_INPUT, cl.execute(f.toString(), "--master", "bogus://x", "-o",
                out.toString()));
        assertTrue(err.toString().startsWith("error: --master: 'bogus://x' is not a Spark master URL")
                && err.toString().strip().lines().count() == 1, err.toString());
        assertFalse(spark.sparkContext().isStopped(), "a session the command did not start is left running");
    }

    @Test
    void rowsThatExecutorsOfAnInterruptedRunWroteAreKeptAndNotRecomputed() throws IOException {
        Path f = small();
        Scenario s = ScenarioFiles.read(f);
        Path full = dir.resolve("full/results.csv");
        new Engine(2, null).run(s, full);
        List<String> lines = Files.readAllLines(full, StandardCharsets.UTF_8);
        // A driver killed mid-run: 3 rows in results.csv, the executors' part files hold 4 more (one of them also in
        // results.csv, one in two attempts) and a row cut in the middle.
        Path results = dir.resolve("crashed/results.csv");
        Path parts = dir.resolve("crashed/results.csv.parts");
        Files.createDirectories(parts);
        Files.writeString(results, String.join("\n", lines.subList(0, 4)) + "\n", StandardCharsets.UTF_8);
        Files.writeString(parts.resolve("0a1b2c3d-p00000-t1.csv"), String.join("\n", lines.get(0), lines.get(3),
                lines.get(4), lines.get(5)) + "\n", StandardCharsets.UTF_8);
        Files.writeString(parts.resolve("0a1b2c3d-p00001-t2.csv"), String.join("\n", lines.get(0), lines.get(6),
                lines.get(5), lines.get(7).substring(0, 30)), StandardCharsets.UTF_8);

        SparkEngine.Report r = spark(f, 0, results);
        assertEquals(6, r.skipped()); // rows 1-6 of the threaded file, wherever they were
        assertEquals(s.taskCount() - 6, r.ran());
        assertEquals(sortedRows(full), sortedRows(results)); // each task once (ResultsFile.read refuses a second row)
        assertFalse(Files.exists(parts), "merged part files are deleted");
        assertEquals(lines.subList(0, 4), Files.readAllLines(results).subList(0, 4), "earlier rows kept in place");
    }

    @Test
    void theRowsComeBackAsATypedDataFrameAndAsParquet() throws IOException {
        Path f = small();
        Path results = dir.resolve("df/results.csv");
        spark(f, 3, results);
        var df = SparkEngine.results(spark, results.toString());
        assertEquals(12, df.count());
        assertEquals(org.apache.spark.sql.types.DataTypes.IntegerType, df.schema().apply("n").dataType());
        assertEquals(2, df.select("n").distinct().count());
        assertEquals(org.apache.spark.sql.types.DataTypes.DoubleType,
                df.schema().apply("gauss_newton_decrement").dataType());
        assertEquals(df.where("status = 'ok'").count(), df.where("gauss_newton_decrement >= 0").count());
        String parquet = SparkEngine.writeParquet(spark, "file:" + results.toAbsolutePath());
        var back = spark.read().parquet(parquet);
        assertEquals(12, back.count());
        assertEquals(df.where("status = 'ok'").count(), back.where("status = 'ok'").count());
        assertEquals(df.agg(org.apache.spark.sql.functions.sum("d1")).first().getDouble(0),
                back.agg(org.apache.spark.sql.functions.sum("d1")).first().getDouble(0));
    }

    @Test
    void aFailedRunIsOneLineAndItsTraceGoesToTheLogFile() throws IOException {
        Path f = small();
        Path out = dir.resolve("locked");
        Path file = out.resolve("small/results.csv");
        Path log = dir.resolve("trace.log");
        String before = System.getProperty("prefixmoe.spark.log");
        System.setProperty("prefixmoe.spark.log", log.toString());
        try (ResultsFile other = ResultsFile.open(file, ScenarioFiles.read(f).fingerprint())) {
            java.io.StringWriter err = new java.io.StringWriter();
            picocli.CommandLine cl = Main.commandLine();
            cl.setErr(new java.io.PrintWriter(err));
            assertEquals(org.prefixmoe.cli.Main.RUN_ERROR, cl.execute(f.toString(), "-q", "--no-plot", "-o",
                    out.toString()));
            assertEquals(1, err.toString().strip().lines().count(), err.toString());
            assertTrue(err.toString().startsWith("error: ") && err.toString().contains("another run")
                    && err.toString().contains("(trace in " + log.toAbsolutePath() + ")"), err.toString());
            String trace = Files.readString(log);
            assertTrue(trace.contains("IllegalStateException") && trace.contains("\tat org.prefixmoe.spark."), trace);
        } finally {
            if (before == null) {
                System.clearProperty("prefixmoe.spark.log");
            } else {
                System.setProperty("prefixmoe.spark.log", before);
            }
        }
    }

    @Test
    void aFailedSparkJobIsOneLineKeepsTheRowsAndLogsTheExecutorsTrace() throws IOException {
        // The executors cannot write their part files (a folder of /proc, read-only even for root): every task fails,
        // and local mode does not retry.
        Path f = small();
        Path out = dir.resolve("failing");
        Files.createDirectories(out.resolve("small"));
        Files.createSymbolicLink(out.resolve("small/results.csv.parts"), Path.of("/proc/self/fdinfo"));
        Path log = dir.resolve("job.log");
        String before = System.getProperty("prefixmoe.spark.log");
        System.setProperty("prefixmoe.spark.log", log.toString());
        try {
            java.io.StringWriter err = new java.io.StringWriter();
            picocli.CommandLine cl = Main.commandLine();
            cl.setErr(new java.io.PrintWriter(err));
            assertEquals(org.prefixmoe.cli.Main.RUN_ERROR, cl.execute(f.toString(), "-q", "--no-plot", "-o",
                    out.toString()));
            String line = err.toString().strip();
            assertEquals(1, line.lines().count(), line);
            assertTrue(line.startsWith("error: the Spark job failed; the 0 rows computed before are kept in ")
                    && line.contains("results.csv.parts/") && line.endsWith("(trace in " + log.toAbsolutePath() + ")")
                    && !line.contains("\tat "), line);
            assertTrue(Files.readString(log).contains("at org.prefixmoe.spark.SparkEngine$RunPartition.apply"));
        } finally {
            if (before == null) {
                System.clearProperty("prefixmoe.spark.log");
            } else {
                System.setProperty("prefixmoe.spark.log", before);
            }
        }
    }
}
