package dev.echelon.backend;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;

import java.util.List;
import java.util.Optional;

/**
 * One {@code data:} event of a streamed chat completion ({@code object: chat.completion.chunk}). llama-server sends a
 * chunk with the {@code finish_reason}, then a chunk with empty {@code choices} carrying {@code usage} and
 * {@code timings}, then {@code data: [DONE]} (which is not delivered as a chunk).
 */
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ChatChunk(
        @JsonProperty("id") String id,
        @JsonProperty("object") String object,
        @JsonProperty("created") Long created,
        @JsonProperty("model") String model,
        @JsonProperty("system_fingerprint") String systemFingerprint,
        @JsonProperty("choices") List<ChatChoice> choices,
        @JsonProperty("usage") Usage usage,
        @JsonProperty("timings") Timings timings) {

    @JsonIgnore
    public Optional<ChatChoice> firstChoice() {
        return choices == null || choices.isEmpty() ? Optional.empty() : Optional.of(choices.get(0));
    }

    /** First non-null finish_reason among the choices, or null. */
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

    /** Text of the first choice's delta content, or null. */
    @JsonIgnore
    public String deltaText() {
        return firstChoice().map(ChatChoice::delta).map(ChatMessage::contentText).orElse(null);
    }
}
