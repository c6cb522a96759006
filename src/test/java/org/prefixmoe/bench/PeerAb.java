package org.prefixmoe.bench;

import java.io.File;
import java.lang.reflect.Method;
import java.net.URL;
import java.net.URLClassLoader;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * An interleaved A/B measurement of the peers' workload in one JVM: two copies of the toolkit,
 * each in its own class loader, from two class paths (e.g. the code before and after a change) or
 * the same one with different system properties read when the classes load; every
 * {@code STRIDE}-th task run by both, alternately first, timed in thread CPU time, and checked to
 * give the same fit and losses bit for bit. Interleaving matters on a machine with other jobs: the
 * speed of a core changes by tens of percent within minutes.
 *
 * <pre>
 * java -cp ... org.prefixmoe.bench.PeerAb SCENARIO STRIDE split|row CLASSPATH_A CLASSPATH_B [PROPS_A [PROPS_B]]
 * </pre>
 * {@code split}: sampling, fit and losses timed apart, the losses computed by this test class
 * ({@link PeerTaskRunner#run}); {@code row}: the whole task as {@code simulate} runs it, the
 * library's own code from end to end ({@link PeerTaskRunner#runRow}), compared by the row's
 * deterministic values.
 * PROPS: comma-separated {@code key=value} set while that copy's classes initialize ({@code -} for none).
 */
public final class PeerAb {
    private PeerAb() {
    }

    /**
     * Entry point.
     *
     * @param args scenario, stride, mode, class path A, class path B, optional properties A and B
     * @throws Exception on bad input
     */
    public static void main(String[] args) throws Exception {
        String scenario = args[0];
        int stride = Integer.parseInt(args[1]);
        String mode = args[2].equals("row") ? "runRow" : "run";
        Method[] runA = load(args[3], args.length > 5 ? args[5] : "-", mode);
        Method[] runB = load(args[4], args.length > 6 ? args[6] : "-", mode);
        int k = (Integer) runA[1].invoke(null, scenario, stride);
        if ((Integer) runB[1].invoke(null, scenario, stride) != k) {
            throw new IllegalStateException("the two copies list different tasks");
        }
        for (int i = 0; i < Math.min(30, k); i++) {
            runA[0].invoke(null, i);
            runB[0].invoke(null, i);
        }
        long[] a = new long[3];
        long[] b = new long[3];
        long iterations = 0;
        long evaluations = 0;
        int differ = 0;
        for (int i = 0; i < k; i++) {
            long[] ra;
            long[] rb;
            if (i % 2 == 0) {
                ra = (long[]) runA[0].invoke(null, i);
                rb = (long[]) runB[0].invoke(null, i);
            } else {
                rb = (long[]) runB[0].invoke(null, i);
                ra = (long[]) runA[0].invoke(null, i);
            }
            for (int j = 0; j < 3; j++) {
                a[j] += ra[j];
                b[j] += rb[j];
            }
            iterations += ra[3];
            evaluations += ra[4];
            if (ra[3] != rb[3] || ra[4] != rb[4] || ra[5] != rb[5]) {
                differ++;
            }
        }
        System.out.printf(Locale.ROOT, "%d tasks (every %d-th); per fit %.1f iterations, %.1f evaluations;"
                + " fits differing between A and B: %d%n", k, stride, (double) iterations / k,
                (double) evaluations / k, differ);
        print("A", a, k);
        print("B", b, k);
        System.out.printf(Locale.ROOT, "B/A CPU: fit %.3f, whole task %.3f%n", (double) b[1] / a[1],
                (double) (b[0] + b[1] + b[2]) / (a[0] + a[1] + a[2]));
    }

    private static void print(String name, long[] t, int k) {
        double cpu = (t[0] + t[1] + t[2]) / 1e9;
        System.out.printf(Locale.ROOT, "%s: CPU %.2f s (sampling %.1f%%, fitting %.1f%%, losses %.1f%%): %.2f fits per"
                + " CPU second; 24,000 fits extrapolated: %.0f CPU s%n", name, cpu, 100 * t[0] / 1e9 / cpu,
                100 * t[1] / 1e9 / cpu, 100 * t[2] / 1e9 / cpu, k / cpu, cpu * 24000 / k);
    }

    private static Method[] load(String classPath, String props, String mode) throws Exception {
        List<URL> urls = new ArrayList<>();
        for (String p : classPath.split(File.pathSeparator)) {
            if (!p.isEmpty()) {
                urls.add(new File(p).toURI().toURL());
            }
        }
        URLClassLoader loader = new URLClassLoader(urls.toArray(new URL[0]), ClassLoader.getPlatformClassLoader());
        List<String[]> set = new ArrayList<>();
        if (!props.equals("-")) {
            for (String kv : props.split(",")) {
                set.add(kv.split("=", 2));
            }
        }
        for (String[] kv : set) {
            System.setProperty(kv[0], kv[1]);
        }
        Class<?> c = Class.forName("org.prefixmoe.bench.PeerTaskRunner", true, loader);
        Method run = c.getMethod(mode, int.class);
        Method init = c.getMethod("init", String.class, int.class);
        // Initialize the model classes now, while the properties are set.
        Class.forName("org.prefixmoe.model.Evaluator", true, loader);
        Class.forName("org.prefixmoe.model.PassKernel", true, loader);
        for (String[] kv : set) {
            System.clearProperty(kv[0]);
        }
        return new Method[] {run, init};
    }
}
