package org.prefixmoe.bench;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.prefixmoe.estimation.FitProblem;
import org.prefixmoe.estimation.FitResult;
import org.prefixmoe.estimation.LeastSquaresEstimator;
import org.prefixmoe.loss.VoronoiLoss;
import org.prefixmoe.model.MixingMeasure;
import org.prefixmoe.simulation.ResultRow;
import org.prefixmoe.simulation.ResultsFile;
import org.prefixmoe.simulation.Scenario;
import org.prefixmoe.simulation.ScenarioFiles;
import org.prefixmoe.simulation.Task;
import org.prefixmoe.simulation.Tasks;

/**
 * How far the committed fits that are not certified sit from the optimum they were crawling to (issue 23,
 * docs/solver-flat-sets.md, "How much the not-certified fits move the over-specified figure"): every converged row
 * of a results file with {@code gauss_newton_decrement > 1e-9} and N_MIN ≤ n ≤ N_MAX (N_MIN 0 unless given) is refitted as its study did
 * ({@link Tasks#replay}, checked against the row) and continued by {@code lm} from its estimate with every tolerance
 * at 1e-15 and a cap of 20,000 iterations. Prints per fit the objective and D_1 at the committed estimate and after
 * the polish, and the polish's iterations and stop reason. Two threads.
 *
 * <pre>
 * java -cp ... org.prefixmoe.bench.FigurePolish SCENARIO RESULTS N_MAX [N_MIN]
 * </pre>
 */
public final class FigurePolish {
    private FigurePolish() {
    }

    /**
     * Entry point.
     *
     * @param args scenario file, its results file, the largest n to polish, optionally the smallest
     * @throws Exception on bad input or a row that does not recompute
     */
    public static void main(String[] args) throws Exception {
        Scenario s = ScenarioFiles.read(Path.of(args[0]));
        List<ResultRow> rows = ResultsFile.read(Path.of(args[1]));
        int nMax = Integer.parseInt(args[2]);
        int nMin = args.length > 3 ? Integer.parseInt(args[3]) : 0;
        List<ResultRow> chosen = rows.stream().filter(r -> r.notCertified() && r.n() <= nMax && r.n() >= nMin)
                .toList();
        LeastSquaresEstimator polish = new LeastSquaresEstimator(
                new LeastSquaresEstimator.Options(20_000, 1e-15, 1e-15, 1e-15));
        ExecutorService pool = Executors.newFixedThreadPool(2);
        List<Future<String>> out = new ArrayList<>();
        for (ResultRow r : chosen) {
            out.add(pool.submit(() -> {
                Task task = Tasks.task(s, r.study(), r.n(), r.replicate());
                Scenario.Study st = s.studies().get(task.study());
                Tasks.Replay replay = Tasks.replay(s, task);
                List<String> differ = replay.row().differencesFrom(r);
                if (!differ.isEmpty()) {
                    throw new IllegalStateException(r.key() + " does not recompute: " + differ);
                }
                FitProblem problem = new FitProblem(st.fitted().model(), replay.data(), st.atoms(), st.fitted().box());
                MixingMeasure g = replay.fit().estimate();
                FitResult p = polish.fit(problem, g);
                MixingMeasure truth = st.truth().truth();
                return String.format(Locale.ROOT, "%s %d %d %.17g %.17g %.6e %.6g %.6g %d %s %.3e", r.study(), r.n(),
                        r.replicate(), r.objective(), p.objective(), (r.objective() - p.objective()) / r.objective(),
                        r.d1(), VoronoiLoss.d1(p.estimate(), truth), p.iterations(), p.stopReason().label(),
                        r.gaussNewtonDecrement());
            }));
        }
        System.out.println("study n replicate objective polished_objective gain d1 polished_d1 polish_iterations"
                + " polish_stop decrement");
        for (Future<String> f : out) {
            System.out.println(f.get());
        }
        pool.shutdown();
    }
}
