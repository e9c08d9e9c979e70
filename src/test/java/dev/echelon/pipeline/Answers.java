package dev.echelon.pipeline;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import okhttp3.mockwebserver.MockResponse;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Scripted llama-server answers in OpenAI shape: a {@code chat.completion} (JSON) or a {@code chat.completion.chunk}
 * SSE stream, with {@code logprobs.content[]} entries ({@code token}, {@code logprob}, {@code top_logprobs}) and
 * {@code usage}. A {@link Gen} is rendered in whichever shape the request asked for ({@code stream}).
 */
final class Answers {

    static final ObjectMapper JSON = new ObjectMapper();

    /** Confident tokens: chosen −0.2, alternatives well below (mean logprob far above the gate's −1.2). */
    static final double HIGH = -0.2;
    /** Unsure tokens: chosen −3.0 with flat alternatives (mean far below −1.2, every token "unlikely"). */
    static final double LOW = -3.0;

    static final String GOOD_TEXT = "The capital of France is Paris. It sits on the Seine in the north of the "
            + "country, and it has been the seat of the French government for most of the last thousand years.";

    static final String LOW_TEXT = "Maybe the capital could be Lyon or perhaps Marseille, it is hard to say which "
            + "one it really is today, and some people think it may even be Bordeaux instead.";

    /** A 6-word block; ten back-to-back copies are a loop by any measure. */
    static final String LOOP_BLOCK = "the cat sat on the mat ";

    static final String VALID_JSON = "{\"capital\": \"Paris\", \"country\": \"France\"}";

    static final String INVALID_JSON = "Here is the JSON you asked for: {\"capital\": \"Paris\"}";

    private static final Pattern TOKEN = Pattern.compile("(?<=\\S)(?=\\s)");

    private Answers() {
    }

    /**
     * One scripted generation.
     *
     * @param entries      the {@code logprobs.content[]} entries, one per token
     * @param finishReason null: the stream has no finish chunk (and no usage chunk)
     * @param done         a stream ends with {@code data: [DONE]}
     * @param promptTokens reported in {@code usage}
     */
    record Gen(String role, List<ObjectNode> entries, String finishReason, boolean done, int promptTokens) {

        String text() {
            StringBuilder sb = new StringBuilder();
            entries.forEach(e -> sb.append(e.path("token").asText()));
            return sb.toString();
        }

        int completionTokens() {
            return entries.size();
        }

        Gen finish(String reason) {
            return new Gen(role, entries, reason, done, promptTokens);
        }

        Gen withoutDone() {
            return new Gen(role, entries, finishReason, false, promptTokens);
        }

        Gen prompt(int tokens) {
            return new Gen(role, entries, finishReason, done, tokens);
        }

        /** This generation followed by {@code more}'s tokens. */
        Gen then(List<ObjectNode> more) {
            List<ObjectNode> all = new ArrayList<>(entries);
            all.addAll(more);
            return new Gen(role, all, finishReason, done, promptTokens);
        }
    }

    static Gen gen(String role, String text, double logprob) {
        return new Gen(role, entries(text, logprob), "stop", true, 25);
    }

    static Gen good(String role) {
        return gen(role, GOOD_TEXT, HIGH);
    }

    static Gen low(String role) {
        return gen(role, LOW_TEXT, LOW);
    }

    static Gen loop(String role, int copies) {
        return gen(role, LOOP_BLOCK.repeat(copies).strip(), HIGH);
    }

    /** Splits text into tokens that carry their leading space, as a BPE tokenizer would. */
    static List<String> tokens(String text) {
        List<String> out = new ArrayList<>();
        for (String t : TOKEN.split(text)) {
            if (!t.isEmpty()) {
                out.add(t);
            }
        }
        return out;
    }

    static List<ObjectNode> entries(String text, double logprob) {
        List<ObjectNode> out = new ArrayList<>();
        for (String t : tokens(text)) {
            out.add(entry(t, logprob));
        }
        return out;
    }

    static ObjectNode entry(String token, double logprob) {
        ObjectNode e = JSON.createObjectNode();
        e.put("id", Math.abs(token.hashCode() % 150_000));
        e.put("token", token);
        e.put("logprob", logprob);
        ArrayNode top = e.putArray("top_logprobs");
        if (logprob >= -1.0) {
            top.addObject().put("token", token).put("logprob", logprob);
            top.addObject().put("token", " however").put("logprob", -2.6);
            top.addObject().put("token", " and").put("logprob", -3.2);
        } else {
            // flat: the chosen token is one of several equally unlikely ones
            top.addObject().put("token", " perhaps").put("logprob", logprob + 0.1);
            top.addObject().put("token", token).put("logprob", logprob);
            top.addObject().put("token", " maybe").put("logprob", logprob);
        }
        return e;
    }

