package dev.echelon.backend;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;

import java.util.List;
import java.util.Optional;

/** Body of a non-streamed {@code POST /v1/chat/completions}. */
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

    /** finish_reason of the first choice, or null. */
    @JsonIgnore
    public String finishReason() {
        return firstChoice().map(ChatChoice::finishReason).orElse(null);
    }
}
