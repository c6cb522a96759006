package org.prefixmoe.estimation;

import org.prefixmoe.model.Box;
import org.prefixmoe.model.MixingMeasure;
import org.prefixmoe.model.PrefixModel;
import org.prefixmoe.model.Evaluator;
import org.prefixmoe.model.PretrainedPart;
import org.prefixmoe.model.TruthModel;
import org.prefixmoe.sampling.Dataset;

/**
 * What an estimator fits: a model with {@code L} atoms to a data set inside a box of the
 * parameter space. The pretrained part of the model is evaluated once here and shared by every
 * fit and restart on this data set. Immutable.
 */
public final class FitProblem {
    /**
     * The most fitted atoms a problem accepts. Over-specified fits in the studies of
     * docs/theory.md §6 use L* + 1 or so; far larger L only multiplies the cost (each pass is
     * linear in L, each step cubic in the L·p parameters) without a statistical reading.
     */
    public static final int MAX_ATOMS = 64;

    private final PrefixModel model;
    private final Dataset data;
    private final int atoms;
    private final Box box;
    private final PretrainedPart pretrained;
    private Evaluator design;   // made by the first evaluator() call; its data copies are shared

    /**
     * @param model the fitted model (its parameterization is the one estimated)
     * @param data the data set
     * @param atoms number L of fitted atoms
     * @param box the compact parameter space
     * @throws IllegalArgumentException naming the argument: shapes that differ from the model's,
     *     L outside [1, {@link #MAX_ATOMS}], or fewer samples than parameters
     */
    public FitProblem(PrefixModel model, Dataset data, int atoms, Box box) {
        this(model, data, atoms, box, null);
    }

    /**
     * A problem whose pretrained part at the data's inputs is already computed, as a sampler computes it for the
     * responses ({@code RegressionSampler.draw}): the same problem as without it, bit for bit, without evaluating the
     * pretrained experts again. Checked on the first and the last input (recomputed, compared to the bit).
     *
     * @param model the fitted model (its parameterization is the one estimated)
     * @param data the data set
     * @param atoms number L of fitted atoms
     * @param box the compact parameter space
     * @param pretrained {@code model.pretrained().evaluate(data.x())}, or null to compute it here
     * @throws IllegalArgumentException naming the argument: as the four-argument constructor, or a pretrained part that
     *     is not the model's at these inputs
     */
    public FitProblem(PrefixModel model, Dataset data, int atoms, Box box, PretrainedPart pretrained) {
        java.util.Objects.requireNonNull(model, "model");
        java.util.Objects.requireNonNull(data, "data");
        java.util.Objects.requireNonNull(box, "box");
        if (data.inputDimension() != model.inputDimension()) {
            throw new IllegalArgumentException("data: inputs have dimension " + data.inputDimension()
                    + " but the model's D is " + model.inputDimension());
        }
        if (data.outputDimension() != model.outputDimension()) {
            throw new IllegalArgumentException("data: responses have dimension " + data.outputDimension()
                    + " but the model's q is " + model.outputDimension());
        }
        if (atoms < 1) {
            throw new IllegalArgumentException("L: the number of fitted atoms must be at least 1, got " + atoms);
        }
        if (atoms > MAX_ATOMS) {
            throw new IllegalArgumentException("L: " + atoms + " fitted atoms is above the limit of " + MAX_ATOMS);
        }
        long parameters = (long) atoms * model.parametersPerAtom();
        if (data.size() < parameters) {
            throw new IllegalArgumentException("data: " + data.size() + " samples for " + parameters + " parameters ("
                    + atoms + " atoms of " + model.parametersPerAtom() + "); a fit needs at least as many samples as"
                    + " parameters");
        }
        this.model = model;
        this.data = data;
        this.atoms = atoms;
        this.box = box;
        if (pretrained != null) {
            checkPart(model, data, pretrained);
        }
        this.pretrained = pretrained != null ? pretrained : model.pretrained().evaluate(data.x());
    }

