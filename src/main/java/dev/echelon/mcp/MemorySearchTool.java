package dev.echelon.mcp;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.echelon.memory.MemoryJson;
import dev.echelon.memory.Recalled;
import io.quarkiverse.mcp.server.ToolResponse;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * {@code memory_search}: the caller's memories closest in meaning to a query (ranked by similarity × usefulness), as
 * {@code POST /v1/memory/search} finds them for the same API key — never another key's.
 */
@ApplicationScoped
public class MemorySearchTool implements McpTool {

    private final MemoryTools memory;

    public MemorySearchTool(MemoryTools memory) {
        this.memory = memory;
    }

    @Override
    public String name() {
        return "memory_search";
    }

    @Override
    public String description() {
        return "Search what Echelon remembers for you (past exchanges and notes stored with memory_store) by meaning. "
                + "Returns the closest memories with their similarity (cosine, -1..1) and rank score.";
    }

    @Override
    public ObjectNode inputSchema() {
        ObjectNode s = JsonNodeFactory.instance.objectNode().put("type", "object");
        ObjectNode p = s.putObject("properties");
        p.putObject("query").put("type", "string").put("minLength", 1).put("description", "What to look for.");
        p.putObject("k").put("type", "integer").put("minimum", 1).put("maximum", 50)
                .put("description", "How many memories at most (default 5).");
        p.putObject("min_similarity").put("type", "number").put("minimum", -1).put("maximum", 1)
                .put("description", "Leave out memories less similar than this (default: none left out).");
        s.putArray("required").add("query");
        s.put("additionalProperties", false);
        return s;
    }

    @Override
    public ToolResponse call(McpCall call) {
        ObjectNode out = JsonNodeFactory.instance.objectNode();
        ArrayNode data = out.putArray("data");
        for (Recalled r : memory.service().search(call.principal(), call.string("query"), call.integer("k", 5),
                call.number("min_similarity", -1.0))) {
            data.add(MemoryJson.of(r));
        }
        return ToolResponse.success(out.toPrettyString());
    }
}
