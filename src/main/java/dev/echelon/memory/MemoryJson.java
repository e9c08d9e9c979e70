package dev.echelon.memory;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

/** How a memory looks to a client, the same over {@code /v1/memory} and MCP: never its vector or its scope. */
public final class MemoryJson {

    private MemoryJson() {
    }

    public static ObjectNode of(Memory m) {
        ObjectNode n = JsonNodeFactory.instance.objectNode().put("id", m.id()).put("object", "memory")
                .put("text", m.text()).put("created", m.created().getEpochSecond())
                .put("usefulness", round(m.usefulness()));
        n.put("session", m.session());
        n.put("role", m.role());
        n.put("outcome", m.outcome());
        return n;
    }

    /** A search hit: the memory, its similarity to the query and its rank score (similarity × usefulness). */
    public static ObjectNode of(Recalled r) {
        return of(r.memory()).put("similarity", round(r.similarity())).put("score", round(r.score()));
    }

    static double round(double x) {
        return Math.round(x * 10_000) / 10_000.0;
    }
}
