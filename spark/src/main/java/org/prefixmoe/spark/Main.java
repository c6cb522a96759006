package org.prefixmoe.spark;

import java.io.IOException;
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
import org.prefixmoe.simulation.ScenarioFiles;
import org.prefixmoe.simulation.Engine;
import org.prefixmoe.simulation.Scenario;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code prefixmoe-spark}: runs the Monte Carlo study of scenario files on Spark, into the same
 * results folders as {@code prefixmoe simulate}, then summarizes and plots them with the core's
 * {@code simulate} (which finds every row present and only draws).
 */
@Command(name = "prefixmoe-spark", mixinStandardHelpOptions = true, version = "prefixmoe-spark 0.1.0",
        description = {"Run the Monte Carlo study of each SCENARIO on Spark: the tasks missing from"
                + " OUT/NAME/results.csv are computed on the executors and appended by the driver as partitions"
                + " finish (rerun to resume; rows identical to 'prefixmoe simulate'). Then summary and figures."})
public final class Main implements Callable<Integer> {
    @Parameters(arity = "1..*", paramLabel = "SCENARIO", description = "Scenario files (YAML or JSON).")
    List<Path> scenarios;

    @Option(names = {"-o", "--output"}, defaultValue = "plots",
            description = "Parent folder of the results; each scenario writes OUT/NAME/ (default: ${DEFAULT-VALUE}).")
    Path output;

    @Option(names = "--master", description = "Spark master URL (default: spark-submit's --master, else local[*]).")
    String master;

    @Option(names = "--partitions", defaultValue = "0",
            description = "Partitions of the tasks (default 0: 4 per core of the cluster).")
    int partitions;

    @Option(names = "--quick", description = "Run the scenario's reduced 'quick' grid into OUT/NAME-quick/.")
    boolean quick;

    @Option(names = "--plot", negatable = true, defaultValue = "true", fallbackValue = "true",
            description = "Summarize and plot after the run (default); --no-plot only writes the results.")
    boolean plot;

    @Option(names = {"-q", "--quiet"}, description = "No progress bar.")
    boolean quiet;

    /** Builds a session: {@code --master}, else spark-submit's, else {@code local[*]}; no web UI by default. */
    static SparkSession session(String master) {
        checkMaster(master);
        SparkSession.Builder b = SparkSession.builder().appName("prefixmoe");
        if (master != null) {
            b.master(master);
        } else if (System.getProperty("spark.master") == null) {
            b.master("local[*]");
        }
        if (System.getProperty("spark.ui.enabled") == null) {
            b.config("spark.ui.enabled", "false");
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
        List<Path> dirs = new ArrayList<>();
        for (Path p : scenarios) {
            Scenario s = ScenarioFiles.read(p); // every file checked before Spark starts
            list.add(s);
            dirs.add(output.resolve(quick ? s.name() + "-quick" : s.name()));
        }
        dirs.forEach(AtomicFiles::requireWritableFolder);
        // A session already running in this JVM (a notebook, a test) is used and left running.
        boolean own = SparkSession.getDefaultSession().isEmpty();
        SparkSession spark = own ? session(master) : SparkSession.getDefaultSession().get();
        try {
            JavaSparkContext sc = JavaSparkContext.fromSparkContext(spark.sparkContext());
            SparkEngine engine = new SparkEngine(sc, partitions, quiet ? null : System.err);
            for (int i = 0; i < list.size(); i++) {
                Scenario s = quick ? list.get(i).quick() : list.get(i);
                Path results = dirs.get(i).resolve("results.csv");
                System.out.printf(Locale.ROOT, "%s: %d tasks on Spark %s (%d cores) -> %s%n", s.name(), s.taskCount(),
                        sc.master(), sc.defaultParallelism(), results);
                Engine.Report rep = engine.run(scenarios.get(i), quick, results);
                System.out.printf(Locale.ROOT, "%s: %d computed, %d already present, %d failed, %d at the iteration"
                                + " cap; %.1f s, %.1f fits/s%n", s.name(), rep.ran(), rep.skipped(), rep.failed(),
                        rep.capped(), rep.seconds(), rep.fitsPerSecond());
                if (rep.ran() > 0) {
                    appendRunLog(dirs.get(i), s, rep, sc);
                }
            }
        } finally {
            if (own) {
                spark.stop();
            }
        }
        if (plot) {
            for (Path p : scenarios) {
                List<String> args = new ArrayList<>(List.of("simulate", p.toString(), "-q", "--threads", "1", "-o",
                        output.toString()));
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
    private static void appendRunLog(Path dir, Scenario s, Engine.Report rep, JavaSparkContext sc) {
        String line = String.format(Locale.ROOT, "%s  %s  grid %d sizes x %d replicates  computed %d (of %d, %d"
                        + " present before)  failed %d  at cap %d  wall %.1f s  %.2f fits/s  spark %s  cores %d%n",
                java.time.Instant.now().truncatedTo(java.time.temporal.ChronoUnit.SECONDS), s.name(), s.sizes().size(),
                s.replicates(), rep.ran(), rep.tasks(), rep.skipped(), rep.failed(), rep.capped(), rep.seconds(),
                rep.fitsPerSecond(), sc.master(), sc.defaultParallelism());
        try {
            Files.writeString(dir.resolve("runs.log"), line, StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                    StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + dir.resolve("runs.log") + ": " + e.getMessage(), e);
        }
    }

    /** Bad input ends with one line and status 2, as in the core's command line. */
    static CommandLine commandLine() {
        CommandLine cl = new CommandLine(new Main());
        cl.setExecutionExceptionHandler(org.prefixmoe.cli.Main.commandLine().getExecutionExceptionHandler());
        return cl;
    }

    /** Runs the command line and exits with its status. */
    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }
}
