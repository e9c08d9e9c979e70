package dev.echelon.pipeline;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/** How a retried request is changed: a stricter format instruction, or room and a nudge to reason. */
final class Instructions {

    static final String STRICT_JSON = "Respond with valid JSON only: no prose, no code fences, nothing after the "
            + "closing brace.";

    private Instructions() {
    }

    static GenerationCall strictJson(GenerationCall call) {
        return withSystem(call, STRICT_JSON, 1, Long.MAX_VALUE);
    }

    static GenerationCall thinkHarder(GenerationCall call, String instruction, int maxTokensMultiplier,
            long remainingTokens) {
        return withSystem(call, instruction, maxTokensMultiplier, remainingTokens);
    }

    private static GenerationCall withSystem(GenerationCall call, String text, int multiplier, long remaining) {
        ObjectNode body = call.body().deepCopy();
        if (call.endpoint() == Endpoint.CHAT) {
            ArrayNode messages = (ArrayNode) body.get("messages");
            for (JsonNode m : messages) {
                if ("system".equals(m.path("role").asText()) && text.equals(m.path("content").asText())) {
                    return withMaxTokens(call, body, multiplier, remaining); // already asked once
                }
            }
            ArrayNode updated = body.arrayNode();
            updated.addObject().put("role", "system").put("content", text);
            for (JsonNode m : messages) {
                updated.add(m);
            }
            body.set("messages", updated);
        }
        return withMaxTokens(call, body, multiplier, remaining);
    }

    private static GenerationCall withMaxTokens(GenerationCall call, ObjectNode body, int multiplier, long remaining) {
        if (body.has("max_tokens") && multiplier > 1) {
            long more = Math.min((long) body.get("max_tokens").asInt() * multiplier, Math.max(1, remaining));
            body.put("max_tokens", more);
        }
        return call.withBody(body);
    }
}
