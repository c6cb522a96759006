package org.prefixmoe.djl.train;

/** Learning-rate schedules, as multipliers of the peak rate. */
public final class Schedule {

    private Schedule() {}

    /**
     * Linear warm-up, then a half cosine to zero (the paper's {@code WarmupCosineSchedule}, applied per step here):
     * {@code (t+1)/W} for the first {@code W} updates, then {@code (1 + cos(pi (t - W) / (T - W))) / 2}.
     * The warm-up starts at {@code 1/W} rather than 0 so that no update is wasted.
     *
     * @param step 0-based index of the update
     * @param warmup warm-up updates W (0 for none)
     * @param total total updates T
     * @return the multiplier in {@code (0, 1]}
     */
    public static double warmupCosine(int step, int warmup, int total) {
        if (step < warmup) {
            return (step + 1.0) / warmup;
        }
        double progress = (double) (step - warmup) / Math.max(1, total - warmup);
        return 0.5 * (1 + Math.cos(Math.PI * progress));
    }
}
