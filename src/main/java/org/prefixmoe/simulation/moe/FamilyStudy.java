package org.prefixmoe.simulation.moe;

import java.util.List;

/**
 * What {@link MoeRunner} runs and {@link MoeSummary} summarizes: a scenario's studies × sizes ×
 * replicates, each task one fit that comes back as a {@link MoeRow}. Implemented by
 * {@link MoeScenario} (one mixture of experts) and {@link SharedRoutedScenario} (the shared + routed
 * model, whose loss is the sum of its two blocks' losses).
 */
public interface FamilyStudy {

    /** {@return the scenario's name (the results folder)} */
    String name();

    /** {@return the first 12 hex digits of the SHA-256 of the scenario's text} */
    String fingerprint();

    /** {@return the studies (K: all fitted components)} */
    List<MoeScenario.Study> studies();

    /** {@return the sample sizes, increasing} */
    List<Integer> sizes();

    /** {@return replicates per size} */
    int replicates();

    /** {@return the number of tasks} */
    default long taskCount() {
        return (long) studies().size() * sizes().size() * replicates();
    }

    /** {@return the loss's block names, the {@code c_} and {@code e_} columns of the results} */
    List<String> lossTerms();

    /** {@return what a summary prints about the scenario} */
    MoeSummary.Header header();

    /** Replicates of the {@code --quick} grid at most (as a prefix scenario's default quick grid). */
    int QUICK_REPLICATES = 5;

    /**
     * The {@code --quick} grid: the same studies and sizes with at most {@link #QUICK_REPLICATES}
     * replicates. A task's data and starts depend only on the seed, n and the replicate, so every
     * quick row equals the full grid's row of the same study, n and replicate.
     *
     * @return this scenario restricted to the quick grid (itself when it has no more replicates)
     */
    default FamilyStudy quick() {
        return replicates() <= QUICK_REPLICATES ? this : new QuickGrid(this, QUICK_REPLICATES);
    }

    /**
     * Runs one task; a fit that throws is a {@code failed} row, never an exception.
     *
     * @param task the task
     * @return its row
     */
    MoeRow runTask(MoeRunner.Task task);
}
