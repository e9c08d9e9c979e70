package dev.echelon.fake;

import com.fasterxml.jackson.databind.JsonNode;

/** The ChatML template the fake models ship with (the one recorded from the real server's {@code /props}). */
final class ChatTemplate {

    static final String JINJA = "{%- for message in messages -%}\n"
            + "  {{- '<|im_start|>' + message.role + '\n' + message.content + '<|im_end|>\n' -}}\n"
            + "{%- endfor -%}\n"
            + "{%- if add_generation_prompt -%}\n"
            + "  {{- '<|im_start|>assistant\n' -}}\n"
            + "{%- endif -%}";

    static final String GENERATION_PROMPT = Tokenizer.IM_START_TEXT + "assistant\n";

    private ChatTemplate() {
    }

    /** Renders {@code messages} (an array of {role, content}); content may be a string or an array of text parts. */
    static String render(JsonNode messages, boolean addGenerationPrompt) {
        StringBuilder sb = new StringBuilder();
        for (JsonNode m : messages) {
            sb.append(Tokenizer.IM_START_TEXT).append(m.path("role").asText("user")).append('\n')
                    .append(content(m)).append(Tokenizer.IM_END_TEXT).append('\n');
        }
        if (addGenerationPrompt) {
            sb.append(GENERATION_PROMPT);
        }
        return sb.toString();
    }

    static String content(JsonNode message) {
        JsonNode c = message.get("content");
        if (c == null || c.isNull()) {
            return "";
        }
        if (c.isTextual()) {
            return c.asText();
        }
        if (c.isArray()) {
            StringBuilder sb = new StringBuilder();
            for (JsonNode part : c) {
                if (part.isTextual()) {
                    sb.append(part.asText());
                } else if (part.has("text")) {
                    sb.append(part.get("text").asText());
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
