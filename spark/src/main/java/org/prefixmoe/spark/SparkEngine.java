package org.prefixmoe.spark;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.OutputStreamWriter;
import java.io.PrintStream;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.StreamCapabilities;
import org.apache.spark.SparkConf;
import org.apache.spark.SparkContext;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.rdd.RDD;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.prefixmoe.simulation.Engine;
import org.prefixmoe.simulation.Progress;
import org.prefixmoe.simulation.ResultRow;
import org.prefixmoe.simulation.Scenario;
import org.prefixmoe.simulation.ScenarioFiles;
import org.prefixmoe.simulation.Shards;
import org.prefixmoe.simulation.Task;
import org.prefixmoe.simulation.Tasks;
import scala.collection.Iterator;
import scala.reflect.ClassTag$;
import scala.runtime.AbstractFunction1;
import scala.runtime.AbstractFunction2;
import scala.runtime.BoxedUnit;

/**
 * Runs the tasks of a scenario on a Spark cluster (or {@code local[*]}): the Monte Carlo engine of
 * {@link Engine}, with executors instead of threads, writing to any Hadoop-compatible file system.
 *
 * <p>The driver lists the tasks without a row in the output (the results file and the part files
 * of earlier runs: resume is per row), waits for the cluster's executors to register
 * ({@link #clusterCores}), and splits the missing tasks into partitions of about equal cost
 * ({@link Shards#split}: cost {@code n × restarts}, largest first to the least-loaded partition;
 * by default 4 per core of the cluster). Each executor rebuilds the scenario from its
 * self-contained text ({@link PortableScenario}: the models travel with it, so executors need
 * none of the driver's files; once per JVM), computes its tasks with the core's
 * {@link Tasks.Runner} and writes each row, as soon as it is computed, to a part file of the
 * output folder, in the results file's format. A task attempt that Spark retries (its executor
 * died) skips the rows its earlier attempts wrote. Only counts come back to the driver, which at
 * the end streams the part files' rows into the results file, each task once
 * ({@link OutputFolder}); its memory does not grow with the rows. Rows are bit-identical to the
 * threaded engine's (all columns but {@code seconds}), since a row depends only on the scenario
 * and the task. A failed fit is a row with status {@code failed}, as in the threaded engine.
 */
public final class SparkEngine {
    private final JavaSparkContext sc;
    private final int partitions;
    private final PrintStream progress;
    private final double executorWaitSeconds;

    /**
     * What a run did.
     *
     * @param results the results file (a Hadoop path)
     * @param tasks the scenario's tasks
     * @param skipped tasks whose row was present before the run
     * @param ran tasks computed by this run
     * @param failed failed fits among them
     * @param capped fits among them stopped at the iteration cap
     * @param seconds wall-clock time of the run
     * @param partitions partitions of the job (0 when nothing was left to compute)
     * @param cores cores of the cluster when the tasks were split
     */
    public record Report(String results, long tasks, long skipped, long ran, long failed, long capped, double seconds,
                         int partitions, int cores) {
        /** {@return fits per second of wall-clock time} */
        public double fitsPerSecond() {
            return seconds > 0 ? ran / seconds : 0;
        }
    }

    /**
     * An engine that waits up to 60 s for executors to register.
     *
     * @param sc the Spark context
     * @param partitions number of partitions of the tasks, or 0 for 4 per core of the cluster
     *     (counted once the executors have registered); more partitions balance better, fewer cost
     *     less scheduling
     * @param progress where the progress bar goes (stderr), or null for none
     */
    public SparkEngine(JavaSparkContext sc, int partitions, PrintStream progress) {
        this(sc, partitions, progress, 60);
    }

    /**
     * An engine.
     *
     * @param sc the Spark context
     * @param partitions number of partitions, or 0 for 4 per core of the cluster
     * @param progress where the progress bar goes, or null for none
     * @param executorWaitSeconds how long to wait at most for the cluster's executors to register
     *     before counting its cores ({@link #clusterCores})
     */
    public SparkEngine(JavaSparkContext sc, int partitions, PrintStream progress, double executorWaitSeconds) {
        if (partitions < 0) {
            throw new IllegalArgumentException("--partitions: must be >= 0 (0 = automatic), got " + partitions);
        }
        if (!(executorWaitSeconds >= 0)) {
            throw new IllegalArgumentException("--executor-wait: must be >= 0 seconds, got " + executorWaitSeconds);
        }
        this.sc = sc;
        this.partitions = partitions;
        this.progress = progress;
        this.executorWaitSeconds = executorWaitSeconds;
    }

