package dev.echelon.tools;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.echelon.config.EchelonConfig;
import dev.echelon.registry.ModelRegistry;
import dev.echelon.registry.RoleSpec;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Any;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

/**
 * Every server-side {@link Tool} bean, which of them each role may use (model_registry.yaml
 * {@code roles.<role>.tools}), and the one way a tool is called: arguments parsed and checked against the tool's
 * schema first, every failure turned into a {@link ToolResult} the model can read, each call counted in
 * {@code echelon_tool_calls_total{tool,outcome}}.
 */
@ApplicationScoped
public class ToolRegistry {

    private static final Logger LOG = Logger.getLogger(ToolRegistry.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Map<String, Tool> tools;
    private final Map<String, List<Tool>> byRole;
    private final boolean enabled;
    private final int maxRounds;
    private final MeterRegistry metrics;

    @Inject
    public ToolRegistry(@Any Instance<Tool> beans, ModelRegistry registry, EchelonConfig config,
            MeterRegistry metrics) {
        this(beans.stream().toList(), allowLists(registry), config.tools().enabled(), config.tools().maxRounds(),
                metrics);
    }

    /**
     * @param allowed   tool names per role; a name that no tool has is a programming error here (the registry
     *                  loader reports it with file and key path first)
     * @param enabled   false offers no tool to any role ({@code ORCHESTRATOR_TOOLS_ENABLED=false})
     * @param maxRounds most rounds of server tool calls one request may run
     */
    public ToolRegistry(List<Tool> tools, Map<String, List<String>> allowed, boolean enabled, int maxRounds,
            MeterRegistry metrics) {
        if (maxRounds < 1) {
            throw new IllegalArgumentException("max rounds must be at least 1 (was " + maxRounds + ")");
        }
        Map<String, Tool> byName = new TreeMap<>();
        for (Tool t : tools) {
            Tool previous = byName.put(t.name(), t);
            if (previous != null) {
                throw new IllegalStateException("two tools are named '" + t.name() + "': "
                        + previous.getClass().getName() + " and " + t.getClass().getName());
            }
        }
        this.tools = java.util.Collections.unmodifiableMap(byName);
        Map<String, List<Tool>> roles = new LinkedHashMap<>();
        allowed.forEach((role, names) -> {
            List<Tool> list = new ArrayList<>();
            for (String n : names) {
                Tool t = byName.get(n);
                if (t == null) {
                    throw new IllegalArgumentException("role '" + role + "' allows unknown tool '" + n + "' (tools: "
                            + String.join(", ", byName.keySet()) + ")");
                }
                list.add(t);
            }
            roles.put(role, List.copyOf(list));
        });
        this.byRole = Map.copyOf(roles);
        this.enabled = enabled;
        this.maxRounds = maxRounds;
        this.metrics = metrics;
    }

    /** No tools at all: what a pipeline assembled without them uses. */
    public static ToolRegistry none() {
        return new ToolRegistry(List.of(), Map.of(), false, 1, new SimpleMeterRegistry());
    }

    private static Map<String, List<String>> allowLists(ModelRegistry registry) {
        Map<String, List<String>> out = new LinkedHashMap<>();
        for (RoleSpec r : registry.roles().values()) {
            out.put(r.name(), r.tools());
        }
        return out;
    }

    /** The tools {@code role} may call, in its allow list's order; none when tools are turned off. */
    public List<Tool> allowedFor(String role) {
        return enabled ? byRole.getOrDefault(role, List.of()) : List.of();
    }

    public Optional<Tool> tool(String name) {
        return Optional.ofNullable(tools.get(name));
    }

    /** Every tool's name, sorted. */
    public java.util.Set<String> names() {
        return tools.keySet();
    }

    public boolean enabled() {
        return enabled;
    }

    public int maxRounds() {
        return maxRounds;
    }

    /** The OpenAI {@code tools} entry of a tool: {@code {"type":"function","function":{name, description, parameters}}}. */
    public static ObjectNode definition(Tool tool) {
        ObjectNode d = JsonNodeFactory.instance.objectNode().put("type", "function");
        d.putObject("function").put("name", tool.name()).put("description", tool.description())
                .set("parameters", tool.parameters());
        return d;
    }

    /**
     * Calls {@code tool} with the model's raw {@code function.arguments} text. Malformed or invalid arguments, a
     * tool that throws, a tool not allowed — each becomes an error result that names what is wrong, for the model.
     */
    public ToolResult call(Tool tool, String rawArguments, ToolContext context) {
        long start = System.nanoTime();
        ToolResult result;
        Optional<String> bad;
        JsonNode args = null;
        try {
            args = rawArguments == null || rawArguments.isBlank() ? JSON.createObjectNode() : JSON.readTree(rawArguments);
            bad = args.isObject() ? ArgumentCheck.problem(tool.parameters(), args)
                    : Optional.of("function.arguments must be a JSON object (was " + ArgumentCheck.describe(args) + ")");
        } catch (JsonProcessingException e) {
            bad = Optional.of("function.arguments is not valid JSON (" + e.getOriginalMessage() + ")");
        }
        if (bad.isPresent()) {
            result = ToolResult.error(tool.name() + " was not run: " + bad.get()
                    + ". Call it again with arguments that match its parameters.");
        } else {
            try {
                result = tool.call((ObjectNode) args, context);
            } catch (RuntimeException e) {
                LOG.warnf(e, "[%s] tool %s failed", context.requestId(), tool.name());
                result = ToolResult.error(tool.name() + " failed: " + e.getMessage());
            }
        }
        metrics.counter("echelon.tool.calls", "tool", tool.name(), "outcome", result.outcomeTag()).increment();
        metrics.timer("echelon.tool.duration", "tool", tool.name())
                .record(System.nanoTime() - start, TimeUnit.NANOSECONDS);
        return result;
    }

    /** A list of tool definitions as an OpenAI {@code tools} array. */
    public static ArrayNode definitions(List<Tool> list) {
        ArrayNode out = JsonNodeFactory.instance.arrayNode();
        list.forEach(t -> out.add(definition(t)));
        return out;
    }
}
