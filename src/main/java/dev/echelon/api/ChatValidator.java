package dev.echelon.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.echelon.pipeline.Rejection;

import java.util.HashSet;
import java.util.Set;
import java.util.regex.Pattern;

import static dev.echelon.api.Fields.optionalBoolean;
import static dev.echelon.api.Fields.optionalInteger;
import static dev.echelon.api.Fields.present;
import static dev.echelon.api.Fields.requireString;
import static dev.echelon.api.Fields.wrongType;

/**
 * Checks a {@code POST /v1/chat/completions} body the way OpenAI does, field by field: messages (roles, string or
 * content-part content, tool calls and tool results), limits, sampling, response_format, tools and tool_choice,
 * logprobs. Unknown fields are tolerated (clients send many); {@code n > 1} is refused, because Echelon answers with
 * one choice.
 */
public final class ChatValidator {

    static final long MAX_TOKENS_LIMIT = 1_000_000;
    private static final Set<String> ROLES = Set.of("system", "developer", "user", "assistant", "tool");
    private static final Set<String> PART_TYPES = Set.of("text", "image_url", "input_audio", "file");
    private static final Pattern FUNCTION_NAME = Pattern.compile("[a-zA-Z0-9_-]{1,64}");

    private ChatValidator() {
    }

    /** Validates {@code body} in place; returns the normalised body to relay. */
    public static ObjectNode validate(ObjectNode body) {
        requireString(body, "model", "model");
        messages(body);
        Long maxTokens = optionalInteger(body, "max_tokens", 1, MAX_TOKENS_LIMIT);
        Long maxCompletion = optionalInteger(body, "max_completion_tokens", 1, MAX_TOKENS_LIMIT);
        if (maxCompletion != null) {
            // llama-server reads max_tokens; the newer name wins when both are given, as with OpenAI
            body.put("max_tokens", maxCompletion);
            body.remove("max_completion_tokens");
        } else if (maxTokens == null) {
            body.remove("max_tokens");
        }
        Fields.sampling(body);
        Fields.stream(body);
        responseFormat(body);
        Set<String> toolNames = tools(body);
        toolChoice(body, toolNames);
        optionalBoolean(body, "parallel_tool_calls");
        Boolean logprobs = optionalBoolean(body, "logprobs");
        Long top = optionalInteger(body, "top_logprobs", 0, 20);
        if (top != null && !Boolean.TRUE.equals(logprobs)) {
            throw Rejection.invalid("top_logprobs", "invalid_value",
                    "'top_logprobs' requires 'logprobs' to be true.");
        }
        return body;
    }

    private static void messages(JsonNode body) {
        JsonNode messages = body.get("messages");
        if (!present(messages)) {
            throw Fields.missing("messages");
        }
        if (!messages.isArray()) {
            throw wrongType("messages", "an array", messages);
        }
        if (messages.isEmpty()) {
            throw Rejection.invalid("messages", "empty_array",
                    "Invalid 'messages': empty array. Expected an array with minimum length 1.");
        }
        for (int i = 0; i < messages.size(); i++) {
            message(messages.get(i), "messages[" + i + "]");
        }
    }

    private static void message(JsonNode m, String param) {
        if (!m.isObject()) {
            throw wrongType(param, "an object", m);
        }
        String role = requireString(m, "role", param + ".role");
        if (!ROLES.contains(role)) {
            throw Rejection.invalid(param + ".role", "invalid_value", "Invalid value for '" + param + ".role': '"
                    + role + "'. Supported values are: 'system', 'developer', 'user', 'assistant' and 'tool'.");
        }
        Fields.optionalString(m, "name", param + ".name");
        JsonNode content = m.get("content");
        boolean hasToolCalls = "assistant".equals(role) && present(m.get("tool_calls"));
        if (!present(content)) {
            if (!hasToolCalls) {
                throw Fields.missing(param + ".content");
            }
        } else if (content.isArray()) {
            for (int j = 0; j < content.size(); j++) {
                part(content.get(j), param + ".content[" + j + "]");
            }
        } else if (!content.isTextual()) {
            throw wrongType(param + ".content", "a string or an array of content parts", content);
        }
        if (hasToolCalls) {
            toolCalls(m.get("tool_calls"), param + ".tool_calls");
        } else if (present(m.get("tool_calls"))) {
            throw Rejection.invalid(param + ".tool_calls", "invalid_value",
                    "Only assistant messages may carry 'tool_calls'.");
        }
        if ("tool".equals(role)) {
            requireString(m, "tool_call_id", param + ".tool_call_id");
        }
    }

    private static void part(JsonNode p, String param) {
        if (!p.isObject()) {
            throw wrongType(param, "an object", p);
        }
        String type = requireString(p, "type", param + ".type");
        if (!PART_TYPES.contains(type)) {
            throw Rejection.invalid(param + ".type", "invalid_value", "Invalid value for '" + param + ".type': '"
                    + type + "'. Supported values are: 'text', 'image_url', 'input_audio' and 'file'.");
        }
        if ("text".equals(type)) {
            requireString(p, "text", param + ".text");
        } else if ("image_url".equals(type)) {
            JsonNode iu = p.get("image_url");
            if (!present(iu) || !iu.isObject()) {
                throw wrongType(param + ".image_url", "an object", iu);
            }
            requireString(iu, "url", param + ".image_url.url");
        }
    }

