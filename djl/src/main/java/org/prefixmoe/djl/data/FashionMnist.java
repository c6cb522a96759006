package org.prefixmoe.djl.data;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;

/**
 * Loads Fashion-MNIST from IDX files, as installed by Debian's {@code dataset-fashion-mnist}
 * package ({@code /usr/share/datasets/fashion-mnist/}, gzipped). Plain and gzipped files are both accepted.
 */
public final class FashionMnist {

    /** Where Debian's {@code dataset-fashion-mnist} package puts the files. */
    public static final Path DEFAULT_DIR = Paths.get("/usr/share/datasets/fashion-mnist");

    /** Per-pixel mean and standard deviation of the Fashion-MNIST training set (pixels in [0, 1]). */
    static final float MEAN = 0.2860f;
    static final float STD = 0.3530f;

    private FashionMnist() {}

    /** The training and test split. */
    public record Splits(ImageSet train, ImageSet test) {}

    /**
     * Loads both splits from a directory.
     *
     * @param dir directory holding {@code train-images-idx3-ubyte[.gz]} and the three other files
     * @return the splits, pixels normalized with the training mean and std
     * @throws DataMissingException if a file is missing, with installation instructions
     * @throws IOException if a file is malformed
     */
    public static Splits load(Path dir) throws IOException {
        return new Splits(load(dir, "train"), load(dir, "t10k"));
    }

    /**
     * Loads one split.
     *
     * @param dir data directory
     * @param prefix {@code train} or {@code t10k}
     * @return the images and labels
     * @throws IOException if missing or malformed
     */
    public static ImageSet load(Path dir, String prefix) throws IOException {
        Path images = find(dir, prefix + "-images-idx3-ubyte");
        Path labels = find(dir, prefix + "-labels-idx1-ubyte");
        IdxReader.IdxData im = IdxReader.read(images);
        IdxReader.IdxData lb = IdxReader.read(labels);
        if (im.dims().length != 3 || im.dims()[1] != im.dims()[2]) {
            throw new IOException(images + ": expected n x side x side images");
        }
        if (lb.dims().length != 1 || lb.count() != im.count()) {
            throw new IOException(labels + ": label count does not match " + images);
        }
        return fromBytes(im, lb);
    }

    /**
     * Converts raw IDX bytes to a normalized image set.
     *
     * @param images n x side x side unsigned bytes
     * @param labels n unsigned bytes
     * @return the image set
     */
    public static ImageSet fromBytes(IdxReader.IdxData images, IdxReader.IdxData labels) {
        byte[] b = images.data();
        float[] px = new float[b.length];
        for (int i = 0; i < b.length; i++) {
            px[i] = ((b[i] & 0xff) / 255f - MEAN) / STD;
        }
        int[] y = new int[labels.count()];
        for (int i = 0; i < y.length; i++) {
            y[i] = labels.data()[i] & 0xff;
        }
        return new ImageSet(px, y, images.dims()[1]);
    }

    private static Path find(Path dir, String base) throws DataMissingException {
        for (String name : new String[] {base + ".gz", base}) {
            Path p = dir.resolve(name);
            if (Files.isRegularFile(p)) {
                return p;
            }
        }
        throw new DataMissingException("Fashion-MNIST file " + base + "[.gz] not found in " + dir.toAbsolutePath()
                + ".\nInstall it with:  sudo apt-get update && sudo apt-get install dataset-fashion-mnist"
                + "\n(files land in " + DEFAULT_DIR + "), or download the four IDX files from"
                + " https://github.com/zalandoresearch/fashion-mnist and pass --data DIR.");
    }
}
