package dev.echelon.backend;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;

import java.util.List;

/**
 * Body of a non-streamed {@code POST /completion} answer, and equally one {@code data:} event of a streamed one:
 * intermediate events carry {@code content}, {@code tokens} and (with n_probs) {@code completion_probabilities};
 * the final one has {@code stop=true}, {@code stop_type}, {@code timings} and {@code model}.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record CompletionResponse(
        @JsonProperty("index") Integer index,
        @JsonProperty("content") String content,
        @JsonProperty("tokens") List<Integer> tokens,
        @JsonProperty("id_slot") Integer idSlot,
        @JsonProperty("stop") Boolean stop,
        @JsonProperty("model") String model,
        @JsonProperty("tokens_predicted") Integer tokensPredicted,
        @JsonProperty("tokens_evaluated") Integer tokensEvaluated,
        @JsonProperty("stop_type") String stopType,
        @JsonProperty("stopping_word") String stoppingWord,
        @JsonProperty("truncated") Boolean truncated,
        @JsonProperty("tokens_cached") Integer tokensCached,
        @JsonProperty("has_new_line") Boolean hasNewLine,
        @JsonProperty("prompt") JsonNode prompt,
        @JsonProperty("generation_settings") JsonNode generationSettings,
        @JsonProperty("timings") Timings timings,
        @JsonProperty("completion_probabilities") List<TokenProbability> completionProbabilities) {

    /** True when {@code stop} is true (for a stream chunk: this is the final event). */
    @JsonIgnore
    public boolean isStopped() {
        return Boolean.TRUE.equals(stop);
    }

    /** {@code generation_settings["speculative.types"]} split on commas (e.g. [none, draft-simple]), or null. */
    @JsonIgnore
    public List<String> speculativeTypes() {
        return BackendJson.speculativeTypes(generationSettings);
    }
}
