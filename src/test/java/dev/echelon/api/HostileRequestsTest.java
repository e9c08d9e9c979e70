package dev.echelon.api;

import com.fasterxml.jackson.databind.JsonNode;
import dev.echelon.TestBackends;
import dev.echelon.supervisor.Supervisor;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.URL;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Malformed and hostile requests, table-driven: each gets the right status and an OpenAI-shaped error naming the
 * field, never a stack trace — and the service keeps serving afterwards.
 */
@QuarkusTest
@TestProfile(KeyedProfile.class)
class HostileRequestsTest {

    @TestHTTPResource("/")
    URL url;
    @Inject
    Supervisor supervisor;

    record Case(String name, String method, String path, Map<String, String> headers, byte[] body, int status,
            String param, String code) {
    }

    private static final String OK_MESSAGES = "\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}]";

    private static Map<String, String> auth() {
        Map<String, String> h = new LinkedHashMap<>();
        h.put("Authorization", "Bearer " + KeyedProfile.KEY);
        h.put("Content-Type", "application/json");
        return h;
    }

    private static Map<String, String> with(String header, String value) {
        Map<String, String> h = auth();
        if (value == null) {
            h.remove(header);
        } else {
            h.put(header, value);
        }
        return h;
    }

    private static Case chat(String name, String json, int status, String param, String code) {
        return new Case(name, "POST", "/v1/chat/completions", auth(), json.getBytes(StandardCharsets.UTF_8), status,
                param, code);
    }

