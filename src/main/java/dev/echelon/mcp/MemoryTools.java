package dev.echelon.mcp;

import dev.echelon.memory.MemoryRuntime;
import dev.echelon.memory.MemoryService;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Instance;

/** The memory service for MCP's memory tools, or a tool error saying why there is none. */
@ApplicationScoped
public class MemoryTools {

    private final Instance<MemoryRuntime> memory; // built with the request path, off the startup thread

    public MemoryTools(Instance<MemoryRuntime> memory) {
        this.memory = memory;
    }

    MemoryService service() {
        return memory.get().require(McpToolFailure::new);
    }
}
