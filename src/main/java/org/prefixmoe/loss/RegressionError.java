package org.prefixmoe.loss;

import java.util.Objects;
import org.prefixmoe.model.MixingMeasure;
import org.prefixmoe.model.PrefixModel;
import org.prefixmoe.model.PretrainedPart;

/** The regression error {@code ||f_Ĝ − f_G*||_{L2(μ)}} estimated on a set of inputs (docs/theory.md §4). */
public final class RegressionError {
    private RegressionError() {
    }

    /**
     * Root mean squared distance between the two regression functions over the rows of {@code x}
     * (n × D row-major, a fresh sample from μ of at least 10^4 points for the loss of docs/theory.md §4).
     *
     * @param fittedModel the model of the estimate
     * @param fitted the estimate Ĝ
     * @param trueModel the truth's model (the same pretrained part; its parameterization may differ)
     * @param truth the true measure G*
     * @param x the inputs, n × D row-major; not modified
     * @return {@code (Σ_i ‖f_Ĝ(x_i) − f_G*(x_i)‖² / n)^{1/2}}
     * @throws NullPointerException naming a missing argument
     * @throws IllegalArgumentException naming the argument: no inputs, a non-finite input, models
     *     of different dimensions, or measures that do not fit their models
     */
    public static double l2(PrefixModel fittedModel, MixingMeasure fitted, PrefixModel trueModel,
                            MixingMeasure truth, double[] x) {
        Objects.requireNonNull(fitted, "fitted");
        checkArguments(fittedModel, trueModel, truth, x);
        return rootMeanSquare(fittedModel.regression(fitted, x), trueModel.regression(truth, x),
                x.length / trueModel.inputDimension());
    }

    private static void checkArguments(PrefixModel fittedModel, PrefixModel trueModel, MixingMeasure truth,
                                       double[] x) {
        Objects.requireNonNull(fittedModel, "fittedModel");
        Objects.requireNonNull(trueModel, "trueModel");
        Objects.requireNonNull(truth, "truth");
        Objects.requireNonNull(x, "x");
        if (fittedModel.inputDimension() != trueModel.inputDimension()
                || fittedModel.outputDimension() != trueModel.outputDimension()) {
            throw new IllegalArgumentException("fittedModel: dimensions D = " + fittedModel.inputDimension() + ", q = "
                    + fittedModel.outputDimension() + " differ from trueModel's D = " + trueModel.inputDimension()
                    + ", q = " + trueModel.outputDimension());
        }
        if (x.length == 0) {
            throw new IllegalArgumentException("x: no inputs");
        }
    }

    private static double rootMeanSquare(double[] a, double[] b, int n) {
        double s = 0;
        for (int k = 0; k < a.length; k++) {
            double e = a[k] - b[k];
            s += e * e;
        }
        return Math.sqrt(s / n);
    }

    /**
     * The loss {@link #l2} of many estimates against one truth at the same inputs (a Monte Carlo
     * study's tasks): the truth's regression function and the fitted model's pretrained part at
     * {@code x} are computed once here, and {@link On#l2} gives the same value as {@link #l2}, bit for
     * bit. Immutable: its tasks may share it across threads.
     *
     * @param fittedModel the model of the estimates
     * @param trueModel the truth's model (the same pretrained part; its parameterization may differ)
     * @param truth the true measure G*
     * @param x the inputs, n × D row-major; kept by reference, do not modify
     * @return the loss at these inputs
     * @throws NullPointerException naming a missing argument
     * @throws IllegalArgumentException as {@link #l2}
     */
    public static On on(PrefixModel fittedModel, PrefixModel trueModel, MixingMeasure truth, double[] x) {
        checkArguments(fittedModel, trueModel, truth, x);
        return new On(fittedModel, x, fittedModel.pretrained().evaluate(x), trueModel.regression(truth, x),
                x.length / trueModel.inputDimension());
    }

    /** The regression loss of estimates of one model against one truth at fixed inputs; see {@link #on}. */
    public static final class On {
        private final PrefixModel fittedModel;
        private final double[] x;
        private final PretrainedPart part;
        private final double[] truthValues;
        private final int n;

        private On(PrefixModel fittedModel, double[] x, PretrainedPart part, double[] truthValues, int n) {
            this.fittedModel = fittedModel;
            this.x = x;
            this.part = part;
            this.truthValues = truthValues;
            this.n = n;
        }

        /**
         * {@link RegressionError#l2} of an estimate.
         *
         * @param fitted the estimate Ĝ
         * @return {@code (Σ_i ‖f_Ĝ(x_i) − f_G*(x_i)‖² / n)^{1/2}}
         * @throws IllegalArgumentException naming {@code measure} when it does not fit the model
         */
        public double l2(MixingMeasure fitted) {
            Objects.requireNonNull(fitted, "fitted");
            return rootMeanSquare(fittedModel.regression(fitted, x, part), truthValues, n);
        }
    }
}