    /**
     * Runs the tasks of a scenario missing from a local results file.
     *
     * @param file the scenario file
     * @param quick whether to run the scenario's reduced {@code --quick} grid
     * @param resultsFile the results file, created or resumed
     * @return what the run did
     */
    public Report run(java.nio.file.Path file, boolean quick, java.nio.file.Path resultsFile) {
        return run(file, quick, resultsFile.toAbsolutePath().toString());
    }

    /**
     * Runs the tasks of a scenario missing from a results file on any Hadoop-compatible file
     * system (the executors write to it: on a cluster of several machines, a shared one).
     *
     * @param file the scenario file (read by the driver)
     * @param quick whether to run the scenario's reduced {@code --quick} grid
     * @param resultsFile the results file: a path with a scheme ({@code hdfs://}, {@code s3a://},
     *     {@code file:}), or a local path of the driver
     * @return what the run did
     */
    public Report run(java.nio.file.Path file, boolean quick, String resultsFile) {
        long t0 = System.nanoTime();
        Scenario read = ScenarioFiles.read(file);
        PortableScenario portable = PortableScenario.of(file, read, quick);
        Scenario s = portable.scenario(); // what the executors will rebuild (its fingerprint is checked)
        OutputFolder out = new OutputFolder(OutputFolder.path(resultsFile));
        Configuration conf = sc.hadoopConfiguration();
        FileSystem fs = OutputFolder.fs(out.results(), conf);
        FileChannel lock = out.isLocal() ? OutputFolder.lock(out.localResults()) : null;
        try {
            Set<String> present = out.keys(fs, s);
            List<Task> all = Tasks.all(s);
            List<Task> todo = all.stream().filter(t -> !present.contains(t.key())).toList();
            long skipped = all.size() - todo.size();
            present.clear();
            if (todo.isEmpty()) {
                out.merge(fs, s, Set.of()); // rows of an earlier run's part files
                return new Report(out.results().toString(), all.size(), skipped, 0, 0, 0, seconds(t0), 0, 0);
            }
            int cores = clusterCores(sc.sc(), executorWaitSeconds);
            int p = Math.min(partitions > 0 ? partitions : 4 * cores, todo.size());
            List<ArrayList<Task>> bundles = bundles(s, todo, p);
            Set<String> counted = new HashSet<>();
            todo.forEach(t -> counted.add(t.key()));
            fs.mkdirs(out.parts());
            String run = UUID.randomUUID().toString().substring(0, 8);
            Progress bar = new Progress(progress, todo.size(), todo.stream().mapToDouble(Task::n).sum());
            RDD<ArrayList<Task>> rdd = sc.parallelize(bundles, bundles.size()).rdd();
            // The Hadoop configuration (with spark.hadoop.*) once per executor, not with every task.
            Broadcast<Conf> hadoop = sc.broadcast(new Conf(conf));
            RunPartition work = new RunPartition(portable, hadoop, out.parts().toString(), run);
            Exception failure = null;
            try {
                sc.sc().runJob(rdd, work, new AbstractFunction2<Object, int[], BoxedUnit>() {
                    @Override
                    public BoxedUnit apply(Object partition, int[] ns) {
                        for (int n : ns) { // on the driver, as each partition finishes: its tasks' n, negative if failed
                            bar.step(Math.abs(n), n > 0);
                        }
                        return BoxedUnit.UNIT;
                    }
                }, ClassTag$.MODULE$.apply(int[].class));
            } catch (Exception e) { // SparkException, checked, thrown undeclared from Scala
                failure = e;
            } finally {
                hadoop.destroy();
            }
            OutputFolder.Merged m = out.merge(fs, s, counted);
            if (failure != null) {
                throw new IllegalStateException("the Spark job failed; the " + m.added() + " rows computed before are"
                        + " kept in " + out.results() + " (rerun to resume): " + rootMessage(failure), failure);
            }
            return new Report(out.results().toString(), all.size(), skipped, m.added(), m.failed(), m.capped(),
                    seconds(t0), bundles.size(), cores);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write to " + out.parts() + ": " + e.getMessage(), e);
        } finally {
            if (lock != null) {
                OutputFolder.unlock(out.localResults(), lock);
            }
        }
    }

    private static double seconds(long t0) {
        return (System.nanoTime() - t0) / 1e9;
    }

