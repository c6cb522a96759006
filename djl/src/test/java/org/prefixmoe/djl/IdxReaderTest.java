package org.prefixmoe.djl;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.prefixmoe.djl.data.DataMissingException;
import org.prefixmoe.djl.data.FashionMnist;
import org.prefixmoe.djl.data.IdxReader;
import org.prefixmoe.djl.data.ImageSet;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPOutputStream;

/** The IDX reader on tiny files written here, plain and gzipped, and the missing-data message. */
class IdxReaderTest {

    @TempDir
    Path dir;

    private static byte[] idx(int[] dims, byte[] data) throws IOException {
        ByteArrayOutputStream bos = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(bos);
        out.writeInt(0x0800 | dims.length);
        for (int d : dims) {
            out.writeInt(d);
        }
        out.write(data);
        return bos.toByteArray();
    }

    private static void write(Path p, byte[] bytes, boolean gz) throws IOException {
        try (OutputStream os = gz ? new GZIPOutputStream(Files.newOutputStream(p)) : Files.newOutputStream(p)) {
            os.write(bytes);
        }
    }

    @Test
    void readsPlainAndGzippedFiles() throws IOException {
        byte[] data = new byte[3 * 2 * 2];
        for (int i = 0; i < data.length; i++) {
            data[i] = (byte) (i * 20);
        }
        byte[] bytes = idx(new int[] {3, 2, 2}, data);
        for (boolean gz : new boolean[] {false, true}) {
            Path p = dir.resolve(gz ? "x.gz" : "x");
            write(p, bytes, gz);
            IdxReader.IdxData d = IdxReader.read(p);
            assertArrayEquals(new int[] {3, 2, 2}, d.dims());
            assertArrayEquals(data, d.data());
            assertEquals(3, d.count());
            assertEquals(4, d.itemSize());
        }
    }

    @Test
    void rejectsNonByteData() throws IOException {
        Path p = dir.resolve("f");
        Files.write(p, new byte[] {0, 0, 0x0d, 1, 0, 0, 0, 1, 0, 0, 0, 0});
        assertThrows(IOException.class, () -> IdxReader.read(p));
    }

    @Test
    void loadsFashionMnistLayoutAndFiltersClasses() throws IOException {
        int n = 6;
        byte[] px = new byte[n * 4];
        for (int i = 0; i < px.length; i++) {
            px[i] = (byte) 255;
        }
        byte[] labels = {0, 5, 9, 3, 7, 5};
        for (String split : new String[] {"train", "t10k"}) {
            write(dir.resolve(split + "-images-idx3-ubyte.gz"), idx(new int[] {n, 2, 2}, px), true);
            write(dir.resolve(split + "-labels-idx1-ubyte"), idx(new int[] {n}, labels), false);
        }
        FashionMnist.Splits s = FashionMnist.load(dir);
        assertEquals(n, s.train().size());
        assertEquals(2, s.train().side());
        ImageSet upper = s.test().classes(5, 9);
        assertArrayEquals(new int[] {0, 4, 2, 0}, upper.labels());
        assertEquals(upper.pixels()[0], (1f - 0.2860f) / 0.3530f, 1e-6f);
        assertEquals(2, upper.sample(2, 1).size());
    }

    @Test
    void missingDataSaysHowToInstall() {
        DataMissingException e = assertThrows(DataMissingException.class,
                () -> FashionMnist.load(dir.resolve("nothing-here")));
        assertTrue(e.getMessage().contains("apt-get install dataset-fashion-mnist"), e.getMessage());
        assertTrue(e.getMessage().contains("--data"), e.getMessage());
    }
}
