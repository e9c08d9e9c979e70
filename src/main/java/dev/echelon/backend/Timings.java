package dev.echelon.backend;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;

import java.util.OptionalDouble;

/** The {@code timings} object of /completion and chat responses; draft fields only when speculation ran. */
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Timings(
        @JsonProperty("cache_n") Integer cacheN,
        @JsonProperty("prompt_n") Integer promptN,
        @JsonProperty("prompt_ms") Double promptMs,
        @JsonProperty("prompt_per_token_ms") Double promptPerTokenMs,
        @JsonProperty("prompt_per_second") Double promptPerSecond,
        @JsonProperty("predicted_n") Integer predictedN,
        @JsonProperty("predicted_ms") Double predictedMs,
        @JsonProperty("predicted_per_token_ms") Double predictedPerTokenMs,
        @JsonProperty("predicted_per_second") Double predictedPerSecond,
        @JsonProperty("draft_n") Integer draftN,
        @JsonProperty("draft_n_accepted") Integer draftNAccepted) {

    /** {@code draft_n_accepted / draft_n}, empty when no draft tokens were generated. */
    public OptionalDouble draftAcceptance() {
        if (draftN == null || draftNAccepted == null || draftN <= 0) {
            return OptionalDouble.empty();
        }
        return OptionalDouble.of(draftNAccepted / (double) draftN);
    }
}