    /** Partitions of about equal cost; within one the largest task first, partitions in the order of their largest. */
    static List<ArrayList<Task>> bundles(Scenario s, List<Task> todo, int p) {
        List<List<Task>> split = Shards.split(todo, p, t -> Shards.cost(s, t));
        List<ArrayList<Task>> bundles = new ArrayList<>();
        for (List<Task> b : split) {
            ArrayList<Task> sorted = new ArrayList<>(b);
            sorted.sort(Comparator.comparingDouble((Task t) -> -Shards.cost(s, t)));
            bundles.add(sorted);
        }
        bundles.sort(Comparator.comparingDouble((ArrayList<Task> b) -> -Shards.cost(s, b.get(0))));
        return bundles;
    }

    /**
     * The cores of the cluster, counted after its executors have registered: in local mode at
     * once; else the number of cores the scheduler offers ({@code defaultParallelism}, i.e. the
     * executors' cores unless {@code spark.default.parallelism} is set) once the expected cores
     * have registered (the product of {@code spark.executor.instances} (or
     * {@code spark.dynamicAllocation.maxExecutors}) and {@code spark.executor.cores}, or
     * {@code spark.cores.max}) or, when the cluster does not say, once the count has stayed the
     * same for 3 s after the first executor registered; at most {@code maxWaitSeconds}.
     *
     * @param sc the Spark context
     * @param maxWaitSeconds the longest wait
     * @return the cores, at least 1
     */
    public static int clusterCores(SparkContext sc, double maxWaitSeconds) {
        if (sc.isLocal()) {
            return Math.max(1, sc.defaultParallelism());
        }
        long expected = expectedCores(sc.getConf());
        long start = System.nanoTime();
        long deadline = start + (long) (maxWaitSeconds * 1e9);
        int last = -1;
        long changed = start;
        while (true) {
            int executors = sc.statusTracker().getExecutorInfos().length - 1; // the driver is listed too
            int cores = executors > 0 ? sc.defaultParallelism() : 0;
            long now = System.nanoTime();
            if (cores != last) {
                last = cores;
                changed = now;
            }
            if (expected > 0 && cores >= expected
                    || expected <= 0 && cores > 0 && now - changed >= 3_000_000_000L
                    || now >= deadline) {
                return Math.max(1, cores > 0 ? cores : sc.defaultParallelism());
            }
            try {
                Thread.sleep(200);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return Math.max(1, sc.defaultParallelism());
            }
        }
    }

    private static long expectedCores(SparkConf c) {
        if (c.contains("spark.default.parallelism")) {
            return c.getInt("spark.default.parallelism", 0);
        }
        int perExecutor = c.getInt("spark.executor.cores", 0);
        int executors = c.getBoolean("spark.dynamicAllocation.enabled", false)
                ? c.getInt("spark.dynamicAllocation.maxExecutors", 0) : c.getInt("spark.executor.instances", 0);
        if (perExecutor > 0 && executors > 0) {
            return (long) perExecutor * executors;
        }
        return c.getInt("spark.cores.max", 0);
    }

    private static String rootMessage(Throwable e) {
        Throwable c = e;
        while (c.getCause() != null && c.getCause() != c) {
            c = c.getCause();
        }
        String first = String.valueOf(c.getMessage()).lines().findFirst().orElse("");
        return c.getClass().getSimpleName() + ": " + first;
    }

    /**
     * The rows of a results file as a DataFrame, with typed columns (integers, doubles, the
     * {@code converged} boolean; the rest text).
     *
     * @param spark the session
     * @param resultsFile the results file (a Hadoop path, or a local path of the driver)
     * @return its rows
     */
    public static Dataset<Row> results(SparkSession spark, String resultsFile) {
        return spark.read().option("header", "true").option("mode", "FAILFAST").schema(schema())
                .csv(OutputFolder.path(resultsFile).toString());
    }

    /**
     * Writes the rows of a results file as Parquet ({@code results.parquet} beside it, replaced).
     *
     * @param spark the session
     * @param resultsFile the results file
     * @return the Parquet folder
     */
    public static String writeParquet(SparkSession spark, String resultsFile) {
        Path results = OutputFolder.path(resultsFile);
        String target = new Path(results.getParent(), "results.parquet").toString();
        results(spark, results.toString()).write().mode("overwrite").parquet(target);
        return target;
    }

