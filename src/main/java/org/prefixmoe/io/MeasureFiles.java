package org.prefixmoe.io;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import org.prefixmoe.estimation.FitResult;
import org.prefixmoe.model.MixingMeasure;
import org.prefixmoe.model.PrefixModel;

/**
 * Reads and writes estimates (a mixing measure and, optionally, its fit report) as JSON:
 * {@code {"parameterization": ..., "atoms": [[...]], "biases": [...], "fit": {...}}}.
 */
public final class MeasureFiles {
    private MeasureFiles() {
    }

    /**
     * The fields of an estimate, for writing.
     *
     * @param parameterization the name of the parameterization the atoms are expressed in
     * @param fit the fit whose estimate and report are written
     * @return field name to value, in file order
     */
    public static Map<String, Object> toMap(String parameterization, FitResult fit) {
        return toMap(parameterization, fit, Double.NaN);
    }

    /**
     * The fields of an estimate with its least-squares fit's Gauss–Newton decrement in the fit report
     * ({@code gaussNewtonDecrement}; {@code GaussNewtonCertificate}), for writing.
     *
     * @param parameterization the name of the parameterization the atoms are expressed in
     * @param fit the fit whose estimate and report are written
     * @param gaussNewtonDecrement the decrement at the estimate; NaN leaves the field out
     * @return field name to value, in file order
     */
    public static Map<String, Object> toMap(String parameterization, FitResult fit, double gaussNewtonDecrement) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("parameterization", parameterization);
        m.put("atoms", fit.estimate().atoms());
        if (fit.estimate().hasBias()) {
            m.put("biases", fit.estimate().biases());
        }
        Map<String, Object> report = new LinkedHashMap<>();
        report.put("objective", fit.objective());
        report.put("sigma2", fit.noiseVariance());
        report.put("iterations", fit.iterations());
        report.put("evaluations", fit.evaluations());
        report.put("converged", fit.converged());
        report.put("stopReason", fit.stopReason().label());
        if (Double.isFinite(gaussNewtonDecrement)) {
            report.put("gaussNewtonDecrement", gaussNewtonDecrement);
        }
        m.put("fit", report);
        return m;
    }

    /**
     * Writes an estimate atomically as JSON.
     *
     * @param file the JSON file
     * @param parameterization the name of the parameterization the atoms are expressed in
     * @param fit the fit whose estimate and report are written
     */
    public static void write(Path file, String parameterization, FitResult fit) {
        write(file, parameterization, fit, Double.NaN);
    }

    /**
     * Writes an estimate atomically as JSON, with its Gauss–Newton decrement in the fit report.
     *
     * @param file the JSON file
     * @param parameterization the name of the parameterization the atoms are expressed in
     * @param fit the fit whose estimate and report are written
     * @param gaussNewtonDecrement the decrement at the estimate; NaN leaves the field out
     */
    public static void write(Path file, String parameterization, FitResult fit, double gaussNewtonDecrement) {
        Map<String, Object> map = toMap(parameterization, fit, gaussNewtonDecrement);
        AtomicFiles.write(file, out -> Tree.JSON.writerWithDefaultPrettyPrinter().writeValue(out, map));
    }

    /**
     * An estimate read back.
     *
     * @param parameterization the parameterization it is expressed in (empty if not given)
     * @param measure the estimated measure
     * @param converged whether its fit converged (true when the file has no fit report)
     * @param stopReason why its fit stopped (empty when the file has no fit report)
     * @param sigma2 the fit's noise variance σ² (NaN when the file has no fit report or no {@code sigma2})
     */
    public record Estimate(String parameterization, MixingMeasure measure, boolean converged, String stopReason,
                           double sigma2) {
        /**
         * An estimate without a noise variance.
         *
         * @param parameterization the parameterization it is expressed in (empty if not given)
         * @param measure the estimated measure
         * @param converged whether its fit converged
         * @param stopReason why its fit stopped (may be empty)
         */
        public Estimate(String parameterization, MixingMeasure measure, boolean converged, String stopReason) {
            this(parameterization, measure, converged, stopReason, Double.NaN);
        }
    }

    /**
     * Reads an estimate written by {@link #write}, or any file with {@code atoms} (and {@code biases}).
     *
     * @param file a JSON or YAML file
     * @return the estimate
     * @throws InputFileException naming the file and field when it is malformed
     */
    public static Estimate read(Path file) {
        Tree t = Tree.read(file);
        t.allowOnly(Set.of("parameterization", "atoms", "biases", "fit"));
        double[][] atoms = t.matrix("atoms");
        double[] biases = t.has("biases") ? t.vector("biases") : null;
        MixingMeasure g = t.check(() -> new MixingMeasure(atoms, biases));
        return estimate(t, g);
    }

    private static Estimate estimate(Tree t, MixingMeasure g) {
        boolean converged = true;
        String stop = "";
        double sigma2 = Double.NaN;
        if (t.has("fit")) {
            Tree fit = t.object("fit");
            converged = fit.bool("converged", true);
            stop = fit.string("stopReason", "");
            sigma2 = fit.number("sigma2", Double.NaN);
        }
        return new Estimate(t.string("parameterization", ""), g, converged, stop, sigma2);
    }

    /**
     * Reads an estimate of {@code model} with any number of atoms, e.g. to predict with it: its
     * parameterization (if given) must be the model's, its atoms of the model's atom dimension,
     * with biases exactly when the model has them.
     *
     * @param file the estimate file ({@link #write}'s format)
     * @param model the model the estimate was fitted with
     * @return the estimate
     * @throws InputFileException naming the file and the field that does not fit the model
     */
    public static Estimate readFor(Path file, PrefixModel model) {
        Tree t = Tree.read(file);
        t.allowOnly(Set.of("parameterization", "atoms", "biases", "fit"));
        MixingMeasure g = measureFor(t, model, -1);
        return estimate(t, g);
    }

    /** The measure of an estimate tree checked against a model ({@code atoms} < 0: any L). */
    private static MixingMeasure measureFor(Tree t, PrefixModel model, int atoms) {
        String name = model.parameterization().name();
        String given = t.string("parameterization", "");
        if (!given.isEmpty() && !given.equals(name)) {
            throw t.error("parameterization", "the estimate is " + given + " but the model is " + name);
        }
        double[][] rows = t.matrix("atoms");
        if (rows.length == 0) {
            throw t.error("atoms", "no atoms");
        }
        if (atoms >= 0 && rows.length != atoms) {
            throw t.error("atoms", "has " + rows.length + " atoms, the fit has L = " + atoms);
        }
        if (rows[0].length != model.atomDimension()) {
            throw t.error("atoms", "atoms have " + rows[0].length + " coordinates, the " + name
                    + " parameterization needs " + model.atomDimension());
        }
        int l = rows.length;
        double[] biases = null;
        if (model.hasBias()) {
            biases = t.vector("biases");
            if (biases.length != l) {
                throw t.error("biases", "has " + biases.length + " entries for " + l + " atoms");
            }
        } else if (t.has("biases")) {
            throw t.error("biases", "the model has no biases (bias: false)");
        }
        double[] b = biases;
        return t.check(() -> new MixingMeasure(rows, b));
    }

    /**
     * Reads a starting measure for a fit of {@code atoms} atoms of {@code model}: an estimate file
     * ({@link #write}'s format) whose parameterization (if given) is the model's, with {@code atoms}
     * rows of the model's atom dimension and, when the model has biases, {@code biases}. The start
     * is not projected onto the box here; {@code FitProblem#startVector} does that.
     *
     * @param file the estimate file
     * @param model the fitted model
     * @param atoms the number L of fitted atoms
     * @return the starting measure, as given
     * @throws InputFileException naming the file and the field
     */
    public static MixingMeasure readStart(Path file, PrefixModel model, int atoms) {
        Tree t = Tree.read(file);
        t.allowOnly(Set.of("parameterization", "atoms", "biases", "fit"));
        String name = model.parameterization().name();
        String given = t.string("parameterization", "");
        if (!given.isEmpty() && !given.equals(name)) {
            throw t.error("parameterization", "the start is " + given + " but the model is " + name);
        }
        double[][] rows = t.matrix("atoms");
        if (rows.length != atoms) {
            throw t.error("atoms", "has " + rows.length + " atoms, the fit has L = " + atoms);
        }
        if (rows[0].length != model.atomDimension()) {
            throw t.error("atoms", "atoms have " + rows[0].length + " coordinates, the " + name
                    + " parameterization needs " + model.atomDimension());
        }
        double[] biases = null;
        if (model.hasBias()) {
            biases = t.vector("biases");
            if (biases.length != atoms) {
                throw t.error("biases", "has " + biases.length + " entries, the fit has L = " + atoms);
            }
        } else if (t.has("biases")) {
            throw t.error("biases", "the model has no biases (bias: false)");
        }
        double[] b = biases;
        return t.check(() -> new MixingMeasure(rows, b));
    }
}