    /** The part must have the data's shape and agree, to the bit, with the experts at the first and last input. */
    private static void checkPart(PrefixModel model, Dataset data, PretrainedPart part) {
        int n = data.size();
        int d = data.inputDimension();
        int q = model.outputDimension();
        boolean fits = part.n() == n && part.q() == q && part.logScore().length == n && part.mean().length == n * q;
        for (int i = 0; fits && i < n; i += Math.max(1, n - 1)) {
            PretrainedPart one = model.pretrained().evaluate(java.util.Arrays.copyOfRange(data.x(), i * d, i * d + d));
            fits = Double.compare(one.logScore()[0], part.logScore()[i]) == 0 && java.util.Arrays.equals(one.mean(), 0,
                    q, part.mean(), i * q, i * q + q);
        }
        if (!fits) {
            throw new IllegalArgumentException("pretrained: not the fitted model's pretrained part at the data's inputs");
        }
    }

    /**
     * A problem that fits {@code atoms} atoms of the truth's own model inside its box, refusing
     * {@code L < L*} (the truth would not be representable; docs/theory.md §2 studies L ≥ L*).
     *
     * @param truth the truth whose model and box are fitted
     * @param data the data set
     * @param atoms number L of fitted atoms, {@code L* ≤ L ≤ MAX_ATOMS}
     * @return the problem
     * @throws IllegalArgumentException naming L when {@code L < L*}, or as the constructor
     */
    public static FitProblem of(TruthModel truth, Dataset data, int atoms) {
        java.util.Objects.requireNonNull(truth, "truth");
        if (atoms < truth.trueAtoms()) {
            throw new IllegalArgumentException("L: " + atoms + " atoms is fewer than the truth's L* = "
                    + truth.trueAtoms() + "; fits need L >= L*");
        }
        return new FitProblem(truth.model(), data, atoms, truth.box());
    }

    /** {@return the model} */
    public PrefixModel model() {
        return model;
    }

    /** {@return the data} */
    public Dataset data() {
        return data;
    }

    /** {@return the number L of fitted atoms} */
    public int atoms() {
        return atoms;
    }

    /** {@return the box} */
    public Box box() {
        return box;
    }

    /**
     * {@return a new evaluator of this problem's model and L on its data, ready for its responses}
     * The padded copies of the data that evaluators work on are made by the first call and shared
     * by every later one (see {@link Evaluator#Evaluator(Evaluator)}), so that the starts of a fit
     * copy the data once. Each evaluator has its own parameters and scratch: use one per thread.
     */
    public Evaluator evaluator() {
        Evaluator d;
        synchronized (this) {
            if (design == null) {
                design = new Evaluator(model, atoms, data.x(), pretrained);
                design.prepareResponses(data.y());
            }
            d = design;
        }
        return new Evaluator(d);
    }

    /** {@return the pretrained part evaluated on the data's inputs} */
    public PretrainedPart pretrained() {
        return pretrained;
    }

    /** {@return the lower bounds of the packed parameter vector, a new array} */
    public double[] lower() {
        return box.lower(atoms, model.atomDimension(), model.hasBias());
    }

    /**
     * The packed parameters of a starting measure, projected onto the box: what every estimator
     * starts from.
     *
     * @param start the starting measure; not modified
     * @return its packed vector, projected into the box
     * @throws IllegalArgumentException if the start does not fit the model or has the wrong L
     */
    public double[] startVector(MixingMeasure start) {
        model.checkMeasure("start", start);
        if (start.size() != atoms) {
            throw new IllegalArgumentException("start: has " + start.size() + " atoms, the fit has L = " + atoms);
        }
        double[] x = start.pack();
        double[] lo = lower();
        double[] hi = upper();
        for (int c = 0; c < x.length; c++) {
            x[c] = Math.min(hi[c], Math.max(lo[c], x[c]));
        }
        return x;
    }

    /** {@return the upper bounds of the packed parameter vector, a new array} */
    public double[] upper() {
        return box.upper(atoms, model.atomDimension(), model.hasBias());
    }
}
