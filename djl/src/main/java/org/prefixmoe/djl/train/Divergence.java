package org.prefixmoe.djl.train;

/**
 * Watches the training loss of one run and decides whether it diverged. The rule, the same for every method, size
 * and rate, fixed before the corrected study ran:
 *
 * <ol>
 *   <li>a step's loss is not finite (NaN or infinite): the run is stopped there; or</li>
 *   <li>the mean loss over a sliding window of {@code w} consecutive steps exceeds {@link #FACTOR} times the loss
 *       of the first step (the loss of the model as initialized, before any update; the loss blew up, even if it
 *       came down again); or</li>
 *   <li>the mean loss of the last {@code w} steps is above the first step's loss (the run ended worse than it
 *       started).</li>
 * </ol>
 * The window is one pass over the training set but at least 10 steps, and at most a third of the run
 * ({@link #window(int, int)}).
 */
public final class Divergence {

    /** How many times the initial loss a window mean may reach before the run counts as diverged. */
    public static final double FACTOR = 2.0;

    private final int w;
    private final double[] ring;
    private int count;
    private double windowSum;
    private double initial = Double.NaN;
    private double maxWindow = Double.NEGATIVE_INFINITY;
    private boolean nonFinite;

    /**
     * @param window window length w (at least 1)
     */
    public Divergence(int window) {
        if (window < 1) {
            throw new IllegalArgumentException("window must be at least 1, got " + window);
        }
        this.w = window;
        this.ring = new double[window];
    }

    /**
     * The window of a run: one pass ({@code stepsPerPass}) but at least 10 steps, at most a third of the run, at
     * least 1.
     *
     * @param steps optimizer steps of the run
     * @param stepsPerPass steps of one pass over the training set
     * @return w
     */
    public static int window(int steps, int stepsPerPass) {
        return Math.max(1, Math.min(Math.max(10, stepsPerPass), steps / 3));
    }

    /**
     * Records one step's loss.
     *
     * @param loss the mini-batch loss
     * @return false if the loss is not finite (the caller stops the run), true otherwise
     */
    public boolean add(double loss) {
        if (!Double.isFinite(loss)) {
            nonFinite = true;
            return false;
        }
        if (count == 0) {
            initial = loss;
        }
        int i = count % w;
        windowSum += loss - (count >= w ? ring[i] : 0);
        ring[i] = loss;
        count++;
        if (count >= w) {
            maxWindow = Math.max(maxWindow, windowSum / w);
        }
        return true;
    }

    /** Loss of the first step, before any update (NaN before it). */
    public double initialLoss() {
        return initial;
    }

    /** Largest sliding-window mean seen (NaN before w steps). */
    public double maxWindowLoss() {
        return count >= w ? maxWindow : Double.NaN;
    }

    /** Mean loss of the last w steps (NaN before w steps). */
    public double lastWindowLoss() {
        return count >= w ? windowSum / w : Double.NaN;
    }

    /** Whether a non-finite loss was seen. */
    public boolean nonFinite() {
        return nonFinite;
    }

    /** Whether the run diverged by the rule in the class comment. */
    public boolean diverged() {
        if (nonFinite) {
            return true;
        }
        if (count < w) {
            return false;
        }
        return maxWindow > FACTOR * initial || lastWindowLoss() > initial;
    }

    /** Why the run counts as diverged, or an empty string. */
    public String reason() {
        if (nonFinite) {
            return "non-finite loss";
        }
        if (!diverged()) {
            return "";
        }
        return maxWindow > FACTOR * initial ? "loss above " + FACTOR + "x its start" : "ended above its start";
    }
}
