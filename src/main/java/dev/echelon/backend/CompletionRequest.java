package dev.echelon.backend;

import com.fasterxml.jackson.annotation.JsonAnyGetter;
import com.fasterxml.jackson.annotation.JsonAnySetter;
import com.fasterxml.jackson.annotation.JsonFormat;
import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Body of {@code POST /completion}. {@code prompt} is a String or a token list ({@code List<Integer>}, or anything else
 * llama-server accepts). {@code extra} holds passthrough fields, written at top level (an extra key overrides a typed
 * field of the same name when sent by {@link LlamaServerClient}). Nulls are omitted.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record CompletionRequest(
        @JsonProperty("prompt") Object prompt,
        @JsonProperty("n_predict") Integer nPredict,
        @JsonProperty("n_probs") Integer nProbs,
        @JsonProperty("stop") @JsonFormat(with = JsonFormat.Feature.ACCEPT_SINGLE_VALUE_AS_ARRAY) List<String> stop,
        @JsonProperty("seed") Long seed,
        @JsonProperty("temperature") Double temperature,
        @JsonProperty("top_k") Integer topK,
        @JsonProperty("top_p") Double topP,
        @JsonProperty("min_p") Double minP,
        @JsonProperty("cache_prompt") Boolean cachePrompt,
        @JsonProperty("stream") Boolean stream,
        @JsonProperty("speculative") Speculative speculative,
        @JsonProperty("json_schema") JsonNode jsonSchema,
        @JsonProperty("grammar") String grammar,
        @JsonProperty("id_slot") Integer idSlot,
        @JsonProperty("post_sampling_probs") Boolean postSamplingProbs,
        @JsonAnyGetter @JsonAnySetter Map<String, Object> extra) {

    public CompletionRequest {
        stop = stop == null ? null : List.copyOf(stop);
        extra = extra == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(extra));
    }

    /**
     * Per-request speculative decoding settings, serialised nested ({@code "speculative":{"n_max":8}}). Note: on
     * llama-server v0.5.0 these were accepted but had no effect; draft length is set by server flags.
     */
    @JsonIgnoreProperties(ignoreUnknown = true)
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Speculative(
            @JsonProperty("n_max") Integer nMax,
            @JsonProperty("n_min") Integer nMin,
            @JsonProperty("p_min") Double pMin) {
    }

    public static CompletionRequest ofPrompt(String prompt) {
        return builder().prompt(prompt).build();
    }

    public static CompletionRequest ofTokens(List<Integer> tokens) {
        return builder().promptTokens(tokens).build();
    }

    public static Builder builder() {
        return new Builder();
    }

    public Builder toBuilder() {
        return new Builder(this);
    }

    public CompletionRequest withStream(boolean value) {
        return toBuilder().stream(value).build();
    }

    public CompletionRequest withNPredict(Integer value) {
        return toBuilder().nPredict(value).build();
    }

    public CompletionRequest withExtra(String key, Object value) {
        return toBuilder().extra(key, value).build();
    }

    public static final class Builder {
        private Object prompt;
        private Integer nPredict;
        private Integer nProbs;
        private List<String> stop;
        private Long seed;
        private Double temperature;
        private Integer topK;
        private Double topP;
        private Double minP;
        private Boolean cachePrompt;
        private Boolean stream;
        private Speculative speculative;
        private JsonNode jsonSchema;
        private String grammar;
        private Integer idSlot;
        private Boolean postSamplingProbs;
        private final Map<String, Object> extra = new LinkedHashMap<>();

        private Builder() {
        }

        private Builder(CompletionRequest r) {
            prompt = r.prompt;
            nPredict = r.nPredict;
            nProbs = r.nProbs;
            stop = r.stop;
            seed = r.seed;
            temperature = r.temperature;
            topK = r.topK;
            topP = r.topP;
            minP = r.minP;
            cachePrompt = r.cachePrompt;
            stream = r.stream;
            speculative = r.speculative;
            jsonSchema = r.jsonSchema;
            grammar = r.grammar;
            idSlot = r.idSlot;
            postSamplingProbs = r.postSamplingProbs;
            extra.putAll(r.extra);
        }

        public Builder prompt(String v) { prompt = v; return this; }
        public Builder promptTokens(List<Integer> v) { prompt = v == null ? null : List.copyOf(v); return this; }
        /** Any prompt shape llama-server accepts (string, token list, mixed list, multimodal object). */
        public Builder promptRaw(Object v) { prompt = v; return this; }
        public Builder nPredict(Integer v) { nPredict = v; return this; }
        public Builder nProbs(Integer v) { nProbs = v; return this; }
        public Builder stop(List<String> v) { stop = v; return this; }
        public Builder seed(Long v) { seed = v; return this; }
        public Builder temperature(Double v) { temperature = v; return this; }
        public Builder topK(Integer v) { topK = v; return this; }
        public Builder topP(Double v) { topP = v; return this; }
        public Builder minP(Double v) { minP = v; return this; }
        public Builder cachePrompt(Boolean v) { cachePrompt = v; return this; }
        public Builder stream(Boolean v) { stream = v; return this; }
        public Builder speculative(Speculative v) { speculative = v; return this; }
        public Builder speculative(Integer nMax, Integer nMin, Double pMin) {
            speculative = new Speculative(nMax, nMin, pMin);
            return this;
        }
        public Builder jsonSchema(JsonNode v) { jsonSchema = v; return this; }
        public Builder grammar(String v) { grammar = v; return this; }
        public Builder idSlot(Integer v) { idSlot = v; return this; }
        public Builder postSamplingProbs(Boolean v) { postSamplingProbs = v; return this; }
        public Builder extra(String key, Object value) { extra.put(key, value); return this; }
        public Builder extra(Map<String, ?> values) { extra.putAll(values); return this; }

        public CompletionRequest build() {
            return new CompletionRequest(prompt, nPredict, nProbs, stop, seed, temperature, topK, topP, minP,
                    cachePrompt, stream, speculative, jsonSchema, grammar, idSlot, postSamplingProbs, extra);
        }
    }
}
