package org.prefixmoe.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.prefixmoe.simulation.Engine;
import org.prefixmoe.simulation.ResultRow;
import org.prefixmoe.simulation.ResultsFile;
import org.prefixmoe.simulation.Scenario;
import org.prefixmoe.simulation.ScenarioFiles;

/**
 * The documented route on a real Spark standalone cluster: a Master and a Worker (Spark's own
 * classes, from the module's Spark classpath) started as separate JVMs on 127.0.0.1, the study
 * submitted with {@code spark/bin/prefixmoe-spark --master spark://...}, one executor killed
 * while the study runs; the rows must be the threaded engine's, each task's exactly once, and
 * every core used. The Worker runs its executors from a Spark "installation" made of links to the
 * same jars. Every process is stopped at the end, also when the test fails, and by a watchdog
 * when this JVM dies.
 */
class StandaloneClusterTest {
    private static final Path MODULE = Path.of("spark").toAbsolutePath();

    @TempDir
    Path dir;

    private final List<Process> started = new ArrayList<>();

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    /**
     * Starts a command under a watchdog: a shell that runs it and stops it (and its children)
     * when this JVM is gone.
     */
    private Process start(List<String> command, Path log, String sparkHome) throws IOException {
        String watch = "\"$@\" & child=$!; trap 'pkill -TERM -P $child; kill -TERM $child 2>/dev/null' EXIT;"
                + " while kill -0 " + ProcessHandle.current().pid() + " 2>/dev/null && kill -0 $child 2>/dev/null;"
                + " do sleep 1; done";
        List<String> cmd = new ArrayList<>(List.of("bash", "-c", watch, "watchdog"));
        cmd.addAll(command);
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().put("SPARK_HOME", sparkHome);
        pb.environment().put("SPARK_SCALA_VERSION", "2.13");
        pb.environment().put("SPARK_LOCAL_IP", "127.0.0.1");
        Process p = pb.start();
        started.add(p);
        return p;
    }

    private static void awaitLine(Path log, String text, long seconds) throws IOException, InterruptedException {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (System.nanoTime() < end) {
            if (Files.exists(log) && Files.readString(log, StandardCharsets.ISO_8859_1).contains(text)) {
                return;
            }
            Thread.sleep(200);
        }
        throw new AssertionError("no '" + text + "' in " + log + " after " + seconds + " s:\n"
                + (Files.exists(log) ? Files.readString(log, StandardCharsets.ISO_8859_1) : ""));
    }

    /** Executor JVMs below a process. */
    private static List<ProcessHandle> executors(Process p) {
        return p.descendants().filter(h -> h.info().commandLine().orElse("")
                .contains("CoarseGrainedExecutorBackend")).toList();
    }

    /** Complete rows in the part files of the run so far. */
    private static long rowsWritten(Path parts) throws IOException {
        if (!Files.isDirectory(parts)) {
            return 0;
        }
        long rows = 0;
        try (Stream<Path> files = Files.list(parts)) {
            for (Path f : files.toList()) {
                try {
                    String text = Files.readString(f, StandardCharsets.UTF_8);
                    rows += Math.max(0, text.chars().filter(c -> c == '\n').count() - 1);
                } catch (IOException e) {
                    // merged and deleted meanwhile
                }
            }
        }
        return rows;
    }

