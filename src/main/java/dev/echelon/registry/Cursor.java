package dev.echelon.registry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.MissingNode;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * A position in the YAML tree that knows its key path and reports every problem it meets into a shared list, so
 * that one pass over the file finds all errors instead of stopping at the first. Readers return a fallback value
 * after reporting, and the loader checks the error list before building anything that would depend on them.
 */
final class Cursor {


    private final String file;
    private final String path;
    private final JsonNode node;
    private final List<String> errors;

    Cursor(String file, String path, JsonNode node, List<String> errors) {
        this.file = file;
        this.path = path;
        this.node = node == null ? MissingNode.getInstance() : node;
        this.errors = errors;
    }

    String path() {
        return path;
    }

    JsonNode node() {
        return node;
    }

    boolean present() {
        return !node.isMissingNode() && !node.isNull();
    }

    void error(String reason) {
        errors.add(file + ": " + (path.isEmpty() ? "(top level)" : path) + ": " + reason);
    }

    Cursor field(String name) {
        return new Cursor(file, path.isEmpty() ? name : path + "." + name, node.get(name), errors);
    }

    /** Reports each key that is not one of {@code allowed}: typos must not pass silently. */
    void onlyKeys(String... allowed) {
        if (!node.isObject()) {
            return;
        }
        Set<String> ok = Set.of(allowed);
        node.fieldNames().forEachRemaining(name -> {
            if (!ok.contains(name)) {
                field(name).error("unknown key (expected one of: " + String.join(", ", new TreeSet<>(ok)) + ")");
            }
        });
    }

    boolean requireObject() {
        if (!present()) {
            error("required");
            return false;
        }
        if (!node.isObject()) {
            error("must be a mapping (was " + describe() + ")");
            return false;
        }
        return true;
    }

    boolean isObjectIfPresent() {
        if (!present()) {
            return false;
        }
        if (!node.isObject()) {
            error("must be a mapping (was " + describe() + ")");
            return false;
        }
        return true;
    }

    /** Entries of a mapping in file order; reports a non-mapping. */
    Map<String, Cursor> entries() {
        Map<String, Cursor> out = new LinkedHashMap<>();
        if (!present()) {
            return out;
        }
        if (!node.isObject()) {
            error("must be a mapping (was " + describe() + ")");
            return out;
        }
        node.fieldNames().forEachRemaining(name -> out.put(name, field(name)));
        return out;
    }

    /** Items of a sequence; absent means empty. */
    List<Cursor> items() {
        List<Cursor> out = new ArrayList<>();
        if (!present()) {
            return out;
        }
        if (!node.isArray()) {
            error("must be a list (was " + describe() + ")");
            return out;
        }
        for (int i = 0; i < node.size(); i++) {
            out.add(new Cursor(file, path + "[" + i + "]", node.get(i), errors));
        }
        return out;
    }

    String string(String fallback) {
        if (!present()) {
            return fallback;
        }
        if (!node.isValueNode() || node.isBoolean()) {
            error("must be a string (was " + describe() + ")");
            return fallback;
        }
        return node.asText();
    }

    String requireString() {
        if (!present()) {
            error("required");
            return "";
        }
        String s = string("");
        if (s.isBlank() && node.isValueNode()) {
            error("must not be empty");
        }
        return s;
    }

    Optional<String> optionalString() {
        return present() ? Optional.of(string("")) : Optional.empty();
    }

    List<String> strings() {
        List<String> out = new ArrayList<>();
        for (Cursor item : items()) {
            out.add(item.requireString());
        }
        return out;
    }

    boolean bool(boolean fallback) {
        if (!present()) {
            return fallback;
        }
        if (!node.isBoolean()) {
            error("must be true or false (was " + describe() + ")");
            return fallback;
        }
        return node.booleanValue();
    }

