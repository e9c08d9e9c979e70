package dev.echelon.backend;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;

import java.util.List;
import java.util.Optional;

/**
 * Body of a non-streamed {@code POST /v1/chat/completions}, and equally one {@code data:} event of a streamed one
 * ({@code object: chat.completion.chunk}: choices carry a {@code delta} instead of a {@code message}). llama-server
 * ends a stream with a chunk carrying the {@code finish_reason}, then one with empty {@code choices} carrying
 * {@code usage} and {@code timings}, then {@code data: [DONE]} (not delivered as an event).
 */
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ChatResponse(
        @JsonProperty("id") String id,
        @JsonProperty("object") String object,
        @JsonProperty("created") Long created,
        @JsonProperty("model") String model,
        @JsonProperty("system_fingerprint") String systemFingerprint,
        @JsonProperty("choices") List<ChatChoice> choices,
        @JsonProperty("usage") Usage usage,
        @JsonProperty("timings") Timings timings) {

    /** The first choice, if any. */
    @JsonIgnore
    public Optional<ChatChoice> firstChoice() {
        return choices == null || choices.isEmpty() ? Optional.empty() : Optional.of(choices.get(0));
    }

    /** Text content of the first choice's message, or null. */
    @JsonIgnore
    public String contentText() {
        return firstChoice().map(ChatChoice::message).map(ChatMessage::contentText).orElse(null);
    }

    /** First non-null finish_reason among the choices, or null (for a stream chunk: set on the closing one). */
    @JsonIgnore
    public String finishReason() {
        if (choices == null) {
            return null;
        }
        for (ChatChoice c : choices) {
            if (c.finishReason() != null) {
                return c.finishReason();
            }
        }
        return null;
    }

    /** Text of the first choice's delta content, or null (stream chunks carry a delta, answers a message). */
    @JsonIgnore
    public String deltaText() {
        return firstChoice().map(ChatChoice::delta).map(ChatMessage::contentText).orElse(null);
    }
}
