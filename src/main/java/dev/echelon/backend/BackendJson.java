package dev.echelon.backend;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

import java.util.ArrayList;
import java.util.List;

/**
 * The Jackson configuration used for the llama-server protocol: unknown properties ignored, nulls not written. The
 * records carry explicit {@code @JsonProperty} snake_case names, so any mapper can (de)serialise them.
 */
public final class BackendJson {

    private static final ObjectMapper MAPPER = newMapper();

    private BackendJson() {
    }

    /** A fresh, independently configurable mapper with the backend settings. */
    public static ObjectMapper newMapper() {
        return new ObjectMapper()
                .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false)
                .configure(SerializationFeature.FAIL_ON_EMPTY_BEANS, false)
                .setDefaultPropertyInclusion(JsonInclude.Include.NON_NULL);
    }

    /** The shared mapper (do not reconfigure). */
    public static ObjectMapper mapper() {
        return MAPPER;
    }

    static String text(JsonNode node, String field) {
        JsonNode v = node == null ? null : node.get(field);
        return v == null || v.isNull() ? null : v.asText();
    }

    static Integer integer(JsonNode node, String field) {
        JsonNode v = node == null ? null : node.get(field);
        return v == null || !v.isNumber() ? null : v.intValue();
    }

    /** Splits llama-server's comma separated {@code "speculative.types"} value ("none,draft-simple"). */
    static List<String> speculativeTypes(JsonNode params) {
        if (params == null) {
            return null;
        }
        JsonNode v = params.get("speculative.types");
        if (v == null || v.isNull()) {
            JsonNode spec = params.get("speculative");
            v = spec == null ? null : spec.get("types");
        }
        if (v == null || v.isNull()) {
            return null;
        }
        List<String> out = new ArrayList<>();
        if (v.isArray()) {
            v.forEach(e -> out.add(e.asText()));
        } else {
            for (String s : v.asText().split(",")) {
                if (!s.isBlank()) {
                    out.add(s.trim());
                }
            }
        }
        return List.copyOf(out);
    }

    static String snippet(String s, int max) {
        if (s == null) {
            return null;
        }
        String oneLine = s.strip();
        return oneLine.length() <= max ? oneLine : oneLine.substring(0, max) + "…";
    }
}
