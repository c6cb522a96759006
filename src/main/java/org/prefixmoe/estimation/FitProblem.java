package org.prefixmoe.estimation;

import org.prefixmoe.model.Box;
import org.prefixmoe.model.MixingMeasure;
import org.prefixmoe.model.PrefixModel;
import org.prefixmoe.model.PretrainedPart;
import org.prefixmoe.sampling.Dataset;

/**
 * What an estimator fits: a model with {@code L} atoms to a data set inside a box of the
 * parameter space. The pretrained part of the model is evaluated once here and shared by every
 * fit and restart on this data set. Immutable.
 */
public final class FitProblem {
    private final PrefixModel model;
    private final Dataset data;
    private final int atoms;
    private final Box box;
    private final PretrainedPart pretrained;

    /**
     * @param model the fitted model (its parameterization is the one estimated)
     * @param data the data set
     * @param atoms number L of fitted atoms
     * @param box the compact parameter space
     */
    public FitProblem(PrefixModel model, Dataset data, int atoms, Box box) {
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
        this.model = model;
        this.data = data;
        this.atoms = atoms;
        this.box = box;
        this.pretrained = model.pretrained().evaluate(data.x());
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
