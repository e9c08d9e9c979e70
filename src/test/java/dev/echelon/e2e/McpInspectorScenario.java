package dev.echelon.e2e;

import com.fasterxml.jackson.databind.JsonNode;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.StreamSupport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What an MCP Inspector CLI session checks, over whichever transport {@code target} names (a URL with
 * {@code --transport http}, or a command for stdio): tools and resources are listed, every resource is read, every
 * tool is called and gives what it should, and malformed arguments come back as tool errors ({@code isError}).
 */
final class McpInspectorScenario {

    static final List<String> TOOLS = List.of("chat", "list_roles", "memory_search", "memory_store",
            "residency_status", "route_explain", "run_code", "web_fetch");
    static final List<String> RESOURCES = List.of("echelon://config", "echelon://escalations/recent",
            "echelon://residency");

    private final List<String> target;
    private final Map<String, String> env;

    McpInspectorScenario(List<String> target, Map<String, String> env) {
        this.target = List.copyOf(target);
        this.env = Map.copyOf(env);
    }

    void run() throws IOException, InterruptedException {
        JsonNode tools = call("--method", "tools/list");
        List<String> names = StreamSupport.stream(tools.path("tools").spliterator(), false)
                .map(t -> t.path("name").asText()).sorted().toList();
        assertEquals(TOOLS, names, "tools/list");
        tools.path("tools").forEach(t -> assertEquals("object", t.path("inputSchema").path("type").asText(),
                t.path("name") + " input schema"));

        JsonNode resources = call("--method", "resources/list");
        List<String> uris = StreamSupport.stream(resources.path("resources").spliterator(), false)
                .map(r -> r.path("uri").asText()).sorted().toList();
        assertEquals(RESOURCES, uris, "resources/list");
        for (String uri : RESOURCES) {
            JsonNode read = call("--method", "resources/read", "--uri", uri);
            assertFalse(read.path("contents").path(0).path("text").asText().isEmpty(), uri + " has contents");
        }

        assertTrue(text(ok("list_roles")).contains("\"frontdoor\""));
        JsonNode chat = ok("chat", "prompt=Hello! What can you do?");
        assertFalse(text(chat).isBlank(), "chat answered: " + chat);
        assertTrue(chat.path("content").path(1).path("text").asText().contains("\"role\""), "chat says its role");
        assertTrue(text(ok("route_explain", "prompt=Integrate x^2 from 0 to 3")).contains("\"chosen\""));
        assertTrue(text(ok("residency_status", "recent=3")).contains("\"budgets\""));
        assertTrue(text(ok("run_code", "language=python", "code=print(6 * 7 * 1001)")).contains("42042"));
        // memory may be off where this runs; then both memory tools must say so as tool errors
        JsonNode stored = tool("memory_store", "text=The Heron deployment window is Thursday 22:00 UTC.");
        if (stored.path("isError").asBoolean()) {
            assertTrue(text(stored).contains("Memory is turned off"), text(stored));
            assertTrue(text(error("memory_search", "query=Heron")).contains("Memory is turned off"));
        } else {
            assertTrue(text(ok("memory_search", "query=When is the Heron deployment?")).contains("Heron"));
        }
        assertTrue(text(error("web_fetch", "url=http://169.254.169.254/latest/meta-data/")).contains("169.254"),
                "the metadata address is refused");

        // malformed arguments: tool errors that name the argument
        assertTrue(text(error("chat", "max_tokens=1.5", "prompt=hi")).contains("max_tokens"));
        assertTrue(text(error("chat", "max_tokens=many")).contains("prompt"), "NaN becomes null: absent, and prompt is missing");
        assertTrue(text(error("run_code", "language=ruby", "code=puts 1")).contains("language"));
        assertTrue(text(error("residency_status", "recent=-4")).contains("recent"));
        assertTrue(text(error("chat", "prompt=hi", "role=no-such-role")).contains("no-such-role"));
    }

    private JsonNode ok(String tool, String... args) throws IOException, InterruptedException {
        JsonNode r = tool(tool, args);
        assertFalse(r.path("isError").asBoolean(), tool + " succeeds: " + r);
        return r;
    }

    private JsonNode error(String tool, String... args) throws IOException, InterruptedException {
        JsonNode r = tool(tool, args);
        assertTrue(r.path("isError").asBoolean(), tool + " is a tool error: " + r);
        return r;
    }

    private JsonNode tool(String tool, String... args) throws IOException, InterruptedException {
        List<String> a = new ArrayList<>(List.of("--method", "tools/call", "--tool-name", tool));
        if (args.length > 0) {
            a.add("--tool-arg");
            a.addAll(List.of(args));
        }
        return call(a.toArray(String[]::new));
    }

    private JsonNode call(String... args) throws IOException, InterruptedException {
        List<String> all = new ArrayList<>(target);
        all.addAll(List.of(args));
        return McpInspector.result(all, env);
    }

    private static String text(JsonNode result) {
        return result.path("content").path(0).path("text").asText();
    }
}
