package org.prefixmoe.spark;

import java.io.PrintStream;
import java.io.Serializable;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.spark.SparkContext;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.rdd.RDD;
import org.prefixmoe.estimation.StopReason;
import org.prefixmoe.simulation.ScenarioFiles;
import org.prefixmoe.simulation.Engine;
import org.prefixmoe.simulation.Progress;
import org.prefixmoe.simulation.ResultRow;
import org.prefixmoe.simulation.ResultsFile;
import org.prefixmoe.simulation.Scenario;
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
 * {@link Engine}, with executors instead of threads.
 *
 * <p>The driver opens the results file (taking its lock, as the threaded engine does), lists the
 * tasks without a row (resume), and splits them into partitions of about equal cost
 * ({@link Shards#split}: cost {@code n × restarts}, largest first to the least-loaded partition).
 * Each executor rebuilds the scenario from its self-contained text ({@link PortableScenario}: the
 * models travel with it, so executors need none of the driver's files; once per JVM) and computes its tasks with the core's {@link Tasks.Runner}; each partition's rows come back to
 * the driver as soon as it finishes and are appended there, one line each, by the same
 * {@link ResultsFile}. Rows are bit-identical to the threaded engine's (all columns but
 * {@code seconds}), since a row depends only on the scenario and the task. A failed fit is a row
 * with status {@code failed}, as in the threaded engine; an executor that dies is retried by
 * Spark, and a run that stops keeps every row appended so far (rerun to resume).
 */
public final class SparkEngine {
    private final JavaSparkContext sc;
    private final int partitions;
    private final PrintStream progress;

    /**
     * @param sc the Spark context
     * @param partitions number of partitions of the tasks, or 0 for 4 per core of the cluster
     *     ({@code defaultParallelism}); more partitions save rows more often and balance better,
     *     fewer cost less scheduling
     * @param progress where the progress bar goes (stderr), or null for none
     */
    public SparkEngine(JavaSparkContext sc, int partitions, PrintStream progress) {
        if (partitions < 0) {
            throw new IllegalArgumentException("--partitions: must be >= 0 (0 = automatic), got " + partitions);
        }
        this.sc = sc;
        this.partitions = partitions;
        this.progress = progress;
    }

    /**
     * Runs the tasks of a scenario missing from {@code resultsFile}.
     *
     * @param file the scenario file
     * @param quick whether to run the scenario's reduced {@code --quick} grid
     * @param resultsFile the results file, created or resumed
     * @return what the run did
     */
    public Engine.Report run(Path file, boolean quick, Path resultsFile) {
        long t0 = System.nanoTime();
        Scenario read = ScenarioFiles.read(file);
        PortableScenario portable = PortableScenario.of(file, read, quick);
        Scenario s = portable.scenario(); // what the executors will rebuild (its fingerprint is checked)
        try (ResultsFile out = ResultsFile.open(resultsFile, s.fingerprint())) {
            List<Task> all = Tasks.all(s);
            List<Task> todo = all.stream().filter(t -> !out.has(t)).toList();
            if (todo.isEmpty()) {
                return new Engine.Report(resultsFile, all.size(), all.size(), 0, 0, 0, (System.nanoTime() - t0) / 1e9);
            }
            int p = partitions > 0 ? partitions : 4 * sc.defaultParallelism();
            List<List<Task>> split = Shards.split(todo, Math.min(p, todo.size()), t -> Shards.cost(s, t));
            List<ArrayList<Task>> bundles = new ArrayList<>();
            for (List<Task> b : split) {
                // Within a partition, the largest task first; partitions in the order of their largest task.
                ArrayList<Task> sorted = new ArrayList<>(b);
                sorted.sort(Comparator.comparingDouble((Task t) -> -Shards.cost(s, t)));
                bundles.add(sorted);
            }
            bundles.sort(Comparator.comparingDouble((ArrayList<Task> b) -> -Shards.cost(s, b.get(0))));
            Progress bar = new Progress(progress, todo.size(), todo.stream().mapToDouble(Task::n).sum());
            long[] counts = new long[2]; // failed, at the iteration cap
            RDD<ArrayList<Task>> rdd = sc.parallelize(bundles, bundles.size()).rdd();
            SparkContext context = sc.sc();
            try {
                context.runJob(rdd, new RunPartition(portable), new AbstractFunction2<Object, ResultRow[], BoxedUnit>() {
                    @Override
                    public BoxedUnit apply(Object partition, ResultRow[] rows) {
                        for (ResultRow row : rows) { // on the driver, as each partition finishes
                            out.append(row);
                            counts[0] += row.ok() ? 0 : 1;
                            counts[1] += row.get("stop_reason").equals(StopReason.MAX_ITERATIONS.label()) ? 1 : 0;
                            bar.step(Integer.parseInt(row.get("n")), row.ok());
                        }
                        return BoxedUnit.UNIT;
                    }
                }, ClassTag$.MODULE$.apply(ResultRow[].class));
            } catch (RuntimeException e) {
                throw new IllegalStateException("the Spark job failed (rows computed so far are kept in "
                        + resultsFile + "; rerun to resume): " + rootMessage(e), e);
            }
            return new Engine.Report(resultsFile, all.size(), all.size() - todo.size(), todo.size(), counts[0],
                    counts[1], (System.nanoTime() - t0) / 1e9);
        }
    }

    private static String rootMessage(Throwable e) {
        Throwable c = e;
        while (c.getCause() != null && c.getCause() != c) {
            c = c.getCause();
        }
        String first = String.valueOf(c.getMessage()).lines().findFirst().orElse("");
        return c.getClass().getSimpleName() + ": " + first;
    }

    /** The work of one partition, on an executor: each task's row, through the core's task API. */
    private static final class RunPartition extends AbstractFunction1<Iterator<ArrayList<Task>>, ResultRow[]>
            implements Serializable {
        private static final long serialVersionUID = 1L;
        /** One runner per scenario and JVM: an executor prepares a scenario once, not per partition. */
        private static final Map<PortableScenario, Tasks.Runner> RUNNERS = new ConcurrentHashMap<>();
        private final PortableScenario scenario;

        RunPartition(PortableScenario scenario) {
            this.scenario = scenario;
        }

        @Override
        public ResultRow[] apply(Iterator<ArrayList<Task>> it) {
            Tasks.Runner runner = RUNNERS.computeIfAbsent(scenario, k -> Tasks.runner(k.scenario()));
            List<ResultRow> rows = new ArrayList<>();
            while (it.hasNext()) {
                for (Task t : it.next()) {
                    rows.add(runner.run(t));
                }
            }
            return rows.toArray(new ResultRow[0]);
        }
    }
}
