package org.prefixmoe.loss;

import java.util.Objects;
import org.prefixmoe.model.MixingMeasure;
import org.prefixmoe.model.PrefixModel;

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
        Objects.requireNonNull(fittedModel, "fittedModel");
        Objects.requireNonNull(fitted, "fitted");
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
        double[] a = fittedModel.regression(fitted, x);
        double[] b = trueModel.regression(truth, x);
        double s = 0;
        for (int k = 0; k < a.length; k++) {
            double e = a[k] - b[k];
            s += e * e;
        }
        int n = x.length / trueModel.inputDimension();
        return Math.sqrt(s / n);
    }
}
