package org.prefixmoe.simulation;

import java.nio.file.Path;
import java.util.List;
import org.prefixmoe.model.TruthModel;

/**
 * A Monte Carlo study as declared in a scenario file (SPEC §6): one or more studies (a truth and a
 * fitted model with L atoms each) run on a grid of sample sizes with a number of replicates, from
 * one master seed. Read with {@link org.prefixmoe.io.ScenarioFiles#read}. Immutable.
 *
 * @param file the file it was read from
 * @param name short name (results go to a folder of that name)
 * @param description free text
 * @param seed the master seed from which every task's random streams derive
 * @param studies the studies (one series each in a plot)
 * @param sizes sample sizes n, increasing
 * @param replicates replicates per (study, n)
 * @param estimator estimator name (see {@link org.prefixmoe.estimation.Estimators})
 * @param solver the estimator's settings, all of them (defaults filled in; see {@link org.prefixmoe.estimation.Estimators})
 * @param init initialization
 * @param sampler data-generating sampler name (see {@link org.prefixmoe.sampling.Samplers})
 * @param evalSize number of fresh inputs for the regression error
 * @param r exponent r of D_{2,r}
 * @param losses the losses recorded
 * @param quickSizes the reduced grid of {@code --quick} runs
 * @param quickReplicates replicates of {@code --quick} runs
 * @param figures the figures drawn from this scenario's results by {@code figures}
 * @param fingerprint a hash of every setting that changes a task's row (all but the grid and the
 *     replicate count), stored in each row so that a resumed run never mixes configurations
 */
public record Scenario(Path file, String name, String description, long seed, List<Study> studies, int[] sizes,
                       int replicates, String estimator, java.util.Map<String, Double> solver, Init init,
                       String sampler, int evalSize, double r, List<String> losses, int[] quickSizes,
                       int quickReplicates, List<Figure> figures, String fingerprint) {

    /** The losses a scenario can record; {@code cells} stands for the per-cell atom errors. */
    public static final List<String> KNOWN_LOSSES = List.of("d1", "d2", "regression", "cells");

    /**
     * One study: a truth and the model fitted to its data.
     *
     * @param name series name, unique in the scenario
     * @param truth the data-generating model and G*
     * @param fitted the fitted model (same parameterization as the truth)
     * @param atoms number L of fitted atoms (at least L*)
     */
    public record Study(String name, TruthModel truth, TruthModel fitted, int atoms) {
        /** Whether the fit is over-specified (L > L*). */
        public boolean overSpecified() {
            return atoms > truth.trueAtoms();
        }
    }

    /**
     * Initialization.
     *
     * @param strategy {@code near-truth} or {@code random}
     * @param scale near-truth perturbation scale at n = 1
     * @param decay near-truth perturbation decay exponent in n
     * @param restarts number of starts, the best objective kept
     */
    public record Init(String strategy, double scale, double decay, int restarts) {
    }

    /**
     * A figure drawn from the results.
     *
     * @param name file base name, unique among all figures
     * @param title chart title
     * @param losses the summary columns plotted (e.g. {@code d1}, or {@code single} and
     *     {@code multi_weighted}); one series per study and loss
     */
    public record Figure(String name, String title, List<String> losses) {
    }

    /** The same scenario on its reduced {@code --quick} grid. */
    public Scenario quick() {
        return new Scenario(file, name, description, seed, studies, quickSizes, quickReplicates, estimator, solver,
                init, sampler, evalSize, r, losses, quickSizes, quickReplicates, figures, fingerprint);
    }

    /** Number of tasks: studies × sizes × replicates. */
    public long taskCount() {
        return (long) studies.size() * sizes.length * replicates;
    }

    /** Whether a loss is recorded. */
    public boolean records(String loss) {
        return losses.contains(loss);
    }
}