    private static void toolCalls(JsonNode calls, String param) {
        if (!calls.isArray()) {
            throw wrongType(param, "an array", calls);
        }
        for (int i = 0; i < calls.size(); i++) {
            JsonNode c = calls.get(i);
            String p = param + "[" + i + "]";
            if (!c.isObject()) {
                throw wrongType(p, "an object", c);
            }
            requireString(c, "id", p + ".id");
            JsonNode f = c.get("function");
            if (!present(f) || !f.isObject()) {
                throw wrongType(p + ".function", "an object", f);
            }
            requireString(f, "name", p + ".function.name");
            requireString(f, "arguments", p + ".function.arguments");
        }
    }

    private static void responseFormat(JsonNode body) {
        JsonNode rf = body.get("response_format");
        if (!present(rf)) {
            return;
        }
        if (!rf.isObject()) {
            throw wrongType("response_format", "an object", rf);
        }
        String type = requireString(rf, "type", "response_format.type");
        switch (type) {
            case "text", "json_object" -> {
            }
            case "json_schema" -> {
                JsonNode js = rf.get("json_schema");
                if (!present(js) || !js.isObject()) {
                    throw wrongType("response_format.json_schema", "an object", js);
                }
                requireString(js, "name", "response_format.json_schema.name");
                JsonNode schema = js.get("schema");
                if (present(schema) && !schema.isObject()) {
                    throw wrongType("response_format.json_schema.schema", "an object", schema);
                }
            }
            default -> throw Rejection.invalid("response_format.type", "invalid_value",
                    "Invalid value for 'response_format.type': '" + type
                            + "'. Supported values are: 'text', 'json_object' and 'json_schema'.");
        }
    }

    private static Set<String> tools(JsonNode body) {
        Set<String> names = new HashSet<>();
        JsonNode tools = body.get("tools");
        if (!present(tools)) {
            return names;
        }
        if (!tools.isArray()) {
            throw wrongType("tools", "an array", tools);
        }
        for (int i = 0; i < tools.size(); i++) {
            JsonNode t = tools.get(i);
            String p = "tools[" + i + "]";
            if (!t.isObject()) {
                throw wrongType(p, "an object", t);
            }
            String type = requireString(t, "type", p + ".type");
            if (!"function".equals(type)) {
                throw Rejection.invalid(p + ".type", "invalid_value", "Invalid value for '" + p + ".type': '" + type
                        + "'. Supported values are: 'function'.");
            }
            JsonNode f = t.get("function");
            if (!present(f) || !f.isObject()) {
                throw wrongType(p + ".function", "an object", f);
            }
            String name = requireString(f, "name", p + ".function.name");
            if (!FUNCTION_NAME.matcher(name).matches()) {
                throw Rejection.invalid(p + ".function.name", "invalid_value", "Invalid '" + p + ".function.name': '"
                        + name + "' does not match '^[a-zA-Z0-9_-]{1,64}$'.");
            }
            if (!names.add(name)) {
                throw Rejection.invalid(p + ".function.name", "invalid_value", "Duplicate tool name '" + name + "'.");
            }
            Fields.optionalString(f, "description", p + ".function.description");
            JsonNode params = f.get("parameters");
            if (present(params)) {
                if (!params.isObject()) {
                    throw wrongType(p + ".function.parameters", "a JSON Schema object", params);
                }
                JsonNode schemaType = params.get("type");
                if (present(schemaType) && !"object".equals(schemaType.asText())) {
                    throw Rejection.invalid(p + ".function.parameters", "invalid_function_parameters",
                            "Invalid schema for function '" + name + "': the parameters schema must have type "
                                    + "'object', got '" + schemaType.asText() + "'.");
                }
                JsonNode props = params.get("properties");
                if (present(props) && !props.isObject()) {
                    throw wrongType(p + ".function.parameters.properties", "an object", props);
                }
                JsonNode required = params.get("required");
                if (present(required) && !required.isArray()) {
                    throw wrongType(p + ".function.parameters.required", "an array", required);
                }
            }
        }
        return names;
    }

    private static void toolChoice(JsonNode body, Set<String> toolNames) {
        JsonNode tc = body.get("tool_choice");
        if (!present(tc)) {
            return;
        }
        if (tc.isTextual()) {
            String v = tc.textValue();
            if (!Set.of("none", "auto", "required").contains(v)) {
                throw Rejection.invalid("tool_choice", "invalid_value", "Invalid value for 'tool_choice': '" + v
                        + "'. Supported values are: 'none', 'auto' and 'required'.");
            }
            if (!"none".equals(v) && toolNames.isEmpty()) {
                throw Rejection.invalid("tool_choice", "invalid_value",
                        "'tool_choice' is only allowed when 'tools' are specified.");
            }
            return;
        }
        if (!tc.isObject()) {
            throw wrongType("tool_choice", "a string or an object", tc);
        }
        String name = requireString(tc.path("function"), "name", "tool_choice.function.name");
        if (!toolNames.contains(name)) {
            throw Rejection.invalid("tool_choice.function.name", "invalid_value", "Invalid 'tool_choice': no tool "
                    + "named '" + name + "' is in 'tools'.");
        }
    }
}
