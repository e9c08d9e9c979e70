package dev.echelon.routing;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * The text of OpenAI chat messages, whose {@code content} is a string or an array of parts: text parts (a string, or
 * an object with {@code text}) are joined by newlines; images and other parts have no text.
 */
public final class MessageText {

    private MessageText() {
    }

    /** The text of one message's {@code content}; empty when it has none. */
    public static String of(JsonNode content) {
        if (content == null || content.isNull() || content.isMissingNode()) {
            return "";
        }
        if (!content.isArray()) {
            return content.asText("");
        }
        StringBuilder sb = new StringBuilder();
        for (JsonNode part : content) {
            String text = part.isTextual() ? part.asText() : part.has("text") ? part.path("text").asText("") : null;
            if (text != null) {
                if (!sb.isEmpty()) {
                    sb.append('\n');
                }
                sb.append(text);
            }
        }
        return sb.toString();
    }

    /** The text of the last user message of a chat body; empty when there is none. */
    public static String lastUser(JsonNode body) {
        JsonNode messages = body == null ? null : body.get("messages");
        if (messages == null || !messages.isArray()) {
            return "";
        }
        for (int i = messages.size() - 1; i >= 0; i--) {
            JsonNode m = messages.get(i);
            if ("user".equals(m.path("role").asText())) {
                return of(m.get("content"));
            }
        }
        return "";
    }
}
