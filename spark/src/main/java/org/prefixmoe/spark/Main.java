package org.prefixmoe.spark;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;
import org.prefixmoe.io.AtomicFiles;
import org.prefixmoe.simulation.Scenario;
import org.prefixmoe.simulation.ScenarioFiles;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code prefixmoe-spark}: runs the Monte Carlo study of scenario files on Spark, into the same
 * results folders as {@code prefixmoe simulate} (on any Hadoop-compatible file system), then,
 * for a local folder, summarizes and plots them with the core's {@code simulate} (which finds
 * every row present and only draws).
 */
@Command(name = "prefixmoe-spark", mixinStandardHelpOptions = true, version = "prefixmoe-spark 0.1.0",
        description = {"Run the Monte Carlo study of each SCENARIO on Spark: the tasks missing from"
                + " OUT/NAME/results.csv are computed on the executors, which write their rows to OUT as they go"
                + " (rerun to resume; rows identical to 'prefixmoe simulate'). Then summary and figures."})
public final class Main implements Callable<Integer> {
    @Parameters(arity = "1..*", paramLabel = "SCENARIO", description = "Scenario files (YAML or JSON).")
    List<Path> scenarios;

    @Option(names = {"-o", "--output"}, defaultValue = "plots",
            description = "Parent folder of the results; each scenario writes OUT/NAME/ (default: ${DEFAULT-VALUE})."
                    + " A local path, or any Hadoop file system URL (hdfs://, s3a://, ...); executors write to it, so on"
                    + " a cluster of several machines it must be shared.")
    String output;

    @Option(names = "--master", description = "Spark master URL (default: spark-submit's --master, else local[*]).")
    String master;

    @Option(names = "--partitions", defaultValue = "0",
            description = "Partitions of the tasks (default 0: 4 per core of the cluster, counted once its executors"
                    + " have registered).")
    int partitions;

    @Option(names = "--executor-wait", defaultValue = "60", paramLabel = "SECONDS",
            description = "How long to wait at most for the cluster's executors to register before counting its"
                    + " cores (default: ${DEFAULT-VALUE}).")
    double executorWait;

    @Option(names = "--parquet", description = "Also write OUT/NAME/results.parquet (typed columns) after the run.")
    boolean parquet;

    @Option(names = "--quick", description = "Run the scenario's reduced 'quick' grid into OUT/NAME-quick/.")
    boolean quick;

    @Option(names = "--plot", negatable = true, defaultValue = "true", fallbackValue = "true",
            description = "Summarize and plot after the run (default); --no-plot only writes the results.")
    boolean plot;

    @Option(names = {"-q", "--quiet"}, description = "No progress bar.")
    boolean quiet;

    /** Builds a session: {@code --master}, else spark-submit's, else {@code local[*]}. */
    static SparkSession session(String master) {
        checkMaster(master);
        SparkSession.Builder b = SparkSession.builder().appName("prefixmoe");
        if (master != null) {
            b.master(master);
        } else if (System.getProperty("spark.master") == null) {
            b.master("local[*]");
        }
        try {
            return b.getOrCreate();
        } catch (Exception e) { // SparkException is thrown undeclared from Scala
            throw new IllegalArgumentException("--master: Spark could not start with '" + (master != null ? master
                    : System.getProperty("spark.master", "local[*]")) + "': " + String.valueOf(e.getMessage())
                    .lines().findFirst().orElse(""));
        }
    }

    /** Refuses a {@code --master} that is no Spark master URL, before anything starts. */
    static void checkMaster(String master) {
        if (master != null && !master.matches("local(\\[[0-9*]+(,[0-9]+)?])?|yarn|(spark|mesos|k8s)://\\S+")) {
            throw new IllegalArgumentException("--master: '" + master + "' is not a Spark master URL (expected"
                    + " local, local[N], local[*], spark://HOST:PORT, yarn, k8s://URL or mesos://URL)");
        }
    }

