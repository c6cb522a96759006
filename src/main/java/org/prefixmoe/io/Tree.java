package org.prefixmoe.io;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLParser;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Typed access to one YAML or JSON mapping read from a file, with errors that name the file and
 * the field: the plumbing of the toolkit's file readers (models, measures, scenarios). Each getter
 * checks the type of its field and throws an {@link InputFileException} that names the file, the
 * full field path ({@code studies[2].truth}) and what was found; {@link #check} turns a builder's
 * {@code IllegalArgumentException} into such an error. Immutable.
 */
public final class Tree {
    // A key given twice is refused (Jackson keeps the last one silently otherwise).
    static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory())
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);
    // NaN/Infinity literals are parsed so that the field check can name them instead of a parse error.
    static final ObjectMapper JSON = com.fasterxml.jackson.databind.json.JsonMapper.builder()
            .enable(com.fasterxml.jackson.core.json.JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS)
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION).build();

    final Path file;
    final ObjectNode node;
    final String prefix;
    /** The file each top-level field came from, when fields were merged from base files ({@code extends}). */
    private final Map<String, Path> origin;

    Tree(Path file, ObjectNode node, String prefix) {
        this(file, node, prefix, Map.of());
    }

    Tree(Path file, ObjectNode node, String prefix, Map<String, Path> origin) {
        this.file = file;
        this.node = node;
        this.prefix = prefix;
        this.origin = origin;
    }

    /** The file a (full) field name came from: a base file for fields it alone gave. */
    Path fileOf(String fullField) {
        return origin.getOrDefault(fullField.split("[.\\[]", 2)[0], file);
    }

    /** The largest YAML/JSON file read (1 MiB), checked before the file is read. */
    public static final long MAX_BYTES = 1L << 20;

    /**
     * Reads a YAML or JSON file (JSON is YAML, but the JSON parser gives better messages for .json).
     *
     * @param file the file
     * @return its top-level mapping
     * @throws InputFileException if the file is missing, not UTF-8, not valid YAML/JSON (aliases
     *     and duplicate keys are refused) or not a mapping
     */
    public static Tree read(Path file) {
        if (!Files.isRegularFile(file)) {
            throw new InputFileException(file, "", "no such file");
        }
        InputFiles.record(file);
        try {
            long size = Files.size(file);
            if (size > MAX_BYTES) { // before any parsing: the YAML scanner's cost grows faster than the size
                throw new InputFileException(file, "", size + " bytes, more than the " + MAX_BYTES
                        + " a model, scenario or estimate file may have; these files are small text");
            }
        } catch (IOException e) {
            throw new InputFileException(file, "", "cannot be read: " + e.getMessage());
        }
        String text;
        try {
            text = utf8(file);
        } catch (IOException e) {
            throw new InputFileException(file, "", "cannot be read: " + e.getMessage());
        }
        return parse(text, file);
    }

    /** The text of a YAML/JSON file, refusing bytes that are not UTF-8 with the line they are on. */
    private static String utf8(Path file) throws IOException {
        byte[] bytes = Files.readAllBytes(file);
        java.nio.ByteBuffer in = java.nio.ByteBuffer.wrap(bytes);
        java.nio.CharBuffer out = java.nio.CharBuffer.allocate(bytes.length);
        java.nio.charset.CoderResult res = java.nio.charset.StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(java.nio.charset.CodingErrorAction.REPORT)
                .onUnmappableCharacter(java.nio.charset.CodingErrorAction.REPORT).decode(in, out, true);
        if (res.isError()) {
            int line = 1;
            for (int i = 0; i < in.position(); i++) {
                line += bytes[i] == '\n' ? 1 : 0;
            }
            throw new InputFileException(file, "", "byte " + (in.position() + 1) + " on line " + line
                    + " is not UTF-8 text; save the file as UTF-8");
        }
        return out.flip().toString();
    }

    /**
     * Parses the text of {@code file} (YAML, or JSON when the name ends in .json) without reading it.
     *
     * @param text the text
     * @param file the file it came from: decides the syntax and is named in errors
     * @return its top-level mapping
     * @throws InputFileException as {@link #read}
     */
    public static Tree parse(String text, Path file) {
        java.util.Objects.requireNonNull(text, "text");
        java.util.Objects.requireNonNull(file, "file");
        if (text.length() > MAX_BYTES) {
            throw new InputFileException(file, "", text.length() + " characters, more than the " + MAX_BYTES
                    + " a model, scenario or estimate file may have; these files are small text");
        }
        JsonNode root;
        try {
            boolean json = file.toString().endsWith(".json");
            if (!json) {
                refuseAliases(text, file);
            }
            root = (json ? JSON : YAML).readTree(text);
        } catch (JsonProcessingException e) {
            String msg = e.getOriginalMessage();
            String line = e.getLocation() == null ? "" : " (line " + e.getLocation().getLineNr() + ")";
            if (msg != null && msg.startsWith("Malformed numeric value")) {
                // YAML's .nan / .inf: name the field like the finite-number check does.
                throw new InputFileException(file, fieldAt(e), "not a finite number (" + msg.substring(
                        "Malformed numeric value ".length()) + ")" + line);
            }
            if (msg != null && msg.startsWith("Duplicate field '")) {
                String key = msg.substring("Duplicate field '".length(), msg.indexOf('\'', 17));
                throw new InputFileException(file, key, "given twice" + line + "; each field may appear once");
            }
            throw new InputFileException(file, "", "not valid YAML/JSON: " + msg + line);
        } catch (IOException e) {
            throw new InputFileException(file, "", "cannot be read: " + e.getMessage());
        }
        if (root == null || root.isMissingNode() || !root.isObject()) {
            throw new InputFileException(file, "", "expected a mapping of fields at the top level");
        }
        return new Tree(file, (ObjectNode) root, "");
    }

    /** The top-level field a parse error happened in, or "" when unknown. */
    private static String fieldAt(JsonProcessingException e) {
        if (e.getProcessor() instanceof JsonParser p) {
            String name = "";
            for (var c = p.getParsingContext(); c != null; c = c.getParent()) {
                if (c.getCurrentName() != null) {
                    name = c.getCurrentName();
                }
            }
            return name;
        }
        return "";
    }

    /**
     * Refuses YAML anchors and aliases ({@code &a} / {@code *a}): Jackson would read an alias as
     * the text of its name, so a field would get a silently wrong value.
     */
    private static void refuseAliases(String text, Path file) throws IOException {
        try (YAMLParser p = (YAMLParser) YAML.getFactory().createParser(text)) {
            while (p.nextToken() != null) {
                if (p.isCurrentAlias() || p.getObjectId() != null) {
                    String name = p.currentName() != null ? p.currentName() : p.getParsingContext().getParent() == null
                            ? "" : String.valueOf(p.getParsingContext().getParent().getCurrentName());
                    throw new InputFileException(file, "null".equals(name) ? "" : name,
                            "YAML anchors and aliases (&name, *name) are not supported; write the value out (line "
                                    + p.currentLocation().getLineNr() + ")");
                }
            }
        }
    }

    /**
     * {@return an error naming this file and the field under this mapping's path}
     *
     * @param field the field, relative to this mapping
     * @param reason what is wrong
     */
    public InputFileException error(String field, String reason) {
        return error(file, prefix + field, reason);
    }

    /** An error naming this file and, when the field came from a base file, that file too. */
    private InputFileException error(Path file, String fullField, String reason) {
        Path from = fileOf(fullField);
        return new InputFileException(file, fullField, from.equals(file) ? reason : "in base file " + from + ": "
                + reason);
    }

    /**
     * {@return whether the field is present and not null}
     *
     * @param field the field
     */
    public boolean has(String field) {
        return node.has(field) && !node.get(field).isNull();
    }

    /**
     * Refuses fields outside {@code known}, naming the first unknown one and listing the known ones.
     *
     * @param known the allowed field names
     */
    public void allowOnly(Set<String> known) {
        Iterator<String> it = node.fieldNames();
        while (it.hasNext()) {
            String f = it.next();
            if (!known.contains(f)) {
                throw error(f, "unknown field (known fields: " + String.join(", ", new java.util.TreeSet<>(known)) + ")");
            }
        }
    }

    JsonNode require(String field) {
        if (!has(field)) {
            throw error(field, "missing");
        }
        return node.get(field);
    }

    /**
     * {@return the mapping in a field; errors name its fields with this field's path}
     *
     * @param field a field that must hold a mapping
     */
    public Tree object(String field) {
        JsonNode n = require(field);
        if (!n.isObject()) {
            throw error(field, "expected a mapping of fields, found " + describe(n));
        }
        return new Tree(file, (ObjectNode) n, prefix + field + ".", origin);
    }

    /**
     * {@return the text in a field}
     *
     * @param field a field that must hold text
     */
    public String string(String field) {
        JsonNode n = require(field);
        if (!n.isTextual()) {
            throw error(field, "expected text, found " + describe(n));
        }
        return n.asText();
    }

    /**
     * {@return the text in a field, or {@code fallback} when it is absent}
     *
     * @param field the field
     * @param fallback the value when absent
     */
    public String string(String field, String fallback) {
        return has(field) ? string(field) : fallback;
    }

    /**
     * {@return the boolean in a field, or {@code fallback} when it is absent}
     *
     * @param field the field
     * @param fallback the value when absent
     */
    public boolean bool(String field, boolean fallback) {
        if (!has(field)) {
            return fallback;
        }
        JsonNode n = node.get(field);
        if (!n.isBoolean()) {
            throw error(field, "expected true or false, found " + describe(n));
        }
        return n.asBoolean();
    }

    /**
     * {@return the finite number in a field}
     *
     * @param field a field that must hold a finite number
     */
    public double number(String field) {
        return number(field, require(field));
    }

    /**
     * {@return the finite number in a field, or {@code fallback} when it is absent}
     *
     * @param field the field
     * @param fallback the value when absent
     */
    public double number(String field, double fallback) {
        return has(field) ? number(field) : fallback;
    }

    /**
     * {@return the whole number in a field}
     *
     * @param field a field that must hold a whole number within the range of a long
     */
    public long integer(String field) {
        JsonNode n = require(field);
        if (!n.isIntegralNumber()) {
            throw error(field, "expected a whole number, found " + describe(n));
        }
        if (!n.canConvertToLong()) {
            throw error(field, "whole number " + n.asText() + " is out of range (at most " + Long.MAX_VALUE
                    + " in absolute value)");
        }
        return n.asLong();
    }

    /**
     * {@return the whole number in a field, or {@code fallback} when it is absent}
     *
     * @param field the field
     * @param fallback the value when absent
     */
    public long integer(String field, long fallback) {
        return has(field) ? integer(field) : fallback;
    }

    private double number(String field, JsonNode n) {
        if (!n.isNumber()) {
            if (n.isTextual() && n.asText().matches("(?i)[-+]?(\\.?nan|\\.?inf(inity)?)")) {
                throw error(field, "not a finite number (" + n.asText() + ")");
            }
            throw error(field, "expected a number, found " + describe(n));
        }
        double v = n.asDouble();
        if (!Double.isFinite(v)) {
            throw error(field, "not a finite number (" + v + ")");
        }
        return v;
    }

    /**
     * {@return a list of finite numbers}
     *
     * @param field the field
     */
    public double[] vector(String field) {
        return vector(field, require(field));
    }

    private double[] vector(String field, JsonNode n) {
        if (!n.isArray()) {
            throw error(field, "expected a list of numbers, found " + describe(n));
        }
        double[] v = new double[n.size()];
        for (int i = 0; i < v.length; i++) {
            v[i] = number(field + "[" + i + "]", n.get(i));
        }
        return v;
    }

    /**
     * {@return a list of rows of finite numbers, all of one length}
     *
     * @param field the field
     */
    public double[][] matrix(String field) {
        return matrix(field, require(field));
    }

    private double[][] matrix(String field, JsonNode n) {
        if (!n.isArray()) {
            throw error(field, "expected a list of rows, found " + describe(n));
        }
        double[][] m = new double[n.size()][];
        for (int i = 0; i < m.length; i++) {
            m[i] = vector(field + "[" + i + "]", n.get(i));
            if (i > 0 && m[i].length != m[0].length) {
                throw error(field + "[" + i + "]", "row has " + m[i].length + " entries, row 0 has " + m[0].length);
            }
        }
        return m;
    }

    double[][][] matrices(String field) {
        JsonNode n = require(field);
        if (!n.isArray()) {
            throw error(field, "expected a list of matrices, found " + describe(n));
        }
        double[][][] t = new double[n.size()][][];
        for (int i = 0; i < t.length; i++) {
            t[i] = matrix(field + "[" + i + "]", n.get(i));
        }
        return t;
    }

    /**
     * {@return the names in a field: a list of texts, or one text}
     *
     * @param field the field
     */
    public List<String> strings(String field) {
        JsonNode n = require(field);
        List<String> out = new ArrayList<>();
        if (n.isTextual()) {
            out.add(n.asText());
            return out;
        }
        if (!n.isArray()) {
            throw error(field, "expected a list of names, found " + describe(n));
        }
        for (int i = 0; i < n.size(); i++) {
            if (!n.get(i).isTextual()) {
                throw error(field + "[" + i + "]", "expected text, found " + describe(n.get(i)));
            }
            out.add(n.get(i).asText());
        }
        return out;
    }

    /**
     * Runs a check of the values read (a builder call), turning its
     * {@code IllegalArgumentException("field: reason")} into an error naming this file and the
     * field under this mapping's path.
     *
     * @param <T> what the check returns
     * @param s the check
     * @return its result
     */
    public <T> T check(java.util.function.Supplier<T> s) {
        try {
            return s.get();
        } catch (InputFileException e) {
            throw e;
        } catch (IllegalArgumentException e) {
            String msg = e.getMessage();
            int colon = msg == null ? -1 : msg.indexOf(": ");
            if (colon > 0 && !msg.substring(0, colon).contains(" ")) {
                throw error(file, prefix + msg.substring(0, colon), msg.substring(colon + 2));
            }
            throw new InputFileException(file, "", msg);
        }
    }

    /** {@return the file this mapping was read from} */
    public Path file() {
        return file;
    }

    /** {@return the names of this mapping's fields, in file order} */
    public List<String> fields() {
        List<String> out = new ArrayList<>();
        node.fieldNames().forEachRemaining(out::add);
        return out;
    }

    /**
     * {@return whether a field holds text}
     *
     * @param field the field
     */
    public boolean isText(String field) {
        return has(field) && node.get(field).isTextual();
    }

    /**
     * {@return whether a field holds a list}
     *
     * @param field the field
     */
    public boolean isList(String field) {
        return has(field) && node.get(field).isArray();
    }

    /**
     * {@return whether a field holds a mapping}
     *
     * @param field the field
     */
    public boolean isMapping(String field) {
        return has(field) && node.get(field).isObject();
    }

    /**
     * {@return what a field holds, for error messages ("a list", "text 'abc'", "number 3", ...)}
     *
     * @param field a present field
     */
    public String describe(String field) {
        return describe(require(field));
    }

    /**
     * {@return the mappings of a list field, each with its own path ({@code field[i].})}
     *
     * @param field a field that must hold a list of mappings
     * @param nonEmpty whether an empty list is refused
     * @param listOf what the list holds, for the error message ("studies")
     * @param item what each mapping holds, for the error message ("name, title and losses")
     */
    public List<Tree> mappings(String field, boolean nonEmpty, String listOf, String item) {
        JsonNode list = require(field);
        if (!list.isArray() || (nonEmpty && list.isEmpty())) {
            throw error(field, "expected a " + (nonEmpty ? "non-empty " : "") + "list of " + listOf + ", found "
                    + describe(list));
        }
        List<Tree> out = new ArrayList<>();
        for (int i = 0; i < list.size(); i++) {
            String f = field + "[" + i + "]";
            if (!list.get(i).isObject()) {
                throw error(f, "expected a mapping with " + item + ", found " + describe(list.get(i)));
            }
            out.add(new Tree(file, (ObjectNode) list.get(i), prefix + f + ".", origin));
        }
        return out;
    }

    /**
     * {@return the whole numbers of a list field}
     *
     * @param field a field that must hold a list of whole numbers within the range of a long
     */
    public long[] wholeNumbers(String field) {
        JsonNode list = require(field);
        if (!list.isArray()) {
            throw error(field, "expected a list of whole numbers, found " + describe(list));
        }
        long[] out = new long[list.size()];
        for (int i = 0; i < out.length; i++) {
            JsonNode e = list.get(i);
            if (!e.isIntegralNumber() || !e.canConvertToLong()) {
                throw error(field + "[" + i + "]", "expected a whole number, found " + describe(e));
            }
            out[i] = e.asLong();
        }
        return out;
    }

    /** {@return this mapping with an empty path, so that errors name full field paths as given} */
    public Tree unprefixed() {
        return new Tree(file, node, "", origin);
    }

    static String describe(JsonNode n) {
        if (n.isTextual()) {
            return "text '" + n.asText() + "'";
        }
        if (n.isArray()) {
            return "a list";
        }
        if (n.isObject()) {
            return "a mapping";
        }
        if (n.isBoolean()) {
            return "a boolean";
        }
        return n.getNodeType().toString().toLowerCase(java.util.Locale.ROOT) + " " + n;
    }
}
