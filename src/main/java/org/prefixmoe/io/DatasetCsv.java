package org.prefixmoe.io;

import ch.randelshofer.fastdoubleparser.JavaDoubleParser;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStreamWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVPrinter;
import org.prefixmoe.sampling.Dataset;

/** Reads and writes data sets as CSV with a header {@code x1..xD,y1..yq}. */
public final class DatasetCsv {
    private DatasetCsv() {
    }

    /**
     * Writes a data set atomically, with the header {@code x1..xD,y1..yq}.
     *
     * @param data the data set
     * @param file the CSV file
     */
    public static void write(Dataset data, Path file) {
        int d = data.inputDimension();
        int q = data.outputDimension();
        String[] header = new String[d + q];
        for (int k = 0; k < d; k++) {
            header[k] = "x" + (k + 1);
        }
        for (int a = 0; a < q; a++) {
            header[d + a] = "y" + (a + 1);
        }
        AtomicFiles.write(file, out -> {
            Writer w = new OutputStreamWriter(out, StandardCharsets.UTF_8);
            CSVPrinter p = new CSVPrinter(w, CSVFormat.DEFAULT.builder().setHeader(header).get());
            Object[] row = new Object[d + q];
            for (int i = 0; i < data.size(); i++) {
                for (int k = 0; k < d; k++) {
                    row[k] = data.x()[i * d + k];
                }
                for (int a = 0; a < q; a++) {
                    row[d + a] = data.y()[i * q + a];
                }
                p.printRecord(row);
            }
            p.flush();
        });
    }

    /** Bytes per segment of the file that one thread parses. */
    static final int SEGMENT = 8 << 20;

    /**
     * Reads a data set; the header must be {@code x1..xD} followed by {@code y1..yq}.
     *
     * <p>The file is read in segments of whole lines (8 MiB), parsed on all cores straight into
     * primitive arrays (no per-row objects; at most one segment per core and one more are held at
     * a time, never the whole file), each number by the Eisel–Lemire parser of FastDoubleParser
     * (correctly rounded, the syntax of {@link Double#parseDouble}), and joined in file order.
     * Blank lines are skipped, CRLF line ends and a UTF-8 byte-order mark accepted, fields may be
     * padded with spaces or quoted.
     *
     * @param file the CSV file
     * @return the data set
     * @throws InputFileException naming the file, row and column of any problem (the first in the file)
     */
    public static Dataset read(Path file) {
        return read(file, SEGMENT, Runtime.getRuntime().availableProcessors());
    }

    /** {@link #read(Path)} with a segment size and thread count (tests use small segments). */
    static Dataset read(Path file, int segmentBytes, int threads) {
        if (!Files.isRegularFile(file)) {
            throw new InputFileException(file, "", "no such file");
        }
        InputFiles.record(file);
        ExecutorService pool = threads > 1 ? Executors.newFixedThreadPool(threads, r -> {
            Thread t = new Thread(r, "prefixmoe-csv");
            t.setDaemon(true);
            return t;
        }) : null;
        try (InputStream in = Files.newInputStream(file)) {
            return new Reader(file, in, segmentBytes, pool, threads).read();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
        } finally {
            if (pool != null) {
                pool.shutdownNow();
            }
        }
    }

    /** Splits the stream into segments of whole lines and joins their parsed rows in order. */
    private static final class Reader {
        private final Path file;
        private final InputStream in;
        private final int segmentBytes;
        private final ExecutorService pool;
        private final int threads;
        private boolean eof;

        Reader(Path file, InputStream in, int segmentBytes, ExecutorService pool, int threads) {
            this.file = file;
            this.in = in;
            this.segmentBytes = segmentBytes;
            this.pool = pool;
            this.threads = threads;
        }

        /** Fills buf from lim on; returns the new limit (eof set when the stream ends). */
        private int fill(byte[] buf, int lim) throws IOException {
            while (lim < buf.length && !eof) {
                int k = in.read(buf, lim, buf.length - lim);
                if (k < 0) {
                    eof = true;
                } else {
                    lim += k;
                }
            }
            return lim;
        }

