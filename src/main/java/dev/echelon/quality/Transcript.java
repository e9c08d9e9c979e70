package dev.echelon.quality;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.List;

/**
 * What one generation produced, as observed from outside the model: the text, per-token log-probabilities, why it
 * stopped, how many tokens it used and how long it took. The quality gate judges nothing else.
 *
 * @param text             the answer text ({@code ""} when none, e.g. for a tool call)
 * @param tokens           per-token log-probabilities; empty when the server sent none
 * @param finishReason     {@code "stop"}, {@code "length"}, {@code "tool_calls"}, or null (unknown / still running)
 * @param completionTokens tokens generated as reported by {@code usage.completion_tokens}; null when unknown
 * @param maxTokens        the requested limit ({@code max_tokens}); null when none was requested
 * @param json             the JSON the answer (or the tool arguments) must be
 * @param toolCall         the answer is a tool call: text checks do not apply, the arguments' validity does
 * @param toolArguments    the (first) tool call's {@code function.arguments} text, when {@code toolCall}
 * @param elapsedMs        wall time of the generation
 * @param timedOut         the generation was cut by its deadline
 * @param aborted          the backend ended the generation with an error
 */
public record Transcript(
        String text,
        List<TokenLogprob> tokens,
        String finishReason,
        Integer completionTokens,
        Integer maxTokens,
        JsonExpectation json,
        boolean toolCall,
        String toolArguments,
        long elapsedMs,
        boolean timedOut,
        boolean aborted) {

    public Transcript {
        text = text == null ? "" : text;
        tokens = tokens == null ? List.of() : List.copyOf(tokens);
        json = json == null ? JsonExpectation.NONE : json;
    }

    /** A finished plain-text answer without log-probabilities. */
    public static Transcript of(String text, String finishReason) {
        return builder().text(text).finishReason(finishReason).build();
    }

    /** A finished plain-text answer with log-probabilities. */
    public static Transcript of(String text, List<TokenLogprob> tokens, String finishReason) {
        return builder().text(text).tokens(tokens).finishReason(finishReason).build();
    }

    public static TranscriptBuilder builder() {
        return new TranscriptBuilder();
    }

    /** A builder holding this transcript's values. */
    public TranscriptBuilder toBuilder() {
        return new TranscriptBuilder(this);
    }

    /**
     * From an OpenAI {@code chat.completion} object: {@code choices[0].message.content} / {@code tool_calls},
     * {@code finish_reason}, {@code logprobs.content}, {@code usage.completion_tokens}.
     */
    public static Transcript fromChatCompletion(JsonNode completion) {
        return fromChatCompletion(completion, null, JsonExpectation.NONE, 0L);
    }

    /** As {@link #fromChatCompletion(JsonNode)}, with what the request asked for and the measured wall time. */
    public static Transcript fromChatCompletion(JsonNode completion, Integer maxTokens, JsonExpectation json,
                                                long elapsedMs) {
        TranscriptBuilder b = builder().maxTokens(maxTokens).json(json).elapsedMs(elapsedMs);
        b.appendCompletion(completion);
        return b.build();
    }

    /** Whether the generation has ended (a finish reason is known, or it timed out or aborted). */
    public boolean finished() {
        return finishReason != null || timedOut || aborted;
    }

    /** Number of tokens the generation produced: {@code completionTokens}, or the log-probability count. */
    public int tokenCount() {
        return completionTokens != null ? completionTokens : tokens.size();
    }

    public Transcript withJson(JsonExpectation expectation) {
        return toBuilder().json(expectation).build();
    }

    public Transcript withMaxTokens(Integer limit) {
        return toBuilder().maxTokens(limit).build();
    }
}
