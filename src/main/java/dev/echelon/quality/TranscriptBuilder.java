package dev.echelon.quality;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;

/**
 * Builds a {@link Transcript}, in one go or incrementally from a stream: append {@code chat.completion.chunk}
 * objects (content deltas, log-probability entries, tool-call argument deltas, the finish reason, the final usage)
 * and call {@link #build()} whenever a snapshot is needed (it does not consume the builder). Not thread-safe.
 */
public final class TranscriptBuilder {

    private final StringBuilder text = new StringBuilder();
    private final List<TokenLogprob> tokens = new ArrayList<>();
    private final TreeMap<Integer, StringBuilder> toolArgs = new TreeMap<>();
    private String finishReason;
    private Integer completionTokens;
    private Integer maxTokens;
    private JsonExpectation json = JsonExpectation.NONE;
    private boolean toolCall;
    private long elapsedMs;
    private boolean timedOut;
    private boolean aborted;

    public TranscriptBuilder() {
    }

    TranscriptBuilder(Transcript t) {
        text.append(t.text());
        tokens.addAll(t.tokens());
        finishReason = t.finishReason();
        completionTokens = t.completionTokens();
        maxTokens = t.maxTokens();
        json = t.json();
        toolCall = t.toolCall();
        if (t.toolArguments() != null) {
            toolArgs.put(0, new StringBuilder(t.toolArguments()));
        }
        elapsedMs = t.elapsedMs();
        timedOut = t.timedOut();
        aborted = t.aborted();
    }

    public TranscriptBuilder text(String value) {
        text.setLength(0);
        if (value != null) {
            text.append(value);
        }
        return this;
    }

    public TranscriptBuilder appendText(String delta) {
        if (delta != null) {
            text.append(delta);
        }
        return this;
    }

    public TranscriptBuilder tokens(List<TokenLogprob> value) {
        tokens.clear();
        if (value != null) {
            tokens.addAll(value);
        }
        return this;
    }

    public TranscriptBuilder addToken(TokenLogprob token) {
        if (token != null) {
            tokens.add(token);
        }
        return this;
    }

    public TranscriptBuilder finishReason(String value) {
        finishReason = value;
        if ("tool_calls".equals(value)) {
            toolCall = true;
        }
        return this;
    }

    public TranscriptBuilder completionTokens(Integer value) {
        completionTokens = value;
        return this;
    }

    public TranscriptBuilder maxTokens(Integer value) {
        maxTokens = value;
        return this;
    }

    public TranscriptBuilder json(JsonExpectation value) {
        json = value == null ? JsonExpectation.NONE : value;
        return this;
    }

    public TranscriptBuilder toolCall(boolean value) {
        toolCall = value;
        return this;
    }

    /** Sets the first tool call's arguments (and marks the answer as a tool call). */
    public TranscriptBuilder toolArguments(String value) {
        toolArgs.clear();
        if (value != null) {
            toolArgs.put(0, new StringBuilder(value));
            toolCall = true;
        }
        return this;
    }

    /** Appends an argument delta to the tool call at {@code index} (and marks the answer as a tool call). */
    public TranscriptBuilder appendToolArguments(int index, String delta) {
        toolCall = true;
        StringBuilder sb = toolArgs.computeIfAbsent(index, i -> new StringBuilder());
        if (delta != null) {
            sb.append(delta);
        }
        return this;
    }

    public TranscriptBuilder elapsedMs(long value) {
        elapsedMs = value;
        return this;
    }

    public TranscriptBuilder timedOut(boolean value) {
        timedOut = value;
        return this;
    }

    public TranscriptBuilder aborted(boolean value) {
        aborted = value;
        return this;
    }

    /** Appends the entries of a {@code logprobs.content} array. */
    public TranscriptBuilder appendLogprobs(JsonNode logprobsContent) {
        if (logprobsContent != null && logprobsContent.isArray()) {
            for (JsonNode e : logprobsContent) {
                tokens.add(TokenLogprob.fromOpenAi(e));
            }
        }
        return this;
    }