    // ---------------------------------------------------------------- JSON

    static ObjectNode completion(Gen g, int n) {
        ObjectNode c = JSON.createObjectNode();
        c.put("id", "chatcmpl-" + g.role() + "-" + n);
        c.put("object", "chat.completion");
        c.put("created", 1_795_240_401L);
        c.put("model", g.role());
        c.put("system_fingerprint", "b0-test");
        ObjectNode choice = c.putArray("choices").addObject();
        choice.put("index", 0);
        choice.putObject("message").put("role", "assistant").put("content", g.text());
        ArrayNode content = choice.putObject("logprobs").putArray("content");
        g.entries().forEach(content::add);
        choice.put("finish_reason", g.finishReason() == null ? "stop" : g.finishReason());
        usage(c.putObject("usage"), g);
        timings(c.putObject("timings"), g);
        return c;
    }

    // ---------------------------------------------------------------- SSE

    /** The stream's events (without the {@code data: } framing); {@code [DONE]} last when the Gen says so. */
    static List<String> sseEvents(Gen g, int n) {
        String id = "chatcmpl-" + g.role() + "-" + n;
        List<String> events = new ArrayList<>();
        ObjectNode first = chunk(id, g.role());
        ObjectNode c0 = first.putArray("choices").addObject();
        c0.putNull("finish_reason");
        c0.put("index", 0);
        c0.putObject("delta").put("role", "assistant").putNull("content");
        events.add(first.toString());
        for (ObjectNode e : g.entries()) {
            ObjectNode ch = chunk(id, g.role());
            ObjectNode c = ch.putArray("choices").addObject();
            c.putNull("finish_reason");
            c.put("index", 0);
            c.putObject("delta").put("content", e.path("token").asText());
            c.putObject("logprobs").putArray("content").add(e.deepCopy());
            events.add(ch.toString());
        }
        if (g.finishReason() != null) {
            ObjectNode fin = chunk(id, g.role());
            ObjectNode c = fin.putArray("choices").addObject();
            c.put("finish_reason", g.finishReason());
            c.put("index", 0);
            c.putObject("delta");
            events.add(fin.toString());
            ObjectNode usage = chunk(id, g.role());
            usage.putArray("choices");
            usage(usage.putObject("usage"), g);
            timings(usage.putObject("timings"), g);
            events.add(usage.toString());
        }
        if (g.done()) {
            events.add("[DONE]");
        }
        return events;
    }

    static String sse(Gen g, int n) {
        StringBuilder sb = new StringBuilder();
        for (String e : sseEvents(g, n)) {
            sb.append("data: ").append(e).append("\n\n");
        }
        return sb.toString();
    }

    private static ObjectNode chunk(String id, String role) {
        ObjectNode ch = JSON.createObjectNode();
        ch.put("id", id);
        ch.put("object", "chat.completion.chunk");
        ch.put("created", 1_795_240_401L);
        ch.put("model", role);
        ch.put("system_fingerprint", "b0-test");
        return ch;
    }

    private static void usage(ObjectNode u, Gen g) {
        u.put("completion_tokens", g.completionTokens());
        u.put("prompt_tokens", g.promptTokens());
        u.put("total_tokens", g.completionTokens() + g.promptTokens());
    }

    private static void timings(ObjectNode t, Gen g) {
        t.put("prompt_n", g.promptTokens());
        t.put("prompt_ms", 3.5);
        t.put("predicted_n", g.completionTokens());
        t.put("predicted_ms", 16.0);
    }

    // ---------------------------------------------------------------- responses

    /** The Gen as JSON or SSE, as the request asks. */
    static MockResponse render(Gen g, JsonNode request, int n) {
        if (request.path("stream").asBoolean(false)) {
            return new MockResponse().setHeader("Content-Type", "text/event-stream").setBody(sse(g, n));
        }
        return new MockResponse().setHeader("Content-Type", "application/json; charset=utf-8")
                .setBody(completion(g, n).toString());
    }

    /** llama-server's answer to a request it refuses (HTTP 400, OpenAI error shape). */
    static MockResponse badRequest(String message) {
        ObjectNode err = JSON.createObjectNode();
        err.putObject("error").put("code", 400).put("message", message).put("type", "invalid_request_error");
        return new MockResponse().setResponseCode(400).setHeader("Content-Type", "application/json; charset=utf-8")
                .setBody(err.toString());
    }

    /** The text a chat request's messages carry, system messages included. */
    static List<String> systemMessages(JsonNode request) {
        List<String> out = new ArrayList<>();
        for (JsonNode m : request.path("messages")) {
            if ("system".equals(m.path("role").asText())) {
                out.add(m.path("content").asText());
            }
        }
        return out;
    }
}