    static List<Case> cases() {
        List<Case> c = new ArrayList<>();
        byte[] ok = ("{\"model\":\"frontdoor\"," + OK_MESSAGES + "}").getBytes(StandardCharsets.UTF_8);
        c.add(new Case("no key", "POST", "/v1/chat/completions", with("Authorization", null), ok, 401, null,
                "invalid_api_key"));
        c.add(new Case("wrong key", "POST", "/v1/chat/completions", with("Authorization", "Bearer sk-nope"), ok, 401,
                null, "invalid_api_key"));
        c.add(new Case("basic scheme", "POST", "/v1/chat/completions", with("Authorization", "Basic YTpi"), ok, 401,
                null, "invalid_api_key"));
        c.add(new Case("empty bearer", "POST", "/v1/chat/completions", with("Authorization", "Bearer "), ok, 401,
                null, "invalid_api_key"));
        c.add(new Case("key on models list too", "GET", "/v1/models", with("Authorization", null), null, 401, null,
                "invalid_api_key"));
        c.add(new Case("admin needs the admin key", "GET", "/admin/config", auth(), null, 401, null,
                "invalid_api_key"));
        c.add(chat("truncated JSON", "{\"model\":", 400, null, "invalid_json"));
        c.add(chat("array body", "[1,2,3]", 400, null, "invalid_json"));
        c.add(chat("empty body", "", 400, null, "invalid_json"));
        c.add(chat("deeply nested JSON", "[".repeat(5000) + "]".repeat(5000), 400, null, "invalid_json"));
        c.add(new Case("invalid UTF-8", "POST", "/v1/chat/completions", auth(),
                new byte[] {'{', '"', 'm', '"', ':', '"', (byte) 0xC3, (byte) 0x28, '"', '}'}, 400, null,
                "invalid_json"));
        c.add(chat("model missing", "{" + OK_MESSAGES + "}", 400, "model", "missing_required_parameter"));
        c.add(chat("model not a string", "{\"model\":42," + OK_MESSAGES + "}", 400, "model", "invalid_type"));
        c.add(chat("unknown model", "{\"model\":\"gpt-9\"," + OK_MESSAGES + "}", 404, "model", "model_not_found"));
        c.add(chat("draft role as model", "{\"model\":\"draft_general\"," + OK_MESSAGES + "}", 400, "model",
                "model_not_supported"));
        c.add(chat("messages missing", "{\"model\":\"frontdoor\"}", 400, "messages", "missing_required_parameter"));
        c.add(chat("messages empty", "{\"model\":\"frontdoor\",\"messages\":[]}", 400, "messages", "empty_array"));
        c.add(chat("messages not an array", "{\"model\":\"frontdoor\",\"messages\":\"hi\"}", 400, "messages",
                "invalid_type"));
        c.add(chat("unknown role", "{\"model\":\"frontdoor\",\"messages\":[{\"role\":\"wizard\",\"content\":\"x\"}]}",
                400, "messages[0].role", "invalid_value"));
        c.add(chat("content a number", "{\"model\":\"frontdoor\",\"messages\":[{\"role\":\"user\",\"content\":7}]}",
                400, "messages[0].content", "invalid_type"));
        c.add(chat("bad content part", "{\"model\":\"frontdoor\",\"messages\":[{\"role\":\"user\",\"content\":"
                + "[{\"type\":\"video\",\"text\":\"x\"}]}]}", 400, "messages[0].content[0].type", "invalid_value"));
        c.add(chat("tool message without id", "{\"model\":\"frontdoor\",\"messages\":[{\"role\":\"user\",\"content\":"
                + "\"x\"},{\"role\":\"tool\",\"content\":\"42\"}]}", 400, "messages[1].tool_call_id",
                "missing_required_parameter"));
        c.add(chat("negative max_tokens", "{\"model\":\"frontdoor\"," + OK_MESSAGES + ",\"max_tokens\":-5}", 400,
                "max_tokens", "integer_out_of_range"));
        c.add(chat("max_tokens a string", "{\"model\":\"frontdoor\"," + OK_MESSAGES + ",\"max_tokens\":\"10\"}", 400,
                "max_tokens", "invalid_type"));
        c.add(chat("temperature too high", "{\"model\":\"frontdoor\"," + OK_MESSAGES + ",\"temperature\":5}", 400,
                "temperature", "decimal_out_of_range"));
        c.add(chat("n > 1", "{\"model\":\"frontdoor\"," + OK_MESSAGES + ",\"n\":2}", 400, "n", "unsupported_value"));
        c.add(chat("five stop sequences", "{\"model\":\"frontdoor\"," + OK_MESSAGES
                + ",\"stop\":[\"a\",\"b\",\"c\",\"d\",\"e\"]}", 400, "stop", "array_above_max_length"));
        c.add(chat("stop not strings", "{\"model\":\"frontdoor\"," + OK_MESSAGES + ",\"stop\":[\"a\",1]}", 400,
                "stop[1]", "invalid_type"));
        c.add(chat("tool name with spaces", "{\"model\":\"frontdoor\"," + OK_MESSAGES + ",\"tools\":[{\"type\":"
                + "\"function\",\"function\":{\"name\":\"get weather\"}}]}", 400, "tools[0].function.name",
                "invalid_value"));
        c.add(chat("tool parameters not an object schema", "{\"model\":\"frontdoor\"," + OK_MESSAGES
                + ",\"tools\":[{\"type\":\"function\",\"function\":{\"name\":\"f\",\"parameters\":{\"type\":"
                + "\"string\"}}}]}", 400, "tools[0].function.parameters", "invalid_function_parameters"));
        c.add(chat("tool type not function", "{\"model\":\"frontdoor\"," + OK_MESSAGES
                + ",\"tools\":[{\"type\":\"retrieval\"}]}", 400, "tools[0].type", "invalid_value"));
        c.add(chat("tool_choice names a missing tool", "{\"model\":\"frontdoor\"," + OK_MESSAGES
                + ",\"tools\":[{\"type\":\"function\",\"function\":{\"name\":\"f\"}}],\"tool_choice\":{\"type\":"
                + "\"function\",\"function\":{\"name\":\"g\"}}}", 400, "tool_choice.function.name", "invalid_value"));
        c.add(chat("tool_choice without tools", "{\"model\":\"frontdoor\"," + OK_MESSAGES
                + ",\"tool_choice\":\"required\"}", 400, "tool_choice", "invalid_value"));
        c.add(chat("unknown response_format", "{\"model\":\"frontdoor\"," + OK_MESSAGES
                + ",\"response_format\":{\"type\":\"xml\"}}", 400, "response_format.type", "invalid_value"));
        c.add(chat("stream_options without stream", "{\"model\":\"frontdoor\"," + OK_MESSAGES
                + ",\"stream_options\":{\"include_usage\":true}}", 400, "stream_options", "invalid_value"));
        c.add(chat("top_logprobs without logprobs", "{\"model\":\"frontdoor\"," + OK_MESSAGES
                + ",\"top_logprobs\":3}", 400, "top_logprobs", "invalid_value"));
        c.add(new Case("body over the limit", "POST", "/v1/chat/completions", auth(),
                ("{\"model\":\"frontdoor\",\"messages\":[{\"role\":\"user\",\"content\":\"" + "x".repeat(70_000)
                        + "\"}]}").getBytes(StandardCharsets.UTF_8), 413, null, "request_too_large"));
        c.add(new Case("legacy echo", "POST", "/v1/completions", auth(),
                "{\"model\":\"frontdoor\",\"prompt\":\"Hi\",\"echo\":true}".getBytes(StandardCharsets.UTF_8), 400,
                "echo", "unsupported_value"));
        c.add(new Case("legacy prompt missing", "POST", "/v1/completions", auth(),
                "{\"model\":\"frontdoor\"}".getBytes(StandardCharsets.UTF_8), 400, "prompt",
                "missing_required_parameter"));
        c.add(new Case("embedding input a number", "POST", "/v1/embeddings", auth(),
                "{\"model\":\"embedder\",\"input\":5}".getBytes(StandardCharsets.UTF_8), 400, "input",
                "invalid_type"));
        c.add(new Case("embedding with a chat model", "POST", "/v1/embeddings", auth(),
                "{\"model\":\"frontdoor\",\"input\":\"hi\"}".getBytes(StandardCharsets.UTF_8), 404, "model",
                "model_not_found"));
        c.add(new Case("wrong method", "GET", "/v1/chat/completions", auth(), null, 405, null, "method_not_allowed"));
        c.add(new Case("unknown endpoint", "POST", "/v1/fine_tuning/jobs", auth(), ok, 404, null, "not_found"));
        c.add(new Case("unknown model by id", "GET", "/v1/models/gpt-unknown", auth(), null, 404, "model",
                "model_not_found"));
        return c;
    }

