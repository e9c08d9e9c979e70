package dev.echelon.api;

import com.fasterxml.jackson.databind.JsonNode;
import dev.echelon.pipeline.Rejection;

/**
 * Typed reads of request fields that fail with a 400 naming the field, worded like OpenAI's own errors, so that a
 * client (and its user) learns exactly what to fix.
 */
final class Fields {

    private Fields() {
    }

    static String describe(JsonNode n) {
        if (n == null || n.isMissingNode()) {
            return "missing";
        }
        if (n.isNull()) {
            return "null";
        }
        if (n.isTextual()) {
            return "a string";
        }
        if (n.isBoolean()) {
            return "a boolean";
        }
        if (n.isIntegralNumber()) {
            return "an integer";
        }
        if (n.isNumber()) {
            return "a number";
        }
        if (n.isArray()) {
            return "an array";
        }
        return "an object";
    }

    static Rejection wrongType(String param, String expected, JsonNode got) {
        return Rejection.invalid(param, "invalid_type", "Invalid type for '" + param + "': expected " + expected
                + ", but got " + describe(got) + ".");
    }

    static Rejection missing(String param) {
        return Rejection.invalid(param, "missing_required_parameter", "Missing required parameter: '" + param + "'.");
    }

    static boolean present(JsonNode n) {
        return n != null && !n.isNull() && !n.isMissingNode();
    }

    static String requireString(JsonNode parent, String field, String param) {
        JsonNode n = parent.get(field);
        if (!present(n)) {
            throw missing(param);
        }
        if (!n.isTextual()) {
            throw wrongType(param, "a string", n);
        }
        return n.textValue();
    }

    static void optionalString(JsonNode parent, String field, String param) {
        JsonNode n = parent.get(field);
        if (present(n) && !n.isTextual()) {
            throw wrongType(param, "a string", n);
        }
    }

    static Boolean optionalBoolean(JsonNode parent, String field) {
        JsonNode n = parent.get(field);
        if (!present(n)) {
            return null;
        }
        if (!n.isBoolean()) {
            throw wrongType(field, "a boolean", n);
        }
        return n.booleanValue();
    }

    static Long optionalInteger(JsonNode parent, String field, long min, long max) {
        JsonNode n = parent.get(field);
        if (!present(n)) {
            return null;
        }
        if (!n.isIntegralNumber() || !n.canConvertToLong()) {
            throw wrongType(field, "an integer", n);
        }
        long v = n.longValue();
        if (v < min || v > max) {
            throw Rejection.invalid(field, "integer_out_of_range", "Invalid '" + field + "': " + v + " is "
                    + (v < min ? "less than the minimum of " + min : "greater than the maximum of " + max) + ".");
        }
        return v;
    }

    static Double optionalNumber(JsonNode parent, String field, double min, double max) {
        JsonNode n = parent.get(field);
        if (!present(n)) {
            return null;
        }
        if (!n.isNumber()) {
            throw wrongType(field, "a number", n);
        }
        double v = n.doubleValue();
        if (!(v >= min && v <= max)) {
            throw Rejection.invalid(field, "decimal_out_of_range", "Invalid '" + field + "': " + v + " is outside "
                    + min + " to " + max + ".");
        }
        return v;
    }

    /** {@code stop}: a string or an array of at most 4 strings. */
    static void stop(JsonNode body) {
        JsonNode n = body.get("stop");
        if (!present(n) || n.isTextual()) {
            return;
        }
        if (!n.isArray()) {
            throw wrongType("stop", "a string or an array of strings", n);
        }
        if (n.size() > 4) {
            throw Rejection.invalid("stop", "array_above_max_length", "Invalid 'stop': at most 4 sequences ("
                    + n.size() + " given).");
        }
        for (int i = 0; i < n.size(); i++) {
            if (!n.get(i).isTextual()) {
                throw wrongType("stop[" + i + "]", "a string", n.get(i));
            }
        }
    }

    /** {@code n}: only 1 — Echelon returns one choice per request. */
    static void singleChoice(JsonNode body) {
        Long n = optionalInteger(body, "n", 1, 128);
        if (n != null && n != 1) {
            throw Rejection.invalid("n", "unsupported_value", "Invalid 'n': Echelon returns one choice per request "
                    + "(n=" + n + " requested); send " + n + " requests instead.");
        }
    }

    /** {@code stream} and {@code stream_options}; returns whether to stream. */
    static boolean stream(JsonNode body) {
        boolean stream = Boolean.TRUE.equals(optionalBoolean(body, "stream"));
        JsonNode so = body.get("stream_options");
        if (present(so)) {
            if (!so.isObject()) {
                throw wrongType("stream_options", "an object", so);
            }
            if (!stream) {
                throw Rejection.invalid("stream_options", "invalid_value",
                        "The 'stream_options' parameter is only allowed when 'stream' is enabled.");
            }
            JsonNode iu = so.get("include_usage");
            if (present(iu) && !iu.isBoolean()) {
                throw wrongType("stream_options.include_usage", "a boolean", iu);
            }
        }
        return stream;
    }

    static boolean includeUsage(JsonNode body) {
        return body.path("stream_options").path("include_usage").asBoolean(false);
    }

    /** Sampling fields shared by chat and legacy completions. */
    static void sampling(JsonNode body) {
        optionalNumber(body, "temperature", 0, 2);
        optionalNumber(body, "top_p", 0, 1);
        optionalNumber(body, "presence_penalty", -2, 2);
        optionalNumber(body, "frequency_penalty", -2, 2);
        optionalInteger(body, "seed", Long.MIN_VALUE, Long.MAX_VALUE);
        optionalString(body, "user", "user");
        stop(body);
        singleChoice(body);
        JsonNode bias = body.get("logit_bias");
        if (present(bias) && !bias.isObject()) {
            throw wrongType("logit_bias", "an object", bias);
        }
    }
}
