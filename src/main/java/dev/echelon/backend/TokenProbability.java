package dev.echelon.backend;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;

import java.util.List;
import java.util.OptionalDouble;

/**
 * One entry of {@code completion_probabilities} (or chat {@code logprobs.content}). With {@code post_sampling_probs}
 * llama-server sends {@code prob}/{@code top_probs} instead of {@code logprob}/{@code top_logprobs}.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record TokenProbability(
        @JsonProperty("id") Integer id,
        @JsonProperty("token") String token,
        @JsonProperty("bytes") List<Integer> bytes,
        @JsonProperty("logprob") Double logprob,
        @JsonProperty("prob") Double prob,
        @JsonProperty("top_logprobs") List<TokenProbability> topLogprobs,
        @JsonProperty("top_probs") List<TokenProbability> topProbs) {

    /** The alternatives, whichever of {@code top_logprobs}/{@code top_probs} was sent (empty if none). */
    @JsonIgnore
    public List<TokenProbability> alternatives() {
        if (topLogprobs != null) {
            return topLogprobs;
        }
        return topProbs != null ? topProbs : List.of();
    }

    /** Log-probability: {@code logprob}, or {@code ln(prob)} for post-sampling probabilities. */
    public OptionalDouble logprobValue() {
        if (logprob != null) {
            return OptionalDouble.of(logprob);
        }
        return prob != null ? OptionalDouble.of(Math.log(prob)) : OptionalDouble.empty();
    }

    /** Probability: {@code prob}, or {@code exp(logprob)}. */
    public OptionalDouble probability() {
        if (prob != null) {
            return OptionalDouble.of(prob);
        }
        return logprob != null ? OptionalDouble.of(Math.exp(logprob)) : OptionalDouble.empty();
    }
}