    @Override
    public Integer call() {
        checkMaster(master);
        List<Scenario> list = new ArrayList<>();
        List<String> files = new ArrayList<>();
        OutputFolder parent = new OutputFolder(new org.apache.hadoop.fs.Path(OutputFolder.path(output), "x"));
        for (Path p : scenarios) {
            Scenario s = ScenarioFiles.read(p); // every file checked before Spark starts
            list.add(s);
            files.add(new org.apache.hadoop.fs.Path(OutputFolder.path(output), (quick ? s.name() + "-quick"
                    : s.name()) + "/results.csv").toString());
        }
        if (parent.isLocal()) {
            files.forEach(f -> AtomicFiles.requireWritableFolder(Path.of(java.net.URI.create(f)).getParent()));
        }
        // A session already running in this JVM (a notebook, a test) is used and left running.
        boolean own = SparkSession.getDefaultSession().isEmpty();
        SparkSession spark = own ? session(master) : SparkSession.getDefaultSession().get();
        try {
            JavaSparkContext sc = JavaSparkContext.fromSparkContext(spark.sparkContext());
            String ui = spark.sparkContext().uiWebUrl().isDefined() ? "; web UI " + spark.sparkContext().uiWebUrl().get()
                    : "";
            if (!sc.sc().isLocal() && parent.isLocal()) {
                System.err.println("note: the output " + parent.results().getParent() + " is a local path: on a cluster"
                        + " of several machines every executor must see it (a shared mount), else use hdfs://, s3a://...");
            }
            SparkEngine engine = new SparkEngine(sc, partitions, quiet ? null : System.err, executorWait);
            for (int i = 0; i < list.size(); i++) {
                Scenario s = quick ? list.get(i).quick() : list.get(i);
                System.out.printf(Locale.ROOT, "%s: %d tasks on Spark %s -> %s%s%n", s.name(), s.taskCount(),
                        sc.master(), files.get(i), ui);
                SparkEngine.Report rep = engine.run(scenarios.get(i), quick, files.get(i));
                System.out.printf(Locale.ROOT, "%s: %d computed, %d already present, %d failed, %d at the iteration"
                                + " cap; %d partitions on %d cores; %.1f s, %.1f fits/s%n", s.name(), rep.ran(),
                        rep.skipped(), rep.failed(), rep.capped(), rep.partitions(), rep.cores(), rep.seconds(),
                        rep.fitsPerSecond());
                if (rep.ran() > 0) {
                    appendRunLog(files.get(i), s, rep, sc);
                }
                if (parquet) {
                    System.out.println(s.name() + ": " + SparkEngine.writeParquet(spark, files.get(i)));
                }
            }
        } finally {
            if (own) {
                spark.stop();
            }
        }
        if (plot && !parent.isLocal()) {
            System.err.println("note: no summary or figures for an output on " + parent.results().toUri().getScheme()
                    + "://: copy OUT/NAME/ to a local folder and run 'prefixmoe simulate SCENARIO -o FOLDER' there"
                    + " (it finds every row and only draws)");
        } else if (plot) {
            for (Path p : scenarios) {
                List<String> args = new ArrayList<>(List.of("simulate", p.toString(), "-q", "--threads", "1", "-o",
                        Path.of(parent.results().getParent().toUri()).toString()));
                if (quick) {
                    args.add("--quick");
                }
                int code = org.prefixmoe.cli.Main.commandLine().execute(args.toArray(new String[0]));
                if (code != 0) {
                    return code;
                }
            }
        }
        return 0;
    }

    /** The run's timing in runs.log, the same file and format as the threaded engine's. */
    private static void appendRunLog(String resultsFile, Scenario s, SparkEngine.Report rep, JavaSparkContext sc) {
        String line = String.format(Locale.ROOT, "%s  %s  grid %d sizes x %d replicates  computed %d (of %d, %d"
                        + " present before)  failed %d  at cap %d  wall %.1f s  %.2f fits/s  spark %s  cores %d"
                        + "  partitions %d%n",
                java.time.Instant.now().truncatedTo(java.time.temporal.ChronoUnit.SECONDS), s.name(), s.sizes().size(),
                s.replicates(), rep.ran(), rep.tasks(), rep.skipped(), rep.failed(), rep.capped(), rep.seconds(),
                rep.fitsPerSecond(), sc.master(), rep.cores(), rep.partitions());
        OutputFolder f = new OutputFolder(OutputFolder.path(resultsFile));
        f.appendLine(OutputFolder.fs(f.results(), sc.hadoopConfiguration()), "runs.log", line);
    }

    /**
     * The file that a failure's stack trace goes to: {@code -Dprefixmoe.spark.log=FILE} (the
     * launcher sets it), else {@code prefixmoe-spark.log} in the temporary folder; Spark's own
     * warnings go there too (log4j2.properties).
     */
    static Path logFile() {
        return Path.of(System.getProperty("prefixmoe.spark.log",
                Path.of(System.getProperty("java.io.tmpdir"), "prefixmoe-spark.log").toString()));
    }

    /** Appends a failure's stack trace to the log file; false if it cannot be written. */
    static boolean logTrace(Throwable e) {
        StringWriter w = new StringWriter();
        e.printStackTrace(new PrintWriter(w));
        try {
            Path f = logFile().toAbsolutePath();
            Files.createDirectories(f.getParent());
            Files.writeString(f, java.time.Instant.now() + " prefixmoe-spark failed:\n" + w, StandardCharsets.UTF_8,
                    StandardOpenOption.CREATE, StandardOpenOption.APPEND);
            return true;
        } catch (IOException | UncheckedIOException | SecurityException ex) {
            return false;
        }
    }

    /**
     * Every failure ends with one line: bad input with status 2, as in the core's command line;
     * a failed run (a Spark job that failed, a results file held by another run, anything
     * unexpected) with status 1, its stack trace appended to {@link #logFile}.
     */
    static CommandLine commandLine() {
        CommandLine cl = new CommandLine(new Main());
        cl.setExecutionExceptionHandler((ex, cmd, parseResult) -> {
            PrintWriter err = cmd.getErr();
            boolean bad = ex instanceof IllegalArgumentException || ex instanceof UncheckedIOException;
            String msg = ex instanceof IllegalArgumentException || ex instanceof UncheckedIOException
                    || ex instanceof IllegalStateException ? String.valueOf(ex.getMessage())
                    : ex.getClass().getSimpleName() + ": " + ex.getMessage();
            if (bad) {
                msg = msg.replaceAll("\\s*\\R\\s*", " ").strip(); // a parser's message over several lines
            } else { // the first line; the rest (an executor's stack trace, for a failed job) goes to the log
                msg = msg.strip().lines().findFirst().orElse("").strip();
                msg += logTrace(ex) ? " (trace in " + logFile().toAbsolutePath() + ")" : "";
            }
            err.println("error: " + msg);
            err.flush();
            return bad ? org.prefixmoe.cli.Main.BAD_INPUT : org.prefixmoe.cli.Main.RUN_ERROR;
        });
        return cl;
    }

    /** Runs the command line and exits with its status. */
    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }
}