        Dataset read() throws IOException {
            byte[] buf = new byte[segmentBytes];
            int lim = fill(buf, 0);
            int nl = indexOf(buf, 0, lim);
            while (nl < 0 && !eof) {
                buf = Arrays.copyOf(buf, buf.length * 2);
                lim = fill(buf, lim);
                nl = indexOf(buf, 0, lim);
            }
            if (lim == 0) {
                throw new InputFileException(file, "header", "the file is empty; expected columns x1..xD then y1..yq");
            }
            int end = nl < 0 ? lim : nl;
            int hs = 0;
            if (end >= 3 && (buf[0] & 0xff) == 0xEF && (buf[1] & 0xff) == 0xBB && (buf[2] & 0xff) == 0xBF) {
                hs = 3; // UTF-8 byte-order mark
            }
            int he = end > hs && buf[end - 1] == '\r' ? end - 1 : end;
            List<String> names = new ArrayList<>();
            for (String h : new String(buf, hs, he - hs, StandardCharsets.UTF_8).split(",", -1)) {
                names.add(unquote(h.strip()));
            }
            int d = 0;
            while (d < names.size() && names.get(d).equals("x" + (d + 1))) {
                d++;
            }
            int q = names.size() - d;
            for (int a = 0; a < q; a++) {
                if (!names.get(d + a).equals("y" + (a + 1))) {
                    throw new InputFileException(file, "header", "expected columns x1..xD then y1..yq, found " + shown(names));
                }
            }
            if (d == 0 || q == 0) {
                throw new InputFileException(file, "header", "expected columns x1..xD then y1..yq, found " + shown(names));
            }
            String[] columns = names.toArray(new String[0]);
            List<Future<Segment>> parts = new ArrayList<>();
            int from = Math.min(end + 1, lim);
            int inFlight = 0;
            while (true) {
                int last = lastIndexOf(buf, from, lim);
                if (eof || last >= from) {
                    // Parse [from, cut): every whole line (all of them at the end of the file).
                    int cut = eof ? lim : last + 1;
                    Segment seg = new Segment(file, columns, d, q, buf, from, cut);
                    if (pool == null) {
                        seg.run();
                        parts.add(java.util.concurrent.CompletableFuture.completedFuture(seg));
                    } else {
                        // Bound the memory: at most `threads` segments parsing and this one being read.
                        if (inFlight >= threads) {
                            await(parts.get(parts.size() - inFlight));
                            inFlight--;
                        }
                        parts.add(pool.submit(seg, seg));
                        inFlight++;
                    }
                    if (eof) {
                        break;
                    }
                    byte[] next = new byte[Math.max(segmentBytes, 2 * (lim - cut))];
                    System.arraycopy(buf, cut, next, 0, lim - cut);
                    lim -= cut;
                    buf = next;
                    from = 0;
                } else {
                    // A line longer than the buffer: grow it.
                    buf = Arrays.copyOf(buf, buf.length * 2);
                }
                lim = fill(buf, lim);
            }
            int rows = 0;
            int lines = 0;
            List<Segment> done = new ArrayList<>(parts.size());
            for (Future<Segment> f : parts) {
                Segment seg = await(f);
                if (seg.failure != null) {
                    throw seg.failure.apply(lines + seg.lines);
                }
                lines += seg.lines;
                rows += seg.rows;
                done.add(seg);
            }
            if (rows == 0) {
                throw new InputFileException(file, "", "no data rows");
            }
            double[] x = new double[rows * d];
            double[] y = new double[rows * q];
            int at = 0;
            for (Segment seg : done) {
                System.arraycopy(seg.x, 0, x, at * d, seg.rows * d);
                System.arraycopy(seg.y, 0, y, at * q, seg.rows * q);
                at += seg.rows;
            }
            return new Dataset(x, y, d, q);
        }

        private Segment await(Future<Segment> f) {
            try {
                return f.get();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while reading " + file, e);
            } catch (ExecutionException e) {
                throw e.getCause() instanceof RuntimeException re ? re : new IllegalStateException(e.getCause());
            }
        }

        /** The header's names as an error shows them: at most 200 characters (a binary file has no line ends). */
        private static String shown(List<String> names) {
            String all = names.toString();
            return all.length() <= 200 ? all : all.substring(0, 200) + "… (" + names.size() + " columns)";
        }

        private static int indexOf(byte[] buf, int from, int to) {
            for (int i = from; i < to; i++) {
                if (buf[i] == '\n') {
                    return i;
                }
            }
            return -1;
        }

        private static int lastIndexOf(byte[] buf, int from, int to) {
            for (int i = to - 1; i >= from; i--) {
                if (buf[i] == '\n') {
                    return i;
                }
            }
            return -1;
        }

        private static String unquote(String s) {
            return s.length() >= 2 && s.startsWith("\"") && s.endsWith("\"") ? s.substring(1, s.length() - 1) : s;
        }
    }

