package org.prefixmoe.io;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;

/**
 * Typed access to one YAML or JSON object read from a file, with errors that name the file and
 * the field. Package-private plumbing for the file readers.
 */
final class Tree {
    static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    // NaN/Infinity literals are parsed so that the field check can name them instead of a parse error.
    static final ObjectMapper JSON = com.fasterxml.jackson.databind.json.JsonMapper.builder()
            .enable(com.fasterxml.jackson.core.json.JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS).build();

    final Path file;
    final ObjectNode node;
    final String prefix;

    Tree(Path file, ObjectNode node, String prefix) {
        this.file = file;
        this.node = node;
        this.prefix = prefix;
    }

    /** Reads a YAML or JSON file (JSON is YAML, but the JSON parser gives better messages for .json). */
    static Tree read(Path file) {
        if (!Files.isRegularFile(file)) {
            throw new InputFileException(file, "", "no such file");
        }
        String text;
        try {
            text = Files.readString(file, java.nio.charset.StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new InputFileException(file, "", "cannot be read: " + e.getMessage());
        }
        return parse(text, file);
    }

    /** Parses the text of {@code file} (YAML, or JSON when the name ends in .json) without reading it. */
    static Tree parse(String text, Path file) {
        JsonNode root;
        try {
            ObjectMapper mapper = file.toString().endsWith(".json") ? JSON : YAML;
            root = mapper.readTree(text);
        } catch (JsonProcessingException e) {
            throw new InputFileException(file, "", "not valid YAML/JSON: " + e.getOriginalMessage()
                    + (e.getLocation() == null ? "" : " (line " + e.getLocation().getLineNr() + ")"));
        }
        if (root == null || root.isMissingNode() || !root.isObject()) {
            throw new InputFileException(file, "", "expected a mapping of fields at the top level");
        }
        return new Tree(file, (ObjectNode) root, "");
    }

    InputFileException error(String field, String reason) {
        return new InputFileException(file, prefix + field, reason);
    }

    boolean has(String field) {
        return node.has(field) && !node.get(field).isNull();
    }

    /** Refuses fields outside {@code known}. */
    void allowOnly(Set<String> known) {
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

    Tree object(String field) {
        JsonNode n = require(field);
        if (!n.isObject()) {
            throw error(field, "expected a mapping of fields, found " + describe(n));
        }
        return new Tree(file, (ObjectNode) n, prefix + field + ".");
    }

    String string(String field) {
        JsonNode n = require(field);
        if (!n.isTextual()) {
            throw error(field, "expected text, found " + describe(n));
        }
        return n.asText();
    }

    String string(String field, String fallback) {
        return has(field) ? string(field) : fallback;
    }

    boolean bool(String field, boolean fallback) {
        if (!has(field)) {
            return fallback;
        }
        JsonNode n = node.get(field);
        if (!n.isBoolean()) {
            throw error(field, "expected true or false, found " + describe(n));
        }
        return n.asBoolean();
    }

    double number(String field) {
        return number(field, require(field));
    }

    double number(String field, double fallback) {
        return has(field) ? number(field) : fallback;
    }

    long integer(String field) {
        JsonNode n = require(field);
        if (!n.isIntegralNumber()) {
            throw error(field, "expected a whole number, found " + describe(n));
        }
        return n.asLong();
    }

    long integer(String field, long fallback) {
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

    double[] vector(String field) {
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

    double[][] matrix(String field) {
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

    List<String> strings(String field) {
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

    /** Runs a model-level check, turning its IllegalArgumentException into an error naming this file. */
    <T> T check(java.util.function.Supplier<T> s) {
        try {
            return s.get();
        } catch (InputFileException e) {
            throw e;
        } catch (IllegalArgumentException e) {
            String msg = e.getMessage();
            int colon = msg == null ? -1 : msg.indexOf(": ");
            if (colon > 0 && !msg.substring(0, colon).contains(" ")) {
                throw new InputFileException(file, prefix + msg.substring(0, colon), msg.substring(colon + 2));
            }
            throw new InputFileException(file, "", msg);
        }
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