    private String base() {
        return TestBackends.base(url);
    }

    @BeforeEach
    void backendsReady() throws Exception {
        TestBackends.awaitAllReady(supervisor);
    }

    @Test
    void everyHostileRequestGetsTheRightStatusAndAnOpenAiError() throws Exception {
        List<String> failures = new ArrayList<>();
        List<Case> cases = cases();
        assertTrue(cases.size() >= 25, "at least 25 cases: " + cases.size());
        for (Case c : cases) {
            HttpResponse<String> r = Http.send(base(), c.method(), c.path(), c.headers(), c.body());
            String why = check(c, r);
            if (why != null) {
                failures.add(c.name() + ": " + why + "\n    body: " + r.body().substring(0,
                        Math.min(300, r.body().length())));
            }
        }
        assertTrue(failures.isEmpty(), failures.size() + " of " + cases.size() + " cases failed:\n"
                + String.join("\n", failures));

        // and the service keeps serving
        HttpResponse<String> good = Http.send(base(), "POST", "/v1/chat/completions", auth(),
                ("{\"model\":\"frontdoor\"," + OK_MESSAGES + ",\"max_tokens\":8}").getBytes(StandardCharsets.UTF_8));
        assertEquals(200, good.statusCode(), good.body());
        assertEquals("frontdoor", Http.json(good).path("x_echelon").path("role").asText());
        assertEquals(200, Http.send(base(), "GET", "/q/health/ready", Map.of(), null).statusCode());
    }

    private static String check(Case c, HttpResponse<String> r) {
        if (r.statusCode() != c.status()) {
            return "status " + r.statusCode() + ", expected " + c.status();
        }
        if (!r.headers().firstValue("Content-Type").orElse("").startsWith("application/json")) {
            return "content type " + r.headers().firstValue("Content-Type").orElse("none");
        }
        JsonNode body;
        try {
            body = Http.JSON.readTree(r.body());
        } catch (Exception e) {
            return "body is not JSON";
        }
        JsonNode err = body.get("error");
        if (err == null || !err.isObject()) {
            return "no error object";
        }
        for (String field : List.of("message", "type", "param", "code")) {
            if (!err.has(field)) {
                return "error." + field + " missing";
            }
        }
        if (err.get("message").asText().isBlank() || err.get("type").asText().isBlank()) {
            return "empty message or type";
        }
        String param = err.get("param").isNull() ? null : err.get("param").asText();
        if (c.param() != null && !c.param().equals(param)) {
            return "param " + param + ", expected " + c.param();
        }
        if (c.code() != null && !c.code().equals(err.get("code").asText())) {
            return "code " + err.get("code").asText() + ", expected " + c.code();
        }
        if (r.body().contains("Exception") || r.body().contains("\tat ") || r.body().contains("<html")) {
            return "leaks internals";
        }
        if (c.status() == 401 && r.headers().firstValue("WWW-Authenticate").isEmpty()) {
            return "401 without WWW-Authenticate";
        }
        return null;
    }

    @Test
    void adminKeyOpensAdminAndApiKeysOpenTheApi() throws Exception {
        assertEquals(200, Http.send(base(), "GET", "/admin/config",
                Map.of("Authorization", "Bearer " + KeyedProfile.ADMIN_KEY), null).statusCode());
        JsonNode config = Http.json(Http.send(base(), "GET", "/admin/config",
                Map.of("Authorization", "Bearer " + KeyedProfile.ADMIN_KEY), null));
        assertEquals("(2 keys, redacted)", config.path("settings").path("api_keys").asText());
        assertFalse(config.toString().contains(KeyedProfile.KEY), "keys are never shown");
        for (String key : List.of(KeyedProfile.KEY, KeyedProfile.OTHER_KEY)) {
            assertEquals(200, Http.send(base(), "GET", "/v1/models", Map.of("Authorization", "Bearer " + key), null)
                    .statusCode());
        }
        assertEquals(200, Http.send(base(), "GET", "/q/health/live", Map.of(), null).statusCode(),
                "health stays open for orchestrators");
    }

    @Test
    void unsafeRequestIdsAreReplacedNotEchoed() throws Exception {
        String hostile = "<script>alert(1)</script>";
        HttpResponse<String> r = Http.send(base(), "GET", "/v1/models", with("X-Request-Id", hostile), null);
        String id = r.headers().firstValue("X-Request-Id").orElseThrow();
        assertFalse(id.contains("<"), id);
        assertTrue(id.startsWith("req_"), id);
        HttpResponse<String> kept = Http.send(base(), "GET", "/v1/models", with("X-Request-Id", "trace-42.a"), null);
        assertEquals("trace-42.a", kept.headers().firstValue("X-Request-Id").orElseThrow());
    }
}