    /**
     * Appends one streamed {@code chat.completion.chunk}: {@code choices[0].delta.content},
     * {@code choices[0].delta.tool_calls[].function.arguments}, {@code choices[0].logprobs.content},
     * {@code choices[0].finish_reason} and {@code usage.completion_tokens} (the final chunk, whose choices are
     * empty). Also accepts llama-server's native {@code /completion} stream events ({@code content},
     * {@code completion_probabilities}, {@code stop}, {@code stop_type}, {@code tokens_predicted}).
     */
    public TranscriptBuilder appendChunk(JsonNode chunk) {
        if (chunk == null || !chunk.isObject()) {
            return this;
        }
        if (!chunk.has("choices") && chunk.has("content")) {
            return appendNativeEvent(chunk);
        }
        JsonNode choice = chunk.path("choices").path(0);
        if (choice.isObject()) {
            JsonNode delta = choice.has("delta") ? choice.get("delta") : choice.path("message");
            appendMessage(delta);
            appendLogprobs(choice.path("logprobs").get("content"));
            JsonNode fr = choice.get("finish_reason");
            if (fr != null && fr.isTextual()) {
                finishReason(fr.asText());
            }
        }
        readUsage(chunk);
        return this;
    }

    /** Appends a whole {@code chat.completion} object (the non-streaming response). */
    public TranscriptBuilder appendCompletion(JsonNode completion) {
        if (completion == null || !completion.isObject()) {
            return this;
        }
        JsonNode choice = completion.path("choices").path(0);
        if (choice.isObject()) {
            appendMessage(choice.path("message"));
            appendLogprobs(choice.path("logprobs").get("content"));
            JsonNode fr = choice.get("finish_reason");
            if (fr != null && fr.isTextual()) {
                finishReason(fr.asText());
            }
        }
        readUsage(completion);
        return this;
    }

    private void appendMessage(JsonNode message) {
        if (message == null || !message.isObject()) {
            return;
        }
        JsonNode content = message.get("content");
        if (content != null && content.isTextual()) {
            text.append(content.asText());
        }
        JsonNode calls = message.get("tool_calls");
        if (calls != null && calls.isArray()) {
            int pos = 0;
            for (JsonNode call : calls) {
                int index = call.has("index") ? call.get("index").asInt(pos) : pos;
                pos++;
                JsonNode args = call.path("function").get("arguments");
                appendToolArguments(index, args != null && args.isTextual() ? args.asText() : null);
            }
        }
    }

    private void readUsage(JsonNode obj) {
        JsonNode ct = obj.path("usage").get("completion_tokens");
        if (ct != null && ct.isIntegralNumber()) {
            completionTokens = ct.asInt();
        }
    }

    private TranscriptBuilder appendNativeEvent(JsonNode ev) {
        text.append(ev.path("content").asText(""));
        appendLogprobs(ev.get("completion_probabilities"));
        if (ev.path("stop").asBoolean(false)) {
            String type = ev.path("stop_type").asText("");
            finishReason = "limit".equals(type) ? "length" : "stop";
            JsonNode n = ev.get("tokens_predicted");
            if (n != null && n.isIntegralNumber()) {
                completionTokens = n.asInt();
            }
        }
        return this;
    }

    /** The transcript so far (the builder stays usable). */
    public Transcript build() {
        String args = toolArgs.isEmpty() ? null : toolArgs.firstEntry().getValue().toString();
        return new Transcript(text.toString(), tokens, finishReason, completionTokens, maxTokens, json, toolCall,
                args, elapsedMs, timedOut, aborted);
    }

    /** Characters of answer text so far. */
    public int textLength() {
        return text.length();
    }

    /** Log-probability entries so far. */
    public int tokenCount() {
        return tokens.size();
    }
}
