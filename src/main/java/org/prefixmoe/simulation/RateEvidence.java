package org.prefixmoe.simulation;

import java.util.Arrays;
import java.util.function.LongFunction;
import org.apache.commons.rng.UniformRandomProvider;
import org.hipparchus.distribution.continuous.ChiSquaredDistribution;

/**
 * The evidence on a rate beyond the plain power law (docs/theory.md §6): the theory's bounds are
 * {@code Õ(n^{-s})}, that is {@code n^{-s}} up to factors of {@code log n}, so besides the slope of
 * {@code log(mean loss)} on {@code log n} ({@link RateFit}) this record holds
 * <ul>
 * <li>the slope on {@code log(n / log n)}: the Õ form with the log factor of the usual
 *     {@code (log n / n)^{s}} bound (a curve {@code C (log n / n)^{1/2}} has slope −1/2 here and
 *     about −0.45 on log n);</li>
 * <li>the coefficients of {@code log(mean) = a + b log n + c log log n}, descriptive only (over
 *     two decades {@code log log n} is almost linear in {@code log n}, so b and c are poorly
 *     separated);</li>
 * <li>the lack of fit of the plain line: the residuals of the log means about it, each divided by
 *     its replicate standard error {@code sd / (√R · mean)} (delta method), summed in squares and
 *     compared with chi-square on {@code k − 2} degrees of freedom (a small p-value: the points do
 *     not lie on a line within their replicate error);</li>
 * <li>each with a 95% percentile bootstrap interval over replicates (2000 resamples), and the
 *     bootstrap intervals of the plain slope and of the log-factor slope under
 *     {@value #SEEDS} further bootstrap seeds, for the knife-edge check of {@link Verdict}.</li>
 * </ul>
 *
 * @param logFactor slope on {@code log(n / log n)} with its bootstrap interval
 * @param logLogB coefficient b of {@code log n} in the fit with a {@code c log log n} term
 * @param logLogC coefficient c of {@code log log n} in that fit
 * @param chiSquare the lack-of-fit statistic of the plain line (NaN when a size has no spread)
 * @param degreesOfFreedom its degrees of freedom, sizes − 2
 * @param lackOfFitP the chi-square p-value of the lack of fit (NaN without a statistic)
 * @param rmsResidual root mean square residual of the log means about the plain line
 * @param rmsReplicateError root mean square replicate standard error of the log means
 * @param seedIntervals per further bootstrap seed: plain low, plain high, log-factor low, log-factor high
 */