    long longValue(long fallback, long min) {
        if (!present()) {
            return fallback;
        }
        if (!node.isIntegralNumber() || !node.canConvertToLong()) {
            error("must be an integer (was " + describe() + ")");
            return fallback;
        }
        long v = node.longValue();
        if (v < min) {
            error(min == 1 ? "must be > 0 (was " + v + ")" : "must be >= " + min + " (was " + v + ")");
            return fallback;
        }
        return v;
    }

    long requireLong(long min) {
        if (!present()) {
            error("required");
            return min;
        }
        return longValue(min, min);
    }

    int intValue(int fallback, int min, int max) {
        long v = longValue(fallback, Long.MIN_VALUE);
        if (present() && node.isIntegralNumber() && (v < min || v > max)) {
            error(max == Integer.MAX_VALUE
                    ? (min == 1 ? "must be > 0 (was " + v + ")" : "must be >= " + min + " (was " + v + ")")
                    : "must be between " + min + " and " + max + " (was " + v + ")");
            return fallback;
        }
        return (int) v;
    }

    int requireInt(int min) {
        if (!present()) {
            error("required");
            return min;
        }
        return intValue(min, min, Integer.MAX_VALUE);
    }

    double doubleValue(double fallback, double min, double max) {
        if (!present()) {
            return fallback;
        }
        if (!node.isNumber()) {
            error("must be a number (was " + describe() + ")");
            return fallback;
        }
        double v = node.doubleValue();
        if (Double.isNaN(v) || v < min || v > max) {
            error(max == Double.MAX_VALUE ? "must be >= " + fmt(min) + " (was " + fmt(v) + ")"
                    : "must be between " + fmt(min) + " and " + fmt(max) + " (was " + fmt(v) + ")");
            return fallback;
        }
        return v;
    }

    double requirePositive() {
        if (!present()) {
            error("required");
            return 1;
        }
        double v = doubleValue(1, 0, Double.MAX_VALUE);
        if (node.isNumber() && v <= 0) {
            error("must be > 0 (was " + fmt(v) + ")");
            return 1;
        }
        return v;
    }

    /** A byte count: an integer, or a string with a unit such as {@code 24GiB} or {@code 1.5 GB}. */
    long bytes(boolean required) {
        if (!present()) {
            if (required) {
                error("required");
            }
            return 0;
        }
        if (node.isIntegralNumber()) {
            long v = node.longValue();
            if (v <= 0) {
                error("must be > 0 (was " + v + ")");
                return 0;
            }
            return v;
        }
        if (node.isTextual()) {
            java.util.OptionalLong bytes = ByteUnits.parse(node.asText());
            if (bytes.isPresent()) {
                return bytes.getAsLong();
            }
        }
        error("must be a positive byte count such as 1894532128 or \"24GiB\" (was " + describe() + ")");
        return 0;
    }

    /** An enum constant, matched case-insensitively; {@code lowerCase} only changes how choices are listed. */
    <E extends Enum<E>> E enumValue(Class<E> type, E fallback, boolean lowerCase) {
        if (!present()) {
            return fallback;
        }
        String raw = string("").trim();
        for (E e : type.getEnumConstants()) {
            if (e.name().equalsIgnoreCase(raw)) {
                return e;
            }
        }
        error("must be one of " + String.join(", ", Arrays.stream(type.getEnumConstants())
                .map(e -> lowerCase ? e.name().toLowerCase(Locale.ROOT) : e.name()).toList())
                + " (was " + describe() + ")");
        return fallback;
    }

    String describe() {
        if (node.isMissingNode()) {
            return "missing";
        }
        if (node.isNull()) {
            return "null";
        }
        if (node.isTextual()) {
            return "'" + node.asText() + "'";
        }
        if (node.isObject()) {
            return "a mapping";
        }
        if (node.isArray()) {
            return "a list";
        }
        return node.asText();
    }

    private static String fmt(double v) {
        return v == Math.rint(v) && Math.abs(v) < 1e15 ? Long.toString((long) v) : Double.toString(v);
    }
}
