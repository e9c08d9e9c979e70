package dev.echelon.backend;

import com.fasterxml.jackson.annotation.JsonAnyGetter;
import com.fasterxml.jackson.annotation.JsonAnySetter;
import com.fasterxml.jackson.annotation.JsonFormat;
import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Body of {@code POST /v1/chat/completions}. Unknown fields (when deserialised) and {@code extra} entries are passed
 * through at top level. {@code stop} accepts a single string when deserialised. Nulls are omitted.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ChatRequest(
        @JsonProperty("messages") List<ChatMessage> messages,
        @JsonProperty("model") String model,
        @JsonProperty("max_tokens") Integer maxTokens,
        @JsonProperty("temperature") Double temperature,
        @JsonProperty("top_p") Double topP,
        @JsonProperty("seed") Long seed,
        @JsonProperty("stop") @JsonFormat(with = JsonFormat.Feature.ACCEPT_SINGLE_VALUE_AS_ARRAY) List<String> stop,
        @JsonProperty("stream") Boolean stream,
        @JsonProperty("stream_options") JsonNode streamOptions,
        @JsonProperty("response_format") JsonNode responseFormat,
        @JsonProperty("tools") JsonNode tools,
        @JsonProperty("tool_choice") JsonNode toolChoice,
        @JsonProperty("logprobs") Boolean logprobs,
        @JsonProperty("top_logprobs") Integer topLogprobs,
        @JsonProperty("n_probs") Integer nProbs,
        @JsonAnyGetter @JsonAnySetter Map<String, Object> extra) {

    public ChatRequest {
        messages = messages == null ? null : Collections.unmodifiableList(new ArrayList<>(messages));
        stop = stop == null ? null : List.copyOf(stop);
        extra = extra == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(extra));
    }

    public static ChatRequest of(List<ChatMessage> messages) {
        return builder().messages(messages).build();
    }

    public static Builder builder() {
        return new Builder();
    }

    public Builder toBuilder() {
        return new Builder(this);
    }

    public ChatRequest withStream(boolean value) {
        return toBuilder().stream(value).build();
    }

    public ChatRequest withMaxTokens(Integer value) {
        return toBuilder().maxTokens(value).build();
    }

    public ChatRequest withModel(String value) {
        return toBuilder().model(value).build();
    }

    public ChatRequest withExtra(String key, Object value) {
        return toBuilder().extra(key, value).build();
    }

    public static final class Builder {
        private final List<ChatMessage> messages = new ArrayList<>();
        private String model;
        private Integer maxTokens;
        private Double temperature;
        private Double topP;
        private Long seed;
        private List<String> stop;
        private Boolean stream;
        private JsonNode streamOptions;
        private JsonNode responseFormat;
        private JsonNode tools;
        private JsonNode toolChoice;
        private Boolean logprobs;
        private Integer topLogprobs;
        private Integer nProbs;
        private final Map<String, Object> extra = new LinkedHashMap<>();

        private Builder() {
        }

        private Builder(ChatRequest r) {
            if (r.messages != null) {
                messages.addAll(r.messages);
            }
            model = r.model;
            maxTokens = r.maxTokens;
            temperature = r.temperature;
            topP = r.topP;
            seed = r.seed;
            stop = r.stop;
            stream = r.stream;
            streamOptions = r.streamOptions;
            responseFormat = r.responseFormat;
            tools = r.tools;
            toolChoice = r.toolChoice;
            logprobs = r.logprobs;
            topLogprobs = r.topLogprobs;
            nProbs = r.nProbs;
            extra.putAll(r.extra);
        }

        public Builder messages(List<ChatMessage> v) {
            messages.clear();
            if (v != null) {
                messages.addAll(v);
            }
            return this;
        }
        public Builder message(ChatMessage v) { messages.add(v); return this; }
        public Builder model(String v) { model = v; return this; }
        public Builder maxTokens(Integer v) { maxTokens = v; return this; }
        public Builder temperature(Double v) { temperature = v; return this; }
        public Builder topP(Double v) { topP = v; return this; }
        public Builder seed(Long v) { seed = v; return this; }
        public Builder stop(List<String> v) { stop = v; return this; }
        public Builder stream(Boolean v) { stream = v; return this; }
        public Builder streamOptions(JsonNode v) { streamOptions = v; return this; }
        public Builder responseFormat(JsonNode v) { responseFormat = v; return this; }
        public Builder tools(JsonNode v) { tools = v; return this; }
        public Builder toolChoice(JsonNode v) { toolChoice = v; return this; }
        public Builder logprobs(Boolean v) { logprobs = v; return this; }
        public Builder topLogprobs(Integer v) { topLogprobs = v; return this; }
        public Builder nProbs(Integer v) { nProbs = v; return this; }
        public Builder extra(String key, Object value) { extra.put(key, value); return this; }
        public Builder extra(Map<String, ?> values) { extra.putAll(values); return this; }

        public ChatRequest build() {
            return new ChatRequest(messages, model, maxTokens, temperature, topP, seed, stop, stream, streamOptions,
                    responseFormat, tools, toolChoice, logprobs, topLogprobs, nProbs, extra);
        }
    }
}
