package dev.echelon.quality;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.Objects;

/**
 * What JSON the answer (or, for a tool call, its arguments) must be.
 *
 * @param kind   NONE (free text), OBJECT (any JSON object, OpenAI {@code json_object}), SCHEMA (must validate)
 * @param schema the JSON Schema for SCHEMA, null otherwise
 */
public record JsonExpectation(Kind kind, JsonNode schema) {

    public enum Kind { NONE, OBJECT, SCHEMA }

    public static final JsonExpectation NONE = new JsonExpectation(Kind.NONE, null);
    public static final JsonExpectation OBJECT = new JsonExpectation(Kind.OBJECT, null);

    public JsonExpectation {
        Objects.requireNonNull(kind, "kind");
        if (kind == Kind.SCHEMA && schema == null) {
            throw new IllegalArgumentException("SCHEMA needs a schema");
        }
        if (kind != Kind.SCHEMA) {
            schema = null;
        }
    }

    /** An expectation that the JSON validates against {@code schema}. */
    public static JsonExpectation schema(JsonNode schema) {
        return new JsonExpectation(Kind.SCHEMA, Objects.requireNonNull(schema, "schema"));
    }

    /** Whether any JSON is required. */
    public boolean required() {
        return kind != Kind.NONE;
    }

    /**
     * From an OpenAI {@code response_format}: {@code {"type":"json_object"}} → OBJECT (or SCHEMA when llama-server's
     * {@code "schema"} field is present), {@code {"type":"json_schema","json_schema":{"schema":{…}}}} → SCHEMA,
     * anything else (absent, {@code "text"}) → NONE.
     */
    public static JsonExpectation fromResponseFormat(JsonNode responseFormat) {
        if (responseFormat == null || !responseFormat.isObject()) {
            return NONE;
        }
        String type = responseFormat.path("type").asText("");
        switch (type) {
            case "json_object": {
                JsonNode s = responseFormat.get("schema");
                return s != null && s.isObject() ? schema(s) : OBJECT;
            }
            case "json_schema": {
                JsonNode js = responseFormat.get("json_schema");
                JsonNode s = js != null ? js.get("schema") : responseFormat.get("schema");
                return s != null && s.isObject() ? schema(s) : OBJECT;
            }
            default:
                return NONE;
        }
    }

    /** From a chat request body: its {@code response_format}. */
    public static JsonExpectation fromChatRequest(JsonNode request) {
        return request == null ? NONE : fromResponseFormat(request.get("response_format"));
    }
}
