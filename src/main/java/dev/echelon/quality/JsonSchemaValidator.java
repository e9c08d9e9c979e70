package dev.echelon.quality;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A small validator for the JSON-Schema subset that answers and tool arguments use: {@code type} (one or a list;
 * {@code integer} is a number without a fraction), {@code properties}, {@code required},
 * {@code additionalProperties} (false or a schema), {@code items} (a schema), {@code enum}, {@code const},
 * {@code anyOf}/{@code oneOf} (at least one branch must match), {@code allOf}, and {@code nullable}. Every other
 * keyword ({@code $ref}, {@code format}, {@code minLength}, …) is ignored, so the validator never rejects what a
 * fuller one would accept for the supported keywords. Stateless and thread-safe.
 */
public final class JsonSchemaValidator {

    /** At most this many errors are collected. */
    public static final int MAX_ERRORS = 10;

    private JsonSchemaValidator() {
    }

    /** The violations of {@code schema} by {@code value}, each prefixed with a JSON Pointer; empty when valid. */
    public static List<String> validate(JsonNode schema, JsonNode value) {
        List<String> errors = new ArrayList<>();
        check(schema, value, "", errors);
        return errors;
    }

    /** Whether {@code value} satisfies {@code schema}. */
    public static boolean isValid(JsonNode schema, JsonNode value) {
        return validate(schema, value).isEmpty();
    }

    private static void check(JsonNode schema, JsonNode value, String path, List<String> errors) {
        if (errors.size() >= MAX_ERRORS || schema == null || !schema.isObject()) {
            return; // absent or boolean-true schema: anything goes
        }
        String at = path.isEmpty() ? "/" : path;
        if (value.isNull() && schema.path("nullable").asBoolean(false)) {
            return;
        }
        JsonNode type = schema.get("type");
        if (type != null && !typeMatches(type, value)) {
            add(errors, at + ": expected " + typeText(type) + ", found " + typeOf(value));
            return;
        }
        JsonNode en = schema.get("enum");
        if (en != null && en.isArray()) {
            boolean found = false;
            for (JsonNode option : en) {
                if (jsonEquals(option, value)) {
                    found = true;
                    break;
                }
            }
            if (!found) {
                add(errors, at + ": " + abbreviate(value) + " is not one of " + abbreviate(en));
            }
        }
        JsonNode cn = schema.get("const");
        if (cn != null && !jsonEquals(cn, value)) {
            add(errors, at + ": expected " + abbreviate(cn) + ", found " + abbreviate(value));
        }
        if (value.isObject()) {
            checkObject(schema, value, path, errors);
        } else if (value.isArray()) {
            JsonNode items = schema.get("items");
            if (items != null && items.isObject()) {
                for (int i = 0; i < value.size() && errors.size() < MAX_ERRORS; i++) {
                    check(items, value.get(i), path + "/" + i, errors);
                }
            }
        }
        JsonNode all = schema.get("allOf");
        if (all != null && all.isArray()) {
            for (JsonNode s : all) {
                check(s, value, path, errors);
            }
        }
        for (String key : new String[] {"anyOf", "oneOf"}) {
            JsonNode any = schema.get(key);
            if (any != null && any.isArray() && any.size() > 0) {
                boolean ok = false;
                for (JsonNode s : any) {
                    if (validate(s, value).isEmpty()) {
                        ok = true;
                        break;
                    }
                }
                if (!ok) {
                    add(errors, at + ": matches none of the " + key + " alternatives");
                }
            }
        }
    }

    private static void checkObject(JsonNode schema, JsonNode value, String path, List<String> errors) {
        JsonNode required = schema.get("required");
        if (required != null && required.isArray()) {
            for (JsonNode r : required) {
                if (r.isTextual() && !value.has(r.asText())) {
                    add(errors, (path.isEmpty() ? "/" : path) + ": missing required property \""
                            + r.asText() + "\"");
                }
            }
        }
        JsonNode props = schema.get("properties");
        JsonNode additional = schema.get("additionalProperties");
        for (Map.Entry<String, JsonNode> e : value.properties()) {
            if (errors.size() >= MAX_ERRORS) {
                break;
            }
            String child = path + "/" + e.getKey().replace("~", "~0").replace("/", "~1");
            JsonNode ps = props != null && props.isObject() ? props.get(e.getKey()) : null;
            if (ps != null) {
                check(ps, e.getValue(), child, errors);
            } else if (additional != null) {
                if (additional.isBoolean() && !additional.asBoolean()) {
                    add(errors, child + ": property not allowed");
                } else if (additional.isObject()) {
                    check(additional, e.getValue(), child, errors);
                }
            }
        }
    }

    private static void add(List<String> errors, String error) {
        if (errors.size() < MAX_ERRORS) {
            errors.add(error);
        }
    }

    private static boolean typeMatches(JsonNode type, JsonNode value) {
        if (type.isTextual()) {
            return typeMatches(type.asText(), value);
        }
        if (type.isArray()) {
            for (JsonNode t : type) {
                if (t.isTextual() && typeMatches(t.asText(), value)) {
                    return true;
                }
            }
            return false;
        }
        return true; // malformed "type": ignore
    }

    private static boolean typeMatches(String type, JsonNode v) {
        return switch (type) {
            case "object" -> v.isObject();
            case "array" -> v.isArray();
            case "string" -> v.isTextual();
            case "number" -> v.isNumber();
            case "integer" -> v.isIntegralNumber() || (v.isNumber() && v.asDouble() == Math.rint(v.asDouble())
                    && !Double.isInfinite(v.asDouble()));
            case "boolean" -> v.isBoolean();
            case "null" -> v.isNull();
            default -> true; // unknown type name: ignore
        };
    }

    private static String typeText(JsonNode type) {
        return type.isTextual() ? type.asText() : type.toString();
    }

    private static String typeOf(JsonNode v) {
        if (v.isObject()) {
            return "object";
        }
        if (v.isArray()) {
            return "array";
        }
        if (v.isTextual()) {
            return "string";
        }
        if (v.isIntegralNumber()) {
            return "integer";
        }
        if (v.isNumber()) {
            return "number";
        }
        if (v.isBoolean()) {
            return "boolean";
        }
        return v.isNull() ? "null" : v.getNodeType().name().toLowerCase();
    }

    /** JSON equality where numbers compare by value (1 == 1.0). */
    private static boolean jsonEquals(JsonNode a, JsonNode b) {
        if (a.isNumber() && b.isNumber()) {
            return a.decimalValue().compareTo(b.decimalValue()) == 0;
        }
        if (a.isArray() && b.isArray()) {
            if (a.size() != b.size()) {
                return false;
            }
            for (int i = 0; i < a.size(); i++) {
                if (!jsonEquals(a.get(i), b.get(i))) {
                    return false;
                }
            }
            return true;
        }
        if (a.isObject() && b.isObject()) {
            if (a.size() != b.size()) {
                return false;
            }
            for (Map.Entry<String, JsonNode> e : a.properties()) {
                JsonNode other = b.get(e.getKey());
                if (other == null || !jsonEquals(e.getValue(), other)) {
                    return false;
                }
            }
            return true;
        }
        return a.equals(b);
    }

    private static String abbreviate(JsonNode n) {
        String s = n.toString();
        return s.length() <= 60 ? s : s.substring(0, 57) + "...";
    }
}
