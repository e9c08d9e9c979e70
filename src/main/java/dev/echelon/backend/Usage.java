package dev.echelon.backend;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;

import java.util.Optional;

/** OpenAI {@code usage}. */
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Usage(
        @JsonProperty("prompt_tokens") Integer promptTokens,
        @JsonProperty("completion_tokens") Integer completionTokens,
        @JsonProperty("total_tokens") Integer totalTokens,
        @JsonProperty("prompt_tokens_details") JsonNode promptTokensDetails) {

    /** {@code prompt_tokens_details.cached_tokens}, if sent. */
    public Optional<Integer> cachedTokens() {
        return Optional.ofNullable(BackendJson.integer(promptTokensDetails, "cached_tokens"));
    }
}
