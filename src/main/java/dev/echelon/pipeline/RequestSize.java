package dev.echelon.pipeline;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * A request's size as the residency controller wants it: prompt tokens and the answer budget. The prompt is
 * estimated from its characters (≈ 4 per token for English and code with the Qwen/Llama tokenizers) rather than
 * tokenized, because this runs on the request path for every attempt and the estimate only feeds a running average
 * of each role's request shape; an answer without {@code max_tokens} counts as {@link #DEFAULT_OUTPUT_TOKENS}.
 *
 * <p>Whether a request fits a server's context is asked of {@link #promptTokensAtMost}, a generous estimate: one
 * token per {@link #UTF8_BYTES_PER_TOKEN} bytes of UTF-8 (English runs ≈ 4 bytes a token, code ≈ 3.5, Chinese ≈ 4
 * bytes, three a character) plus the chat template's tokens around each message. Too high, a request waits for its
 * own role where a fallback might have held it; too low, the fallback refuses it outright.
 *
 * @param promptTokensAtMost the prompt's tokens, estimated generously, for the fit to a server's context
 */
record RequestSize(int promptTokens, int maxOutputTokens, int promptTokensAtMost) {

    static final int CHARS_PER_TOKEN = 4;
    static final int UTF8_BYTES_PER_TOKEN = 3;
    /** {@code <|im_start|>role\n … <|im_end|>\n} and its like, per message, with room to spare. */
    static final int TEMPLATE_TOKENS_PER_MESSAGE = 8;
    static final int DEFAULT_OUTPUT_TOKENS = 256;

    /** A size known exactly (a replay's, a test's): its prompt tokens are also the most it may take. */
    RequestSize(int promptTokens, int maxOutputTokens) {
        this(promptTokens, maxOutputTokens, promptTokens);
    }

    /** The tokens the request may take on a server, prompt and answer budget, estimated generously. */
    long contextTokensAtMost() {
        return (long) promptTokensAtMost + maxOutputTokens;
    }

    static RequestSize of(ObjectNode body) {
        List<String> texts = new ArrayList<>();
        int parts = 0;
        JsonNode messages = body.path("messages");
        if (messages.isArray()) {
            for (JsonNode m : messages) {
                text(m.path("content")).forEach(texts::add);
                json(m.path("tool_calls")).ifPresent(texts::add); // an agent's calls, rendered into the prompt
                parts++;
            }
        }
        text(body.path("prompt")).forEach(texts::add);
        // the chat template writes the tool definitions into the prompt: an MCP client's can run to thousands of tokens
        json(body.path("tools")).ifPresent(texts::add);
        json(body.path("functions")).ifPresent(texts::add);
        long chars = texts.stream().mapToLong(String::length).sum();
        long bytes = texts.stream().mapToLong(RequestSize::utf8Bytes).sum();
        int prompt = (int) Math.min(Integer.MAX_VALUE, (chars + CHARS_PER_TOKEN - 1) / CHARS_PER_TOKEN);
        long atMost = (bytes + UTF8_BYTES_PER_TOKEN - 1) / UTF8_BYTES_PER_TOKEN
                + (long) TEMPLATE_TOKENS_PER_MESSAGE * Math.max(1, parts);
        int max = firstPositive(body, "max_completion_tokens", "max_tokens", "n_predict");
        return new RequestSize(prompt, max > 0 ? max : DEFAULT_OUTPUT_TOKENS,
                (int) Math.min(Integer.MAX_VALUE, atMost));
    }

    /** A non-empty array's JSON text (tool definitions, tool calls), as the chat template renders it, roughly. */
    private static Optional<String> json(JsonNode node) {
        return node.isArray() && !node.isEmpty() ? Optional.of(node.toString()) : Optional.empty();
    }

    /** The texts of a string, an array of content parts ({@code {"type":"text","text":…}}) or of prompt strings. */
    private static Stream<String> text(JsonNode content) {
        if (content.isTextual()) {
            return Stream.of(content.asText());
        }
        if (!content.isArray()) {
            return Stream.empty();
        }
        Stream.Builder<String> out = Stream.builder();
        for (JsonNode part : content) {
            out.add(part.isTextual() ? part.asText() : part.path("text").asText(""));
        }
        return out.build();
    }

    private static long utf8Bytes(String s) {
        long n = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            n += c < 0x80 ? 1 : c < 0x800 ? 2 : Character.isSurrogate(c) ? 2 : 3; // a surrogate pair: 4 in all
        }
        return n;
    }

    private static int firstPositive(ObjectNode body, String... fields) {
        for (String f : fields) {
            JsonNode v = body.path(f);
            if (v.canConvertToInt() && v.asInt() > 0) {
                return v.asInt();
            }
        }
        return 0;
    }
}
