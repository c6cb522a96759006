package org.prefixmoe.estimation.em;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Arrays;
import org.prefixmoe.estimation.FitProblem;
import org.prefixmoe.model.Evaluator;
import org.prefixmoe.model.MixingMeasure;

/**
 * Timing of EM's pass over the data (the E-step with the fused gating derivatives), for
 * {@code bench}: thread CPU time per sample, median over repeats.
 */
public final class EStepTiming {
    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    private EStepTiming() {
    }

    /**
     * {@return nanoseconds per sample of one E-step pass at G, median of {@code repeats} timed
     * passes after as many untimed ones}
     *
     * @param problem data and model
     * @param g the parameters of the pass
     * @param sigma2 the noise variance of the pass
     * @param repeats timed passes
     */
    public static double nanosPerSample(FitProblem problem, MixingMeasure g, double sigma2, int repeats) {
        return nanosPerSample(problem, g, sigma2, repeats, Evaluator.defaultKernel());
    }

    /**
     * {@return nanoseconds per sample of one E-step pass at G with the given kernel, median of
     * {@code repeats} timed passes after as many untimed ones}
     *
     * @param problem data and model
     * @param g the parameters of the pass
     * @param sigma2 the noise variance of the pass
     * @param repeats timed passes
     * @param kernel the kernel of the pass; {@link Evaluator.Kernel#VECTOR} needs
     *     {@link Evaluator#vectorKernelAvailable()}
     */
    public static double nanosPerSample(FitProblem problem, MixingMeasure g, double sigma2, int repeats,
                                        Evaluator.Kernel kernel) {
        EmState st = new EmState(problem.model(), problem.data().x(), problem.data().y(),
                problem.pretrained().logScore(), problem.atoms());
        st.setKernel(kernel);
        st.setParameters(g.pack());
        int n = problem.data().size();
        double sink = 0;
        for (int k = 0; k < repeats; k++) {
            sink += st.eStep(sigma2, true);
        }
        double[] t = new double[repeats];
        for (int k = 0; k < repeats; k++) {
            long t0 = THREADS.getCurrentThreadCpuTime();
            sink += st.eStep(sigma2, true);
            t[k] = (THREADS.getCurrentThreadCpuTime() - t0) / (double) n;
        }
        if (!Double.isFinite(sink)) {
            throw new IllegalStateException("E-step likelihood is not finite at " + g);
        }
        Arrays.sort(t);
        return t[repeats / 2];
    }
}
