package org.prefixmoe.djl.data;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;

/**
 * Minimal reader for the IDX format of (Fashion-)MNIST: a big-endian magic number
 * {@code 0x00 0x00 type ndim}, then {@code ndim} big-endian int dimensions, then the raw data.
 * Only unsigned bytes ({@code type = 0x08}) are supported, which is all MNIST-style files use.
 * Gzipped files are detected by their magic bytes, so {@code .gz} and plain files both work.
 */
public final class IdxReader {

    private IdxReader() {}

    /** An IDX tensor of unsigned bytes: its dimensions and its data in row-major order. */
    public record IdxData(int[] dims, byte[] data) {
        /** Number of items along the first dimension. */
        public int count() {
            return dims[0];
        }

        /** Number of values per item (product of the remaining dimensions). */
        public int itemSize() {
            int s = 1;
            for (int i = 1; i < dims.length; i++) {
                s *= dims[i];
            }
            return s;
        }
    }

    /**
     * Reads an IDX file, gzipped or not.
     *
     * @param file the file
     * @return its dimensions and bytes
     * @throws IOException if the file cannot be read or is not an unsigned-byte IDX file
     */
    public static IdxData read(Path file) throws IOException {
        try (InputStream raw = new BufferedInputStream(Files.newInputStream(file))) {
            raw.mark(2);
            int b0 = raw.read();
            int b1 = raw.read();
            raw.reset();
            // 0x1f 0x8b is the gzip magic; IDX itself starts with two zero bytes.
            InputStream in = (b0 == 0x1f && b1 == 0x8b) ? new GZIPInputStream(raw, 1 << 16) : raw;
            return read(in, file.toString());
        }
    }

    /**
     * Reads an IDX tensor from a stream (not gzipped).
     *
     * @param stream the stream, positioned at the magic number
     * @param name a name for error messages
     * @return its dimensions and bytes
     * @throws IOException on a malformed or truncated stream
     */
    public static IdxData read(InputStream stream, String name) throws IOException {
        DataInputStream in = new DataInputStream(stream);
        int magic = in.readInt();
        if ((magic >>> 16) != 0) {
            throw new IOException(name + ": not an IDX file (magic 0x" + Integer.toHexString(magic) + ")");
        }
        int type = (magic >>> 8) & 0xff;
        int ndim = magic & 0xff;
        if (type != 0x08) {
            throw new IOException(name + ": only unsigned-byte IDX data (type 0x08) is supported, got 0x"
                    + Integer.toHexString(type));
        }
        if (ndim < 1) {
            throw new IOException(name + ": IDX file with no dimensions");
        }
        int[] dims = new int[ndim];
        long total = 1;
        for (int i = 0; i < ndim; i++) {
            dims[i] = in.readInt();
            if (dims[i] < 0) {
                throw new IOException(name + ": negative dimension");
            }
            total *= dims[i];
        }
        if (total > Integer.MAX_VALUE - 8) {
            throw new IOException(name + ": IDX file too large");
        }
        byte[] data = new byte[(int) total];
        in.readFully(data);
        return new IdxData(dims, data);
    }
}
