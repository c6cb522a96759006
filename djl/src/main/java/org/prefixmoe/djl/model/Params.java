package org.prefixmoe.djl.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;

/**
 * An ordered, named set of parameter tensors owned by one {@link NDManager}.
 *
 * <p>The model code is written functionally over these tensors instead of DJL's {@code Block}s,
 * because attention must accept per-layer prefix keys and values and because freezing is then
 * explicit: a tensor is trained iff it has {@code requiresGradient} set and is handed to the optimizer.
 *
 * <p>{@link #view(NDManager)} returns per-step aliases attached to a short-lived manager. DJL attaches
 * an operation's result to the manager of its first operand, so computing from these aliases keeps
 * every intermediate of a training step in the step's manager, freed when the step ends.
 */
public final class Params implements AutoCloseable {

    private final NDManager manager;
    private final Map<String, NDArray> arrays = new LinkedHashMap<>();

    /**
     * @param parent manager under which this set's own sub-manager is created
     */
    public Params(NDManager parent) {
        this.manager = parent.newSubManager();
    }

    /** The manager owning these tensors. */
    public NDManager manager() {
        return manager;
    }

    /**
     * Adds (or replaces) a tensor, attaching it to this set's manager.
     *
     * @param name unique name
     * @param array the tensor
     * @return the tensor
     */
    public NDArray put(String name, NDArray array) {
        array.attach(manager);
        array.setName(name);
        arrays.put(name, array);
        return array;
    }

    /**
     * Adds a float tensor with the given values.
     *
     * @param name unique name
     * @param shape shape
     * @param values values in row-major order
     * @return the tensor
     */
    public NDArray put(String name, Shape shape, float[] values) {
        return put(name, manager.create(values, shape));
    }

    /**
     * @param name tensor name
     * @return the tensor
     * @throws IllegalArgumentException if absent
     */
    public NDArray get(String name) {
        NDArray a = arrays.get(name);
        if (a == null) {
            throw new IllegalArgumentException("no parameter " + name);
        }
        return a;
    }

    /** All tensors by name, in insertion order (read-only). */
    public Map<String, NDArray> all() {
        return Collections.unmodifiableMap(arrays);
    }

    /**
     * Differentiable aliases of every tensor attached to {@code step}; see the class comment.
     *
     * @param step a short-lived manager (one training or evaluation step)
     * @return name to alias
     */
    public Map<String, NDArray> view(NDManager step) {
        Map<String, NDArray> v = new LinkedHashMap<>();
        for (Map.Entry<String, NDArray> e : arrays.entrySet()) {
            NDArray a = e.getValue().reshape(e.getValue().getShape());
            a.attach(step);
            v.put(e.getKey(), a);
        }
        return v;
    }

    /**
     * Marks every tensor as trainable (gradients collected) or frozen.
     *
     * @param trainable true to collect gradients
     */
    public void setTrainable(boolean trainable) {
        for (NDArray a : arrays.values()) {
            a.setRequiresGradient(trainable);
        }
    }

    /** Total number of scalar parameters. */
    public long count() {
        long n = 0;
        for (NDArray a : arrays.values()) {
            n += a.getShape().size();
        }
        return n;
    }

    /**
     * A deep copy (no gradient attached) under a new manager.
     *
     * @param parent parent manager of the copy
     * @return the copy
     */
    public Params copy(NDManager parent) {
        Params c = new Params(parent);
        for (Map.Entry<String, NDArray> e : arrays.entrySet()) {
            c.put(e.getKey(), e.getValue().stopGradient().duplicate());
        }
        return c;
    }

    /**
     * Copies of all tensors as Java float arrays (for bit-exact comparisons).
     *
     * @return name to values
     */
    public Map<String, float[]> snapshot() {
        Map<String, float[]> s = new LinkedHashMap<>();
        for (Map.Entry<String, NDArray> e : arrays.entrySet()) {
            s.put(e.getKey(), e.getValue().toFloatArray());
        }
        return s;
    }

    /**
     * Saves all tensors (with names) in DJL's NDList encoding.
     *
     * @param file target file; parent directories are created
     * @throws IOException on write failure
     */
    public void save(Path file) throws IOException {
        if (file.getParent() != null) {
            Files.createDirectories(file.getParent());
        }
        NDList list = new NDList();
        for (Map.Entry<String, NDArray> e : arrays.entrySet()) {
            NDArray a = e.getValue();
            a.setName(e.getKey());
            list.add(a);
        }
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        try (OutputStream os = Files.newOutputStream(tmp)) {
            list.encode(os);
        }
        // Write-then-rename so an interrupted save never leaves a truncated checkpoint.
        Files.move(tmp, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    }

    /**
     * Loads tensors saved by {@link #save(Path)}.
     *
     * @param file the file
     * @param parent parent manager
     * @return the parameters
     * @throws IOException on read failure
     */
    public static Params load(Path file, NDManager parent) throws IOException {
        Params p = new Params(parent);
        try (InputStream is = Files.newInputStream(file)) {
            NDList list = NDList.decode(p.manager, is);
            for (NDArray a : list) {
                p.put(a.getName(), a.toType(DataType.FLOAT32, false));
            }
        }
        return p;
    }

    // ---- initializers (in Java, seeded, so results do not depend on the device) ----

    /**
     * Xavier/Glorot-uniform values for a {@code fanIn x fanOut} matrix.
     *
     * @param rng random source
     * @param fanIn rows
     * @param fanOut columns
     * @return values
     */
    public static float[] xavier(Random rng, int fanIn, int fanOut) {
        double bound = Math.sqrt(6.0 / (fanIn + fanOut));
        return uniform(rng, fanIn * fanOut, bound);
    }

    /**
     * Uniform values in {@code [-bound, bound]}.
     *
     * @param rng random source
     * @param n count
     * @param bound half-width
     * @return values
     */
    public static float[] uniform(Random rng, int n, double bound) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) ((rng.nextDouble() * 2 - 1) * bound);
        }
        return v;
    }

    /**
     * Gaussian values.
     *
     * @param rng random source
     * @param n count
     * @param std standard deviation
     * @return values
     */
    public static float[] normal(Random rng, int n, double std) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) (rng.nextGaussian() * std);
        }
        return v;
    }

    /**
     * Constant values.
     *
     * @param n count
     * @param value the value
     * @return values
     */
    public static float[] filled(int n, float value) {
        float[] v = new float[n];
        java.util.Arrays.fill(v, value);
        return v;
    }

    @Override
    public void close() {
        manager.close();
    }
}