    /**
     * The rows of a run of whole lines, parsed into primitive arrays. A bad line stops the
     * parse and leaves {@link #failure}, which makes the exception once the line's number in the
     * file is known (the lines of the segments before it).
     */
    private static final class Segment implements Runnable {
        private final Path file;
        private final String[] names;
        private final int d;
        private final int q;
        private byte[] buf;   // released once parsed
        private final int from;
        private final int to;
        double[] x;
        double[] y;
        int rows;
        int lines;       // lines seen, blank ones included (the failing one included)
        java.util.function.IntFunction<InputFileException> failure;

        Segment(Path file, String[] names, int d, int q, byte[] buf, int from, int to) {
            this.file = file;
            this.names = names;
            this.d = d;
            this.q = q;
            this.buf = buf;
            this.from = from;
            this.to = to;
        }

        @Override
        public void run() {
            try {
                parse();
            } finally {
                buf = null;
            }
        }

        private void parse() {
            int width = d + q;
            // About 14 bytes per field in files this toolkit writes; grown if there are more rows.
            int cap = Math.max(16, (to - from) / (width * 14));
            x = new double[cap * d];
            y = new double[cap * q];
            int pos = from;
            while (pos < to) {
                int end = pos;
                while (end < to && buf[end] != '\n') {
                    end++;
                }
                lines++;
                int le = end > pos && buf[end - 1] == '\r' ? end - 1 : end;
                int ls = pos;
                pos = end + 1;
                if (blank(ls, le)) {
                    continue;
                }
                if ((rows + 1) * d > x.length) {
                    int grown = Math.max(rows + 1, rows + (rows >> 1));
                    x = Arrays.copyOf(x, grown * d);
                    y = Arrays.copyOf(y, grown * q);
                }
                int fs = ls;
                for (int k = 0; k < width; k++) {
                    int fe = fs;
                    while (fe < le && buf[fe] != ',') {
                        fe++;
                    }
                    if (fe == le && k < width - 1) {
                        fail(columns(k + 1, width));
                        return;
                    }
                    double v = number(fs, fe, names[k]);
                    if (failure != null) {
                        return;
                    }
                    if (k < d) {
                        x[rows * d + k] = v;
                    } else {
                        y[rows * q + k - d] = v;
                    }
                    fs = fe + 1;
                }
                if (fs <= le) {
                    int count = width;
                    for (int i = fs - 1; i < le; i++) {
                        count += buf[i] == ',' ? 1 : 0;
                    }
                    fail(columns(count, width));
                    return;
                }
                rows++;
            }
        }

        private void fail(java.util.function.IntFunction<InputFileException> f) {
            failure = f;
        }

        private java.util.function.IntFunction<InputFileException> columns(int found, int width) {
            return row -> new InputFileException(file, "row " + row, "has " + found + " columns, the header has " + width);
        }

        private double number(int fs, int fe, String name) {
            while (fs < fe && (buf[fs] == ' ' || buf[fs] == '\t')) {
                fs++;
            }
            while (fe > fs && (buf[fe - 1] == ' ' || buf[fe - 1] == '\t')) {
                fe--;
            }
            if (fe - fs >= 2 && buf[fs] == '"' && buf[fe - 1] == '"') {
                fs++;
                fe--;
            }
            double v;
            try {
                v = JavaDoubleParser.parseDouble(buf, fs, fe - fs);
            } catch (NumberFormatException e) {
                String text = shown(buf, fs, fe);
                fail(row -> new InputFileException(file, name + " (row " + row + ")", "not a number: '" + text + "'"));
                return 0;
            }
            if (!Double.isFinite(v)) {
                String text = shown(buf, fs, fe);
                fail(row -> new InputFileException(file, name + " (row " + row + ")",
                        "not a finite number: '" + text + "'"));
            }
            return v;
        }

        /** A field as an error shows it: at most 40 characters (a corrupt file can have megabyte fields). */
        private static String shown(byte[] buf, int fs, int fe) {
            String text = new String(buf, fs, Math.min(fe - fs, 160), StandardCharsets.UTF_8);
            return text.length() > 40 || fe - fs > 160 ? text.substring(0, Math.min(text.length(), 40)) + "… ("
                    + (fe - fs) + " bytes)" : text;
        }

        private boolean blank(int ls, int le) {
            for (int i = ls; i < le; i++) {
                if (buf[i] != ' ' && buf[i] != '\t') {
                    return false;
                }
            }
            return true;
        }
    }
}