public record RateEvidence(Slope logFactor, Slope logLogB, Slope logLogC, double chiSquare, int degreesOfFreedom,
                           double lackOfFitP, double rmsResidual, double rmsReplicateError, double[][] seedIntervals) {

    /** Further bootstrap seeds of the knife-edge check. */
    public static final int SEEDS = 5;

    /**
     * A coefficient with its 95% percentile bootstrap interval.
     *
     * @param value the estimate from the replicates' means
     * @param low lower end of the interval (NaN without one)
     * @param high upper end of the interval
     */
    public record Slope(double value, double low, double high) {
        static final Slope NONE = new Slope(Double.NaN, Double.NaN, Double.NaN);
    }

    /**
     * Computes the evidence of a mean-loss curve.
     *
     * @param n sample sizes. Not modified.
     * @param values per size, the replicate values (non-finite entries ignored). Not modified.
     * @param streams the bootstrap stream of index j: index 1 for the log-factor and log-log
     *     intervals; for the further seed s = 1 … {@value #SEEDS}, index {@code 2 s} for the plain
     *     slope's interval and {@code 2 s + 1} for the log-factor slope's
     * @return the evidence
     */
    public static RateEvidence of(double[] n, double[][] values, LongFunction<UniformRandomProvider> streams) {
        int k0 = n.length;
        double[][] clean = new double[k0][];
        double[] means = new double[k0];
        double[] se = new double[k0];
        for (int i = 0; i < k0; i++) {
            clean[i] = Arrays.stream(values[i]).filter(Double::isFinite).toArray();
            Stats s = Stats.of(clean[i]);
            means[i] = s.mean();
            se[i] = s.sd() / (Math.sqrt(s.count()) * s.mean());
        }
        boolean[] use = new boolean[k0];
        int k = 0;
        for (int i = 0; i < k0; i++) {
            use[i] = means[i] > 0 && Double.isFinite(means[i]) && n[i] > Math.E;
            k += use[i] ? 1 : 0;
        }
        double[] lx = new double[k];
        double[] lf = new double[k];
        double[] ll = new double[k];
        double[][] v = new double[k][];
        double[] m = new double[k];
        double[] e = new double[k];
        for (int i = 0, j = 0; i < k0; i++) {
            if (use[i]) {
                lx[j] = Math.log(n[i]);
                lf[j] = Math.log(n[i] / Math.log(n[i]));
                ll[j] = Math.log(Math.log(n[i]));
                v[j] = clean[i];
                m[j] = means[i];
                e[j] = se[i];
                j++;
            }
        }
        if (k < 3) {
            return new RateEvidence(new Slope(k == 2 ? slope(lf, logs(m)) : Double.NaN, Double.NaN, Double.NaN),
                    Slope.NONE, Slope.NONE, Double.NaN, Math.max(0, k - 2), Double.NaN, Double.NaN, Double.NaN,
                    new double[0][]);
        }
        double[] y = logs(m);
        double[] bc = twoTerm(lx, ll, y);
        // Lack of fit of the plain line.
        double b = slope(lx, y);
        double a = mean(y) - b * mean(lx);
        double chi = 0;
        double rss = 0;
        double ses = 0;
        for (int j = 0; j < k; j++) {
            double r = y[j] - (a + b * lx[j]);
            rss += r * r;
            ses += e[j] * e[j];
            chi += r * r / (e[j] * e[j]);
        }
        double p = Double.isFinite(chi) ? 1 - new ChiSquaredDistribution(k - 2).cumulativeProbability(chi) : Double.NaN;
        // Main bootstrap: log-factor slope and the two-term coefficients.
        UniformRandomProvider rng = streams.apply(1);
        double[] fs = new double[RateFit.BOOTSTRAP];
        double[] bs = new double[RateFit.BOOTSTRAP];
        double[] cs = new double[RateFit.BOOTSTRAP];
        int good = 0;
        double[] ym = new double[k];
        for (int t = 0; t < RateFit.BOOTSTRAP; t++) {
            if (!resample(v, rng, ym)) {
                continue;
            }
            double[] q = twoTerm(lx, ll, ym);
            fs[good] = slope(lf, ym);
            bs[good] = q[0];
            cs[good] = q[1];
            good++;
        }
        Slope f = new Slope(slope(lf, y), quantile(fs, good, 0.025), quantile(fs, good, 0.975));
        Slope bb = new Slope(bc[0], quantile(bs, good, 0.025), quantile(bs, good, 0.975));
        Slope cc = new Slope(bc[1], quantile(cs, good, 0.025), quantile(cs, good, 0.975));
        double[][] seeds = new double[SEEDS][];
        for (int s = 1; s <= SEEDS; s++) {
            double[] plain = interval(lx, v, streams.apply(2L * s), k);
            double[] factor = interval(lf, v, streams.apply(2L * s + 1), k);
            seeds[s - 1] = new double[] {plain[0], plain[1], factor[0], factor[1]};
        }
        return new RateEvidence(f, bb, cc, chi, k - 2, p, Math.sqrt(rss / k), Math.sqrt(ses / k), seeds);
    }

    /** The 95% percentile bootstrap interval of the slope of the log means on x. */
    private static double[] interval(double[] x, double[][] v, UniformRandomProvider rng, int k) {
        double[] sl = new double[RateFit.BOOTSTRAP];
        double[] ym = new double[k];
        int good = 0;
        for (int t = 0; t < RateFit.BOOTSTRAP; t++) {
            if (resample(v, rng, ym)) {
                sl[good++] = slope(x, ym);
            }
        }
        return new double[] {quantile(sl, good, 0.025), quantile(sl, good, 0.975)};
    }

    /** Log of the mean of a resample of each size's replicates; false if some mean is not positive. */
    private static boolean resample(double[][] v, UniformRandomProvider rng, double[] out) {
        boolean ok = true;
        for (int j = 0; j < v.length; j++) {
            double s = 0;
            for (int r = 0; r < v[j].length; r++) {
                s += v[j][rng.nextInt(v[j].length)];
            }
            double mu = s / v[j].length;
            ok &= mu > 0;
            out[j] = Math.log(mu);
        }
        return ok;
    }

    private static double quantile(double[] a, int good, double q) {
        if (good < 10) {
            return Double.NaN;
        }
        double[] s = Arrays.copyOf(a, good);
        Arrays.sort(s);
        return Stats.quantile(s, q);
    }

    private static double[] logs(double[] m) {
        double[] y = new double[m.length];
        for (int i = 0; i < m.length; i++) {
            y[i] = Math.log(m[i]);
        }
        return y;
    }

    private static double mean(double[] a) {
        double s = 0;
        for (double x : a) {
            s += x;
        }
        return s / a.length;
    }

    /** OLS slope of y on x. */
    static double slope(double[] x, double[] y) {
        double mx = mean(x);
        double my = mean(y);
        double sxx = 0;
        double sxy = 0;
        for (int i = 0; i < x.length; i++) {
            sxx += (x[i] - mx) * (x[i] - mx);
            sxy += (x[i] - mx) * (y[i] - my);
        }
        return sxx > 0 ? sxy / sxx : Double.NaN;
    }

    /** OLS coefficients (b, c) of y = a + b x + c z (NaN when x and z are collinear or k < 3). */
    static double[] twoTerm(double[] x, double[] z, double[] y) {
        if (x.length < 3) {
            return new double[] {Double.NaN, Double.NaN};
        }
        double mx = mean(x);
        double mz = mean(z);
        double my = mean(y);
        double sxx = 0;
        double szz = 0;
        double sxz = 0;
        double sxy = 0;
        double szy = 0;
        for (int i = 0; i < x.length; i++) {
            double dx = x[i] - mx;
            double dz = z[i] - mz;
            double dy = y[i] - my;
            sxx += dx * dx;
            szz += dz * dz;
            sxz += dx * dz;
            sxy += dx * dy;
            szy += dz * dy;
        }
        double det = sxx * szz - sxz * sxz;
        if (!(Math.abs(det) > 1e-14 * sxx * szz)) {
            return new double[] {Double.NaN, Double.NaN};
        }
        return new double[] {(szz * sxy - sxz * szy) / det, (sxx * szy - sxz * sxy) / det};
    }

    /**
     * Whether the plain line fits within the replicate error at level 5%.
     *
     * @return whether the lack-of-fit p-value is below 0.05
     */
    public boolean lacksFit() {
        return lackOfFitP < 0.05;
    }
}
