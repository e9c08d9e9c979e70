package dev.echelon.pipeline;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * What one generation produced, for the check and record steps.
 *
 * @param usage   the backend's usage object, or null
 * @param timings llama-server's timings (prompt/predicted counts and speeds, draft_n …), or null
 * @param answer  the answer's text as the client received it (what memory remembers); empty for a tool call
 */
record GenerationResult(String instance, String finishReason, JsonNode usage, JsonNode timings, int chunks,
        EchelonMeta meta, String answer) {

    long completionTokens() {
        return usage == null ? 0 : usage.path("completion_tokens").asInt(0);
    }

    long promptTokens() {
        return usage == null ? 0 : usage.path("prompt_tokens").asInt(0);
    }
}
