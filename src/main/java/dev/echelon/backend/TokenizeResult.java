package dev.echelon.backend;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.databind.JsonNode;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * {@code POST /tokenize}: {@code {"tokens":[1,2]}} or, with {@code with_pieces}, {@code {"tokens":[{"id":1,"piece":"
 * Once"}]}}. A piece that is not valid UTF-8 comes as a byte list and is decoded leniently.
 *
 * @param pieces null unless pieces were returned
 */
public record TokenizeResult(List<Integer> ids, List<String> pieces) {

    public TokenizeResult {
        ids = ids == null ? List.of() : List.copyOf(ids);
        pieces = pieces == null ? null : Collections.unmodifiableList(new ArrayList<>(pieces));
    }

    @JsonCreator(mode = JsonCreator.Mode.DELEGATING)
    public static TokenizeResult fromJson(JsonNode node) {
        JsonNode tokens = node == null ? null : node.get("tokens");
        if (tokens == null || !tokens.isArray()) {
            throw new IllegalArgumentException("expected {\"tokens\":[...]}, got: " + node);
        }
        List<Integer> ids = new ArrayList<>();
        List<String> pieces = null;
        for (JsonNode t : tokens) {
            if (t.isIntegralNumber()) {
                ids.add(t.intValue());
            } else if (t.isObject() && t.path("id").isIntegralNumber()) {
                ids.add(t.get("id").intValue());
                if (pieces == null) {
                    pieces = new ArrayList<>();
                }
                pieces.add(piece(t.get("piece")));
            } else {
                throw new IllegalArgumentException("unexpected token entry: " + t);
            }
        }
        return new TokenizeResult(ids, pieces);
    }

    private static String piece(JsonNode p) {
        if (p == null || p.isNull()) {
            return null;
        }
        if (p.isArray()) {
            byte[] b = new byte[p.size()];
            for (int i = 0; i < b.length; i++) {
                b[i] = (byte) p.get(i).intValue();
            }
            return new String(b, StandardCharsets.UTF_8);
        }
        return p.asText();
    }
}
