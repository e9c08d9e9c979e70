package dev.echelon.tools;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;

/**
 * Checks a model's tool arguments against the tool's schema before the tool runs, and says what is wrong in words
 * a model can act on, naming the argument ("argument 'language' must be one of python, sh (was 'ruby')"). It covers
 * the schema keywords tool parameters use: {@code type}, {@code properties}, {@code required},
 * {@code additionalProperties: false}, {@code enum}, {@code minimum}/{@code maximum},
 * {@code minLength}/{@code maxLength}. Stateless.
 */
public final class ArgumentCheck {

    private ArgumentCheck() {
    }

    /** The first problem with {@code arguments}, or empty when they satisfy {@code schema}. */
    public static Optional<String> problem(ObjectNode schema, JsonNode arguments) {
        List<String> problems = new ArrayList<>();
        check(schema, arguments, "", problems);
        return problems.stream().findFirst();
    }

    private static void check(JsonNode schema, JsonNode value, String path, List<String> out) {
        if (schema == null || !schema.isObject() || !out.isEmpty()) {
            return;
        }
        String where = path.isEmpty() ? "the arguments" : "argument '" + path + "'";
        String type = schema.path("type").asText("");
        if (!type.isEmpty() && !hasType(value, type)) {
            out.add(where + " must be " + article(type) + " (was " + describe(value) + ")");
            return;
        }
        JsonNode allowed = schema.get("enum");
        if (allowed != null && allowed.isArray() && !contains(allowed, value)) {
            List<String> names = new ArrayList<>();
            allowed.forEach(a -> names.add(a.asText()));
            out.add(where + " must be one of " + String.join(", ", names) + " (was " + describe(value) + ")");
            return;
        }
        if (value.isNumber()) {
            if (schema.path("minimum").isNumber() && value.doubleValue() < schema.get("minimum").doubleValue()) {
                out.add(where + " must be at least " + schema.get("minimum").asText() + " (was " + value + ")");
                return;
            }
            if (schema.path("maximum").isNumber() && value.doubleValue() > schema.get("maximum").doubleValue()) {
                out.add(where + " must be at most " + schema.get("maximum").asText() + " (was " + value + ")");
                return;
            }
        }
        if (value.isTextual()) {
            int length = value.textValue().codePointCount(0, value.textValue().length());
            if (schema.path("minLength").isInt() && length < schema.get("minLength").intValue()) {
                out.add(where + " must be at least " + schema.get("minLength").intValue() + " characters long");
                return;
            }
            if (schema.path("maxLength").isInt() && length > schema.get("maxLength").intValue()) {
                out.add(where + " must be at most " + schema.get("maxLength").intValue() + " characters long (was "
                        + length + ")");
                return;
            }
        }
        if (value.isObject()) {
            object(schema, (ObjectNode) value, path, out);
        }
    }

    private static void object(JsonNode schema, ObjectNode value, String path, List<String> out) {
        JsonNode properties = schema.path("properties");
        for (JsonNode r : schema.path("required")) {
            JsonNode v = value.get(r.asText());
            if (v == null || v.isNull()) {
                out.add("argument '" + child(path, r.asText()) + "' is required");
                return;
            }
        }
        Iterator<String> names = value.fieldNames();
        while (names.hasNext()) {
            String name = names.next();
            JsonNode propertySchema = properties.get(name);
            if (propertySchema == null) {
                if (schema.path("additionalProperties").isBoolean() && !schema.get("additionalProperties").asBoolean()) {
                    List<String> known = new ArrayList<>();
                    properties.fieldNames().forEachRemaining(known::add);
                    out.add("argument '" + child(path, name) + "' is not a parameter of this tool (parameters: "
                            + String.join(", ", known) + ")");
                    return;
                }
                continue;
            }
            JsonNode v = value.get(name);
            if (v.isNull() && !required(schema, name)) {
                continue; // an optional argument sent as null means "not given"
            }
            check(propertySchema, v, child(path, name), out);
            if (!out.isEmpty()) {
                return;
            }
        }
    }

    private static boolean required(JsonNode schema, String name) {
        for (JsonNode r : schema.path("required")) {
            if (r.asText().equals(name)) {
                return true;
            }
        }
        return false;
    }

    private static String child(String path, String name) {
        return path.isEmpty() ? name : path + "." + name;
    }

    private static boolean hasType(JsonNode v, String type) {
        return switch (type) {
            case "string" -> v.isTextual();
            case "integer" -> v.isIntegralNumber() || v.isNumber() && v.doubleValue() == Math.rint(v.doubleValue());
            case "number" -> v.isNumber();
            case "boolean" -> v.isBoolean();
            case "object" -> v.isObject();
            case "array" -> v.isArray();
            case "null" -> v.isNull();
            default -> true;
        };
    }

    private static boolean contains(JsonNode allowed, JsonNode v) {
        for (JsonNode a : allowed) {
            if (a.equals(v)) {
                return true;
            }
        }
        return false;
    }

    private static String article(String type) {
        return switch (type) {
            case "integer", "object", "array" -> "an " + type;
            default -> "a " + type;
        };
    }

    static String describe(JsonNode v) {
        if (v.isTextual()) {
            String s = v.textValue();
            return "'" + (s.length() > 40 ? s.substring(0, 40) + "…" : s) + "'";
        }
        if (v.isObject()) {
            return "an object";
        }
        if (v.isArray()) {
            return "an array";
        }
        return v.toString();
    }
}
