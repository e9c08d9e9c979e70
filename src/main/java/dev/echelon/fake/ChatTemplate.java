package dev.echelon.fake;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The ChatML template the fake models ship with (the one recorded from the real server's {@code /props}). It knows
 * nothing of tools ({@code supports_tools: false}), so — as llama-server's {@code --jinja} mode does for such
 * templates — tools, tool calls and tool results are polyfilled into plain messages: the tool list goes into the
 * system message, an assistant's {@code tool_calls} become JSON content, and a {@code tool} message becomes a user
 * message carrying {@code {"tool_response": ...}}.
 */
final class ChatTemplate {

    static final String JINJA = "{%- for message in messages -%}\n"
            + "  {{- '<|im_start|>' + message.role + '\n' + message.content + '<|im_end|>\n' -}}\n"
            + "{%- endfor -%}\n"
            + "{%- if add_generation_prompt -%}\n"
            + "  {{- '<|im_start|>assistant\n' -}}\n"
            + "{%- endif -%}";

    static final String GENERATION_PROMPT = Tokenizer.IM_START_TEXT + "assistant\n";

    private static final JsonNodeFactory F = JsonNodeFactory.instance;

    private ChatTemplate() {
    }

    /** Renders {@code messages} (an array of {role, content}); content may be a string or an array of text parts. */
    static String render(JsonNode messages, boolean addGenerationPrompt) {
        return render(messages, null, addGenerationPrompt);
    }

    /**
     * Renders {@code messages} with the request's {@code tools} (null or empty for none). Assistant messages with
     * {@code tool_calls} and {@code tool} messages are accepted and rendered as the polyfill renders them.
     */
    static String render(JsonNode messages, JsonNode tools, boolean addGenerationPrompt) {
        StringBuilder sb = new StringBuilder();
        int i = 0;
        if (tools != null && tools.isArray() && !tools.isEmpty()) {
            String toolText = toolsPrompt(tools);
            JsonNode first = messages.isEmpty() ? null : messages.get(0);
            if (first != null && "system".equals(first.path("role").asText())) {
                String sys = content(first);
                append(sb, "system", sys.isEmpty() ? toolText : sys + "\n\n" + toolText);
                i = 1;
            } else {
                append(sb, "system", toolText);
            }
        }
        for (; i < messages.size(); i++) {
            JsonNode m = messages.get(i);
            String role = m.path("role").asText("user");
            String text = content(m);
            JsonNode calls = m.get("tool_calls");
            if (calls != null && calls.isArray() && !calls.isEmpty()) {
                text = toolCallsContent(calls, text);
            } else if (role.equals("tool") || role.equals("function")) {
                ObjectNode resp = F.objectNode();
                ObjectNode inner = resp.putObject("tool_response");
                String name = ToolCalls.toolName(messages, m);
                if (name != null && !name.isBlank()) {
                    inner.put("tool", name);
                }
                inner.put("content", text);
                if (m.hasNonNull("tool_call_id")) {
                    inner.put("tool_call_id", m.get("tool_call_id").asText());
                }
                role = "user";
                text = LlamaJson.write(resp);
            }
            append(sb, role, text);
        }
        if (addGenerationPrompt) {
            sb.append(GENERATION_PROMPT);
        }
        return sb.toString();
    }

    private static void append(StringBuilder sb, String role, String text) {
        sb.append(Tokenizer.IM_START_TEXT).append(role).append('\n').append(text).append(Tokenizer.IM_END_TEXT)
                .append('\n');
    }

    private static String toolsPrompt(JsonNode tools) {
        return "You can call any of the following tools to satisfy the user's requests: " + LlamaJson.write(tools)
                + "\n\nExample tool call syntax:\n\n{\"tool_calls\": [{\"name\": \"tool_name\", \"arguments\": "
                + "{\"arg1\": \"some_value\"}, \"id\": \"call_1___\"}]}";
    }

    /** An assistant turn's tool calls as the JSON content the polyfill gives the template. */
    private static String toolCallsContent(JsonNode calls, String content) {
        ObjectNode o = F.objectNode();
        ArrayNode arr = o.putArray("tool_calls");
        for (JsonNode c : calls) {
            JsonNode fn = c.has("function") ? c.get("function") : c;
            ObjectNode e = arr.addObject();
            e.put("name", fn.path("name").asText(""));
            JsonNode args = fn.get("arguments");
            if (args != null && args.isTextual()) {
                try {
                    JsonNode parsed = LlamaJson.MAPPER.readTree(args.asText());
                    e.set("arguments", parsed == null || parsed.isMissingNode() ? args : parsed);
                } catch (Exception ex) {
                    e.set("arguments", args);
                }
            } else if (args != null) {
                e.set("arguments", args);
            } else {
                e.putObject("arguments");
            }
            if (c.hasNonNull("id")) {
                e.put("id", c.get("id").asText());
            }
        }
        if (!content.isEmpty()) {
            o.put("content", content);
        }
        return LlamaJson.write(o);
    }

    /**
     * A message's text: a string, or the text parts of an array of content parts joined by newlines (as
     * llama-server concatenates typed text for templates that take string content); null or absent is "".
     */
    static String content(JsonNode message) {
        JsonNode c = message == null ? null : message.get("content");
        if (c == null || c.isNull()) {
            return "";
        }
        if (c.isTextual()) {
            return c.asText();
        }
        if (c.isArray()) {
            StringBuilder sb = new StringBuilder();
            for (JsonNode part : c) {
                String text = null;
                if (part.isTextual()) {
                    text = part.asText();
                } else if (part.isObject() && part.hasNonNull("text")) {
                    text = part.get("text").asText();
                }
                if (text != null) {
                    if (sb.length() > 0) {
                        sb.append('\n');
                    }
                    sb.append(text);
                }
            }
            return sb.toString();
        }
        return c.toString();
    }

    /** The text the model "understands" the request by: the last user message (all text when there is none). */
    static String lastUserText(JsonNode messages) {
        String last = null;
        StringBuilder all = new StringBuilder();
        for (JsonNode m : messages) {
            String text = content(m);
            all.append(text).append('\n');
            if ("user".equals(m.path("role").asText())) {
                last = text;
            }
        }
        return last != null ? last : all.toString().strip();
    }
}