    private void stopAll() {
        for (Process p : started) {
            List<ProcessHandle> tree = new ArrayList<>(p.descendants().toList());
            tree.forEach(ProcessHandle::destroy);
            p.destroy();
        }
        for (Process p : started) {
            try {
                p.waitFor(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
        }
    }

    @Test
    @Timeout(value = 6, unit = TimeUnit.MINUTES)
    void theDocumentedCommandRunsOnAStandaloneClusterAndAnExecutorKillLosesNothing() throws Exception {
        Path sparkClasspath = MODULE.resolve("target/spark-classpath.txt");
        assertTrue(Files.exists(sparkClasspath) && Files.exists(MODULE.resolve(
                "target/prefixmoe-spark-0.1.0-SNAPSHOT-all.jar")), "built by mvn before the tests");
        String cp = Files.readString(sparkClasspath).strip();
        // A Spark "installation" for the Worker, which starts executors on SPARK_HOME/jars/*.
        Path home = dir.resolve("spark-home");
        Files.createDirectories(home.resolve("jars"));
        Files.writeString(home.resolve("RELEASE"), "Spark 4.2.0 (test: links to the module's Spark classpath)\n");
        for (String jar : cp.split(java.io.File.pathSeparator)) {
            Path j = Path.of(jar);
            Path link = home.resolve("jars").resolve(j.getFileName());
            if (!Files.exists(link)) {
                Files.createSymbolicLink(link, j);
            }
        }
        long t0 = System.nanoTime();
        Thread hook = new Thread(this::stopAll, "stop-standalone-cluster");
        Runtime.getRuntime().addShutdownHook(hook);
        try {
            int port = freePort();
            String master = "spark://127.0.0.1:" + port;
            Path masterLog = dir.resolve("master.log");
            Path workerLog = dir.resolve("worker.log");
            List<String> java = List.of("java", "-Xmx256m", "@" + MODULE.resolve("jvm.options"),
                    "-Dspark.master.rest.enabled=false", "-cp", cp);
            List<String> m = new ArrayList<>(java);
            m.addAll(List.of("org.apache.spark.deploy.master.Master", "--host", "127.0.0.1", "--port",
                    Integer.toString(port), "--webui-port", Integer.toString(freePort())));
            start(m, masterLog, home.toString());
            awaitLine(masterLog, "I have been elected leader", 90);
            List<String> w = new ArrayList<>(java);
            w.addAll(List.of("org.apache.spark.deploy.worker.Worker", "--host", "127.0.0.1", "--cores", "2",
                    "--memory", "1500m", "--webui-port", Integer.toString(freePort()), "--work-dir",
                    dir.resolve("work").toString(), master));
            Process worker = start(w, workerLog, home.toString());
            awaitLine(masterLog, "Registering worker", 90);
            long up = System.nanoTime();

            // The study: 24 tasks, each a fraction of a second.
            Path scenario = dir.resolve("cluster.yaml");
            String models = Path.of("simulations/models").toAbsolutePath().toString();
            Files.writeString(scenario, String.join("\n",
                    "name: cluster",
                    "seed: 2026",
                    "studies:",
                    "  - {name: shared-linear, truth: " + models + "/default-shared-linear.yaml, L: 3}",
                    "  - {name: non-shared, truth: " + models + "/default-non-shared.yaml, L: 2}",
                    "sizes: [150, 300, 600]",
                    "replicates: 4",
                    "solver: {max_iterations: 60}",
                    ""));
            Path out = dir.resolve("out");
            Path results = out.resolve("cluster/results.csv");
            Path parts = out.resolve("cluster/results.csv.parts");
            Path submitLog = dir.resolve("submit.log");
            ProcessBuilder pb = new ProcessBuilder("spark/bin/prefixmoe-spark", "--master", master,
                    "--conf", "spark.executor.cores=1", "--conf", "spark.executor.memory=512m",
                    "--conf", "spark.cores.max=2", // the cores to wait for before splitting (else: until stable)
                    scenario.toString(), "-o", out.toString(), "--no-plot")
                    .redirectErrorStream(true).redirectOutput(submitLog.toFile());
            pb.environment().put("PREFIXMOE_SPARK_NO_BUILD", "1");
            pb.environment().put("PREFIXMOE_SPARK_LOG", dir.resolve("driver.log").toString());
            pb.environment().put("JAVA_OPTS", "-Xmx512m");
            pb.environment().remove("SPARK_HOME");
            pb.environment().put("SPARK_LOCAL_IP", "127.0.0.1");
            Process submit = pb.start();
            started.add(submit);

            // Once some rows are written, kill one of the two executors (as a lost machine would end).
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(240);
            Optional<ProcessHandle> killed = Optional.empty();
            long rowsAtKill = -1;
            while (submit.isAlive() && killed.isEmpty() && System.nanoTime() < deadline) {
                List<ProcessHandle> ex = executors(worker);
                long rows = rowsWritten(parts);
                if (ex.size() == 2 && rows >= 1) {
                    killed = Optional.of(ex.get(0));
                    rowsAtKill = rows;
                    ex.get(0).destroyForcibly();
                }
                Thread.sleep(100);
            }
            assertTrue(submit.waitFor(Math.max(1, (deadline - System.nanoTime()) / 1_000_000_000L), TimeUnit.SECONDS),
                    "the run did not end:\n" + Files.readString(submitLog));
            long ran = System.nanoTime();
            String log = Files.readString(submitLog);
            assertEquals(0, submit.exitValue(), log);
            assertTrue(killed.isPresent(), "no executor was killed mid-run:\n" + log);
            assertTrue(rowsAtKill < 24, "killed after " + rowsAtKill + " rows");
            assertTrue(log.contains("Lost executor") || Files.readString(dir.resolve("driver.log")).contains(
                    "Lost executor"), "the driver saw the executor go:\n" + log);

            // Rows: the threaded engine's, each task's exactly once; every core had work.
            Scenario s = ScenarioFiles.read(scenario);
            Path threaded = dir.resolve("threaded/results.csv");
            new Engine(2, null).run(s, threaded);
            List<ResultRow> rows = ResultsFile.read(results); // refuses a second row of a task
            Set<String> keys = new HashSet<>();
            rows.forEach(r -> keys.add(r.key()));
            assertEquals(s.taskCount(), rows.size());
            assertEquals(s.taskCount(), keys.size());
            assertEquals(sorted(ResultsFile.read(threaded)), sorted(rows));
            String runs = Files.readString(out.resolve("cluster/runs.log"));
            assertTrue(runs.contains("computed 24 (of 24, 0 present before)") && runs.contains("cores 2")
                    && runs.contains("partitions 8"), runs);
            assertTrue(!Files.exists(parts), "part files merged and deleted");
            System.out.printf(Locale.ROOT, "standalone cluster: up in %.1f s, the submitted run took %.1f s"
                    + " (executor killed after %d rows), the threaded engine and checks %.1f s%n", (up - t0) / 1e9,
                    (ran - up) / 1e9, rowsAtKill, (System.nanoTime() - ran) / 1e9);
        } finally {
            stopAll();
            Runtime.getRuntime().removeShutdownHook(hook);
            try (Stream<Path> links = Files.list(home.resolve("jars"))) {
                for (Path link : links.toList()) {
                    Files.delete(link); // the links only (JUnit warns about each link it deletes)
                }
            }
        }
        for (Process p : started) {
            assertTrue(!p.isAlive() && p.descendants().findAny().isEmpty(), "a process was left running");
        }
    }

    private static List<String> sorted(List<ResultRow> rows) {
        return rows.stream().map(r -> String.join(",", r.deterministicValues())).sorted().toList();
    }
}
