package dev.echelon.tools;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The registry: allow lists per role, the OpenAI definitions it offers, and the argument checks that stand between a
 * model's call and a tool — run against the real run_code and web_fetch schemas, with the tools themselves replaced
 * by recorders so no program runs and no page is fetched.
 */
class ToolRegistryTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final ToolContext CONTEXT = new ToolContext("req-1", "coder", Duration.ofSeconds(30));

    /** A tool with a real tool's name, schema and permissions that records its calls instead of acting. */
    static final class Recorder implements Tool {
        final Tool shape;
        final List<ObjectNode> calls = new CopyOnWriteArrayList<>();
        RuntimeException failWith;

        Recorder(Tool shape) {
            this.shape = shape;
        }

        @Override
        public String name() {
            return shape.name();
        }

        @Override
        public String description() {
            return shape.description();
        }

        @Override
        public ObjectNode parameters() {
            return shape.parameters();
        }

        @Override
        public Set<ToolPermission> permissions() {
            return shape.permissions();
        }

        @Override
        public ToolResult call(ObjectNode arguments, ToolContext context) {
            if (failWith != null) {
                throw failWith;
            }
            calls.add(arguments);
            return ToolResult.ok("done", null);
        }
    }

    private final Recorder runCode = new Recorder(new RunCodeTool(new CodeRunner(Sandbox.defaults()
            .withLauncher(Path.of("never-used"))), new SimpleMeterRegistry()));
    private final Recorder webFetch = new Recorder(new WebFetchTool(new WebFetch(WebFetchPolicy.defaults())));
    private final SimpleMeterRegistry metrics = new SimpleMeterRegistry();

    private ToolRegistry registry(boolean enabled) {
        return new ToolRegistry(List.of(runCode, webFetch), Map.of("coder", List.of("run_code"),
                "worker", List.of("run_code", "web_fetch"), "frontdoor", List.of()), enabled, 4, metrics);
    }

    @Test
    void eachRoleIsOfferedItsAllowListInOrder() {
        ToolRegistry r = registry(true);
        assertEquals(List.of("run_code"), r.allowedFor("coder").stream().map(Tool::name).toList());
        assertEquals(List.of("run_code", "web_fetch"), r.allowedFor("worker").stream().map(Tool::name).toList());
        assertEquals(List.of(), r.allowedFor("frontdoor"));
        assertEquals(List.of(), r.allowedFor("no-such-role"));
        assertEquals(Set.of("run_code", "web_fetch"), r.names());
    }

    @Test
    void turnedOffOffersNothingToAnyRole() {
        ToolRegistry r = registry(false);
        assertEquals(List.of(), r.allowedFor("worker"));
        assertTrue(r.tool("run_code").isPresent(), "the tools still exist");
    }

    @Test
    void anAllowListNamingAnUnknownToolIsRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new ToolRegistry(
                List.of(runCode), Map.of("coder", List.of("run_code", "shell")), true, 4, metrics));
        assertTrue(e.getMessage().contains("unknown tool 'shell'"), e.getMessage());
    }

    @Test
    void twoToolsMayNotShareAName() {
        assertThrows(IllegalStateException.class, () -> new ToolRegistry(List.of(runCode, new Recorder(runCode)),
                Map.of(), true, 4, metrics));
    }

    @Test
    void toolsDeclareWhatTheyMayReach() {
        assertEquals(Set.of(ToolPermission.COMPUTE), runCode.permissions());
        assertEquals(Set.of(ToolPermission.NETWORK), webFetch.permissions());
    }

    @Test
    void definitionsAreOpenAiFunctions() {
        ObjectNode d = ToolRegistry.definition(runCode);
        assertEquals("function", d.path("type").asText());
        assertEquals("run_code", d.path("function").path("name").asText());
        JsonNode params = d.path("function").path("parameters");
        assertEquals("object", params.path("type").asText());
        assertEquals(List.of("language", "code"), List.of(params.path("required").get(0).asText(),
                params.path("required").get(1).asText()));
        assertEquals("[\"python\",\"sh\"]", params.path("properties").path("language").path("enum").toString());
    }

    static Stream<Arguments> badArguments() {
        return Stream.of(
                Arguments.of("not JSON", "run_code", "{\"language\": \"python\", \"code\": ",
                        "function.arguments is not valid JSON"),
                Arguments.of("not an object", "run_code", "[1, 2]", "function.arguments must be a JSON object"),
                Arguments.of("missing required", "run_code", "{\"language\": \"python\"}",
                        "argument 'code' is required"),
                Arguments.of("wrong type", "run_code", "{\"language\": \"python\", \"code\": 42}",
                        "argument 'code' must be a string (was 42)"),
                Arguments.of("not in the enum", "run_code", "{\"language\": \"ruby\", \"code\": \"puts 1\"}",
                        "argument 'language' must be one of python, sh (was 'ruby')"),
                Arguments.of("empty program", "run_code", "{\"language\": \"sh\", \"code\": \"\"}",
                        "argument 'code' must be at least 1 characters long"),
                Arguments.of("unknown parameter", "run_code",
                        "{\"language\": \"sh\", \"code\": \"ls\", \"timeout\": 5}",
                        "argument 'timeout' is not a parameter of this tool (parameters: language, code, stdin)"),
                Arguments.of("below the minimum", "web_fetch", "{\"url\": \"https://example.com\", \"max_chars\": 5}",
                        "argument 'max_chars' must be at least 100 (was 5)"),
                Arguments.of("above the maximum", "web_fetch",
                        "{\"url\": \"https://example.com\", \"max_chars\": 1000000}",
                        "argument 'max_chars' must be at most 100000 (was 1000000)"),
                Arguments.of("fractional integer", "web_fetch",
                        "{\"url\": \"https://example.com\", \"max_chars\": 150.5}",
                        "argument 'max_chars' must be an integer (was 150.5)"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badArguments")
    void badArgumentsAreAnErrorForTheModelAndTheToolDoesNotRun(String name, String tool, String args,
            String expected) {
        ToolRegistry r = registry(true);
        ToolResult result = r.call(r.tool(tool).orElseThrow(), args, CONTEXT);
        assertFalse(result.ok());
        assertEquals(ToolResult.Outcome.ERROR, result.outcome());
        assertTrue(result.content().contains(expected), result.content());
        assertTrue(result.content().startsWith(tool + " was not run"), result.content());
        assertTrue(runCode.calls.isEmpty() && webFetch.calls.isEmpty(), "the tool was not called");
        assertEquals(1.0, metrics.counter("echelon.tool.calls", "tool", tool, "outcome", "error").count());
    }

    @Test
    void validArgumentsReachTheTool() {
        ToolRegistry r = registry(true);
        ToolResult result = r.call(runCode, "{\"language\":\"python\",\"code\":\"print(1)\",\"stdin\":null}", CONTEXT);
        assertTrue(result.ok(), result.content());
        assertEquals(1, runCode.calls.size());
        assertEquals("print(1)", runCode.calls.get(0).path("code").asText());
        assertEquals(1.0, metrics.counter("echelon.tool.calls", "tool", "run_code", "outcome", "ok").count());
    }

    @Test
    void aToolThatThrowsBecomesAnErrorResult() {
        ToolRegistry r = registry(true);
        webFetch.failWith = new IllegalStateException("boom");
        ToolResult result = r.call(webFetch, "{\"url\":\"https://example.com\"}", CONTEXT);
        assertFalse(result.ok());
        assertEquals("web_fetch failed: boom", result.content());
    }

    @Test
    void outcomeTagsNameTheLimit() {
        assertEquals("wall_clock", new ToolResult(false, ToolResult.Outcome.LIMIT, LimitHit.WALL_CLOCK, "x", null)
                .outcomeTag());
        assertEquals("refused", ToolResult.refused("no").outcomeTag());
        assertEquals("ok", ToolResult.ok("fine", JSON.createObjectNode()).outcomeTag());
    }
}