    /** The typed schema of a results file. */
    static StructType schema() {
        List<String> ints = List.of("L", "L_star", "n", "replicate", "iterations", "evaluations", "empty_cells");
        List<String> doubles = List.of("objective", "noise_variance", "d1", "d2", "regression", "single", "multi",
                "multi_weighted", "seconds", "gauss_newton_decrement");
        List<StructField> fields = new ArrayList<>();
        for (String c : ResultRow.COLUMNS) {
            DataType t = ints.contains(c) ? DataTypes.IntegerType : doubles.contains(c) ? DataTypes.DoubleType
                    : c.equals("converged") ? DataTypes.BooleanType : DataTypes.StringType;
            fields.add(DataTypes.createStructField(c, t, true));
        }
        return DataTypes.createStructType(fields);
    }

    /** A Hadoop configuration that travels to the executors (the driver's, with every {@code spark.hadoop.*} setting). */
    static final class Conf implements Serializable {
        private static final long serialVersionUID = 1L;
        private transient Configuration conf;

        Conf(Configuration conf) {
            this.conf = conf;
        }

        Configuration get() {
            return conf;
        }

        private void writeObject(ObjectOutputStream out) throws IOException {
            out.defaultWriteObject();
            conf.write(new DataOutputStream(out));
        }

        private void readObject(ObjectInputStream in) throws IOException, ClassNotFoundException {
            in.defaultReadObject();
            conf = new Configuration(false);
            conf.readFields(new DataInputStream(in));
        }
    }

    /**
     * The work of one partition, on an executor: each task's row, written to this attempt's part
     * file as soon as it is computed; the tasks whose rows an earlier attempt of the partition
     * wrote are skipped. Returns each task's {@code n}, negative for a failed fit.
     */
    private static final class RunPartition extends AbstractFunction1<Iterator<ArrayList<Task>>, int[]>
            implements Serializable {
        private static final long serialVersionUID = 1L;
        /** One runner per scenario and JVM: an executor prepares a scenario once, not per partition. */
        private static final Map<PortableScenario, Tasks.Runner> RUNNERS = new ConcurrentHashMap<>();
        private final PortableScenario scenario;
        private final Broadcast<Conf> conf;
        private final String parts;
        private final String run;

        RunPartition(PortableScenario scenario, Broadcast<Conf> conf, String parts, String run) {
            this.scenario = scenario;
            this.conf = conf;
            this.parts = parts;
            this.run = run;
        }

        @Override
        public int[] apply(Iterator<ArrayList<Task>> it) {
            Tasks.Runner runner = RUNNERS.computeIfAbsent(scenario, k -> Tasks.runner(k.scenario()));
            TaskContext ctx = TaskContext.get();
            String prefix = String.format(Locale.ROOT, "%s-p%05d-", run, ctx.partitionId());
            Path dir = new Path(parts);
            FileSystem fs = OutputFolder.fs(dir, conf.value().get());
            OutputFolder folder = new OutputFolder(new Path(dir.getParent(), dir.getName().replaceAll("\\.parts$", "")));
            Set<String> done = new HashSet<>();
            for (Path earlier : folder.partFiles(fs, prefix)) { // a retried attempt: rows its predecessors wrote
                OutputFolder.readRows(fs, earlier, runner.scenario(), false, l -> done.add(l.key()));
            }
            List<Integer> ns = new ArrayList<>();
            Path file = new Path(dir, prefix + "t" + ctx.taskAttemptId() + ".csv");
            try (FSDataOutputStream os = fs.create(file, false);
                 Writer w = new OutputStreamWriter(os, StandardCharsets.UTF_8)) {
                boolean flushes = os.hasCapability(StreamCapabilities.HFLUSH);
                w.write(OutputFolder.WRITE.format(ResultRow.COLUMNS.toArray()) + "\n");
                while (it.hasNext()) {
                    for (Task t : it.next()) {
                        if (done.contains(t.key())) {
                            ns.add(t.n());
                            continue;
                        }
                        ResultRow row = runner.run(t);
                        w.write(OutputFolder.WRITE.format((Object[]) row.values()) + "\n");
                        w.flush();
                        if (flushes) {
                            os.hflush(); // the row is durable before the next one starts
                        }
                        ns.add(row.ok() ? t.n() : -t.n());
                    }
                }
            } catch (IOException e) {
                throw new UncheckedIOException("cannot write " + file + ": " + e.getMessage(), e);
            }
            return ns.stream().mapToInt(Integer::intValue).toArray();
        }
    }
}
