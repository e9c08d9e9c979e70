package dev.echelon.backend;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.TextNode;

/**
 * A chat message (request messages, response {@code message}, stream {@code delta}). {@code content} is a JSON string,
 * a list of content parts, or JSON null (kept as {@link JsonNode}); tool calls stay raw JSON.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ChatMessage(
        @JsonProperty("role") String role,
        @JsonProperty("content") JsonNode content,
        @JsonProperty("name") String name,
        @JsonProperty("tool_calls") JsonNode toolCalls,
        @JsonProperty("tool_call_id") String toolCallId,
        @JsonProperty("reasoning_content") String reasoningContent) {

    public static ChatMessage of(String role, String text) {
        return new ChatMessage(role, text == null ? null : TextNode.valueOf(text), null, null, null, null);
    }

    public static ChatMessage system(String text) {
        return of("system", text);
    }

    public static ChatMessage user(String text) {
        return of("user", text);
    }

    public static ChatMessage assistant(String text) {
        return of("assistant", text);
    }

    /**
     * The content as plain text: the string itself, or the concatenated {@code text} of {@code type:"text"} parts;
     * null when absent / JSON null.
     */
    @JsonIgnore
    public String contentText() {
        if (content == null || content.isNull() || content.isMissingNode()) {
            return null;
        }
        if (content.isTextual()) {
            return content.textValue();
        }
        if (content.isArray()) {
            StringBuilder sb = new StringBuilder();
            for (JsonNode part : content) {
                if (part.isTextual()) {
                    sb.append(part.textValue());
                } else if (part.has("text") && (!part.has("type") || "text".equals(part.path("type").asText()))) {
                    sb.append(part.path("text").asText());
                }
            }
            return sb.toString();
        }
        return content.toString();
    }
}
