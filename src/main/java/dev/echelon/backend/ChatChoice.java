package dev.echelon.backend;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;

import java.util.List;

/** One of {@code choices}: {@code message} in a full response, {@code delta} in a stream chunk. */
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ChatChoice(
        @JsonProperty("index") Integer index,
        @JsonProperty("message") ChatMessage message,
        @JsonProperty("delta") ChatMessage delta,
        @JsonProperty("finish_reason") String finishReason,
        @JsonProperty("logprobs") Logprobs logprobs) {

    /** Chat {@code logprobs}: {@code {"content":[...]}}. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Logprobs(@JsonProperty("content") List<TokenProbability> content) {
    }
}
