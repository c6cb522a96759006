package org.prefixmoe.simulation;

import java.io.PrintStream;
import java.util.Locale;

/**
 * A one-line progress bar on stderr: done/total, fits per second and time left. Tasks are weighted
 * by their sample size for the estimate of time left, since a fit costs about O(n).
 */
public final class Progress {
    private final PrintStream out;
    private final long total;
    private final double totalWork;
    private final long start = System.nanoTime();
    private final boolean enabled;
    private long done;
    private long failed;
    private double work;
    private long lastPrint;

    /**
     * @param out where to print (stderr), or null for silence
     * @param total number of tasks to run
     * @param totalWork sum of their sample sizes
     */
    public Progress(PrintStream out, long total, double totalWork) {
        this.out = out;
        this.total = total;
        this.totalWork = totalWork;
        this.enabled = out != null && total > 0;
    }

    /** Records one finished task of size n. */
    public synchronized void step(int n, boolean ok) {
        done++;
        work += n;
        if (!ok) {
            failed++;
        }
        long now = System.nanoTime();
        if (enabled && (now - lastPrint > 250_000_000L || done == total)) {
            lastPrint = now;
            out.print("\r" + line(now));
            if (done == total) {
                out.println();
            }
            out.flush();
        }
    }

    private String line(long now) {
        double secs = (now - start) / 1e9;
        double rate = done / Math.max(secs, 1e-9);
        double left = work <= 0 ? Double.NaN : secs * (totalWork - work) / work;
        int width = 30;
        int filled = (int) Math.round(width * (double) done / total);
        return String.format(Locale.ROOT, "[%s%s] %d/%d fits  %.1f fits/s  elapsed %s  left %s%s",
                "#".repeat(filled), ".".repeat(width - filled), done, total, rate, clock(secs), clock(left),
                failed > 0 ? "  failed " + failed : "");
    }

    static String clock(double secs) {
        if (!Double.isFinite(secs)) {
            return "--:--";
        }
        long s = Math.round(secs);
        return s >= 3600 ? String.format(Locale.ROOT, "%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60)
                : String.format(Locale.ROOT, "%d:%02d", s / 60, s % 60);
    }

    /** Seconds since the start. */
    public double elapsed() {
        return (System.nanoTime() - start) / 1e9;
    }
}
