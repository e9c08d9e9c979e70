package dev.echelon.pipeline;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * A request's size as the residency controller wants it: prompt tokens and the answer budget. The prompt is
 * estimated from its characters (≈ 4 per token for English and code with the Qwen/Llama tokenizers) rather than
 * tokenized, because this runs on the request path for every attempt and the estimate only feeds a running average
 * of each role's request shape; an answer without {@code max_tokens} counts as {@link #DEFAULT_OUTPUT_TOKENS}.
 */
record RequestSize(int promptTokens, int maxOutputTokens) {

    static final int CHARS_PER_TOKEN = 4;
    static final int DEFAULT_OUTPUT_TOKENS = 256;

    static RequestSize of(ObjectNode body) {
        long chars = 0;
        JsonNode messages = body.path("messages");
        if (messages.isArray()) {
            for (JsonNode m : messages) {
                chars += textLength(m.path("content"));
            }
        }
        chars += textLength(body.path("prompt"));
        int prompt = (int) Math.min(Integer.MAX_VALUE, (chars + CHARS_PER_TOKEN - 1) / CHARS_PER_TOKEN);
        int max = firstPositive(body, "max_completion_tokens", "max_tokens", "n_predict");
        return new RequestSize(prompt, max > 0 ? max : DEFAULT_OUTPUT_TOKENS);
    }

    /** A string, an array of content parts ({@code {"type":"text","text":…}}) or of prompt strings. */
    private static long textLength(JsonNode content) {
        if (content.isTextual()) {
            return content.asText().length();
        }
        long n = 0;
        if (content.isArray()) {
            for (JsonNode part : content) {
                n += part.isTextual() ? part.asText().length() : part.path("text").asText("").length();
            }
        }
        return n;
    }

    private static int firstPositive(ObjectNode body, String... fields) {
        for (String f : fields) {
            JsonNode v = body.path(f);
            if (v.canConvertToInt() && v.asInt() > 0) {
                return v.asInt();
            }
        }
        return 0;
    }
}
