package org.prefixmoe.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.prefixmoe.estimation.FitProblem;
import org.prefixmoe.estimation.FitResult;
import org.prefixmoe.estimation.Initializer;
import org.prefixmoe.estimation.LeastSquaresEstimator;
import org.prefixmoe.estimation.NearTruthInitializer;
import org.prefixmoe.estimation.RandomInitializer;
import org.prefixmoe.estimation.StopReason;
import org.prefixmoe.estimation.StopRule;
import org.prefixmoe.io.DatasetCsv;
import org.prefixmoe.io.ModelFiles;
import org.prefixmoe.model.MixingMeasure;
import org.prefixmoe.model.TruthModel;
import org.prefixmoe.sampling.Dataset;
import org.prefixmoe.sampling.RandomStreams;
import org.prefixmoe.sampling.RegressionSampler;

/**
 * The toolkit's side of {@code bench/same_start.py}: one data set from a truth, several near-truth
 * and random starts (fixed seeds, projected onto the box), and from each start one least-squares
 * fit with an optional method of issue 23 ({@code flat} unless METHOD names another; rule
 * {@code new}) and one with the default {@code lm} method (rule {@code old}). The two fits of a start run back to back in alternating
 * order on one thread, timed in thread CPU time.
 * Writes {@code data.csv}, {@code starts.json} and {@code toolkit.json} to the output folder.
 *
 * <pre>
 * java -cp target/classes:target/test-classes:CP org.prefixmoe.bench.SameStartFits MODEL N SEED NEAR RANDOM L OUT [METHOD]
 * </pre>
 */
public final class SameStartFits {
    private SameStartFits() {
    }

    /** The stop rule before issue 8: objective change on any accepted step, then the step test. */
    static StopRule oldRule(double objectiveTolerance, double stepTolerance) {
        StopRule objective = it -> it.relativeReduction() <= objectiveTolerance
                ? Optional.of(StopReason.OBJECTIVE_CHANGE) : Optional.empty();
        return objective.or(StopRule.stepSize(stepTolerance));
    }

    private static long cpu() {
        return ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime();
    }

    /**
     * Entry point.
     *
     * @param args model file, n, seed, near-truth starts, random starts, L, output folder, optional
     *     method of the new fits (flat by default)
     * @throws IOException if the output cannot be written
     */
    public static void main(String[] args) throws IOException {
        TruthModel tm = ModelFiles.read(Path.of(args[0]));
        int n = Integer.parseInt(args[1]);
        long seed = Long.parseLong(args[2]);
        int near = Integer.parseInt(args[3]);
        int random = Integer.parseInt(args[4]);
        int atoms = Integer.parseInt(args[5]);
        Path out = Path.of(args[6]);
        Files.createDirectories(out);
        Dataset data = RegressionSampler.of(tm).sample(n, RandomStreams.stream(seed, 1));
        DatasetCsv.write(data, out.resolve("data.csv"));
        FitProblem problem = new FitProblem(tm.model(), data, atoms, tm.box());

        List<Map<String, Object>> starts = new ArrayList<>();
        List<MixingMeasure> measures = new ArrayList<>();
        for (int k = 0; k < near + random; k++) {
            boolean isNear = k < near;
            Initializer init = isNear ? new NearTruthInitializer(tm.truth()) : new RandomInitializer();
            MixingMeasure raw = init.start(problem, RandomStreams.stream(seed, isNear ? 2 : 3, k));
            MixingMeasure start = MixingMeasure.unpack(problem.startVector(raw), raw.atomDimension(), raw.hasBias());
            measures.add(start);
            Map<String, Object> s = new LinkedHashMap<>();
            s.put("start", k);
            s.put("type", isNear ? "near-truth" : "random");
            s.put("atoms", start.atoms());
            s.put("biases", start.biases());
            starts.add(s);
        }
        // the reference is lm with its cap of 500, as in every run of issue 23 (the default until then)
        LeastSquaresEstimator.Options options = LeastSquaresEstimator.Options.LEGACY_LM;
        // args[7]: the method compared with lm, optionally METHOD@DAMPING for another initial damping; "default" is
        // Options.DEFAULT (trf-pair-m, cap 1,000; trf-pair-w before the last switch of issue 23), trf-pair-f,
        // trf-pair-g and trf-pair-m the default's options with that method; any other
        // label runs with lm's cap of 500
        String[] spec = (args.length > 7 ? args[7] : "flat").split("@");
        LeastSquaresEstimator.Options chosen = spec[0].equals("default") ? LeastSquaresEstimator.Options.DEFAULT
                : spec[0].equals("trf-pair-f") || spec[0].equals("trf-pair-g") || spec[0].equals("trf-pair-m")
                ? LeastSquaresEstimator.Options.DEFAULT.withMethod(LeastSquaresEstimator.Method.byLabel(spec[0]))
                : options.withMethod(LeastSquaresEstimator.Method.byLabel(spec[0]));
        LeastSquaresEstimator current = new LeastSquaresEstimator(spec.length > 1
                ? chosen.withInitialDamping(Double.parseDouble(spec[1])) : chosen);
        LeastSquaresEstimator old = new LeastSquaresEstimator(options);
        // Warm-up (JIT) on the first starts, not recorded.
        for (int k = 0; k < Math.min(4, measures.size()); k++) {
            current.fit(problem, measures.get(k));
            old.fit(problem, measures.get(k));
        }
        List<Map<String, Object>> rows = new ArrayList<>();
        for (int k = 0; k < measures.size(); k++) {
            LeastSquaresEstimator[] order = k % 2 == 0 ? new LeastSquaresEstimator[] {current, old}
                    : new LeastSquaresEstimator[] {old, current};
            for (LeastSquaresEstimator est : order) {
                long t0 = cpu();
                FitResult fit = est.fit(problem, measures.get(k));
                long t1 = cpu();
                Map<String, Object> r = new LinkedHashMap<>();
                r.put("start", k);
                r.put("type", starts.get(k).get("type"));
                r.put("rule", est == current ? "new" : "old");
                r.put("objective", fit.objective());
                r.put("iterations", fit.iterations());
                r.put("evaluations", fit.evaluations());
                r.put("stop", fit.stopReason().label());
                r.put("converged", fit.converged());
                r.put("cpu_ms", (t1 - t0) / 1e6);
                r.put("atoms", fit.estimate().atoms());
                r.put("biases", fit.estimate().biases());
                rows.add(r);
            }
        }
        ObjectMapper json = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
        json.writeValue(out.resolve("starts.json").toFile(), starts);
        json.writeValue(out.resolve("toolkit.json").toFile(), rows);
        System.out.println("wrote " + out + ": " + measures.size() + " starts, " + rows.size() + " fits");
    }
}
