package dev.echelon.mcp;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.echelon.memory.Memory;
import dev.echelon.memory.MemoryJson;
import dev.echelon.memory.MemoryService;
import io.quarkiverse.mcp.server.ToolResponse;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * {@code memory_store}: remembers a note for the caller's API key. The tool answers only once the note is durable
 * (SQLite, synchronous) and searchable, like {@code POST /v1/memory}'s 201; later chats of the same key recall it
 * when they are about the same thing.
 */
@ApplicationScoped
public class MemoryStoreTool implements McpTool {

    private static final long DURABLE_WITHIN_S = 30;

    private final MemoryTools memory;

    public MemoryStoreTool(MemoryTools memory) {
        this.memory = memory;
    }

    @Override
    public String name() {
        return "memory_store";
    }

    @Override
    public String description() {
        return "Remember a note for later (a fact, a preference, a decision). Echelon recalls it into future chats of "
                + "the same API key when they are about the same thing, and memory_search finds it.";
    }

    @Override
    public ObjectNode inputSchema() {
        ObjectNode s = JsonNodeFactory.instance.objectNode().put("type", "object");
        ObjectNode p = s.putObject("properties");
        p.putObject("text").put("type", "string").put("minLength", 1).put("maxLength", MemoryService.MAX_TEXT_CHARS)
                .put("description", "What to remember.");
        p.putObject("session").put("type", "string").put("maxLength", 200)
                .put("description", "An optional label to group notes by conversation.");
        s.putArray("required").add("text");
        s.put("additionalProperties", false);
        return s;
    }

    @Override
    public ToolResponse call(McpCall call) {
        String text = call.string("text").strip();
        if (text.isEmpty()) {
            throw new McpToolFailure("Invalid arguments for memory_store: argument 'text' must not be blank.");
        }
        try {
            Memory stored = memory.service().remember(call.principal(), call.optionalString("session").orElse(null),
                    "client", text, null).get(DURABLE_WITHIN_S, TimeUnit.SECONDS);
            return ToolResponse.success(MemoryJson.of(stored).toPrettyString());
        } catch (ExecutionException e) {
            throw new McpToolFailure("The note could not be stored: " + e.getCause().getMessage());
        } catch (TimeoutException e) {
            throw new McpToolFailure("The note was not confirmed durable within " + DURABLE_WITHIN_S
                    + " s; search for it before storing it again.");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new McpToolFailure("Interrupted while storing the note.");
        }
    }
}
