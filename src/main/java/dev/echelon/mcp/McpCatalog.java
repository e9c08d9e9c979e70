package dev.echelon.mcp;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.echelon.tools.ArgumentCheck;
import dev.echelon.tools.ToolRegistry;
import io.quarkiverse.mcp.server.InitialCheck;
import io.quarkiverse.mcp.server.InitialRequest;
import io.quarkiverse.mcp.server.ResourceManager;
import io.quarkiverse.mcp.server.ResourceResponse;
import io.quarkiverse.mcp.server.TextResourceContents;
import io.quarkiverse.mcp.server.ToolManager;
import io.quarkiverse.mcp.server.ToolResponse;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Instance;
import org.jboss.logging.Logger;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Puts Echelon's MCP tools and resources on the MCP server (Streamable HTTP at {@code /mcp}, and stdio when the jar
 * runs as {@code mcp/echelon-mcp}), programmatically, so each tool's schema is the one written beside it and the
 * same checker that guards the server-side tool loop ({@link ArgumentCheck}) checks every call. Whatever goes wrong
 * in a call — bad arguments, a refused request, an unexpected exception — is answered as a tool error with a clear
 * message ({@code isError: true}); the protocol never sees it, and no stack trace leaves the server.
 */
@ApplicationScoped
public class McpCatalog implements InitialCheck {

    private static final Logger LOG = Logger.getLogger(McpCatalog.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final ToolManager tools;
    private final ResourceManager resources;
    private final Instance<McpTool> toolBeans;
    private final Instance<McpResource> resourceBeans;
    private final McpSessions sessions;
    private final ToolRegistry serverTools;
    private final CompletableFuture<InitialCheck.CheckResult> registered = new CompletableFuture<>();

    public McpCatalog(ToolManager tools, ResourceManager resources, Instance<McpTool> toolBeans,
            Instance<McpResource> resourceBeans, McpSessions sessions, ToolRegistry serverTools) {
        this.serverTools = serverTools;
        this.tools = tools;
        this.resources = resources;
        this.toolBeans = toolBeans;
        this.resourceBeans = resourceBeans;
        this.sessions = sessions;
    }

    void register(@Observes StartupEvent start) {
        List<McpTool> all = new ArrayList<>(toolBeans.stream().toList());
        if (serverTools.enabled()) { // the model-facing tools (run_code, web_fetch), for agents too
            serverTools.names().forEach(n -> all.add(new ServerTool(serverTools.tool(n).orElseThrow(), serverTools)));
        }
        all.sort(Comparator.comparing(McpTool::name));
        for (McpTool tool : all) {
            tools.newTool(tool.name()).setDescription(tool.description())
                    .setInputSchema(JSON.convertValue(tool.inputSchema(), Map.class))
                    .setAsyncHandler(args -> Uni.createFrom().item(() -> call(tool, args))
                            .runSubscriptionOn(Infrastructure.getDefaultWorkerPool()))
                    .register();
        }
        List<McpResource> res = resourceBeans.stream().sorted(Comparator.comparing(McpResource::uri)).toList();
        for (McpResource r : res) {
            resources.newResource(r.name()).setUri(r.uri()).setDescription(r.description())
                    .setMimeType("application/json")
                    .setAsyncHandler(args -> Uni.createFrom().item(() -> new ResourceResponse(List.of(
                                    TextResourceContents.create(r.uri(), r.read().get().toPrettyString()))))
                            .runSubscriptionOn(Infrastructure.getDefaultWorkerPool()))
                    .register();
        }
        registered.complete(InitialCheck.CheckResult.SUCCESS);
        LOG.infof("MCP: %d tools (%s), %d resources", all.size(), String.join(", ", all.stream()
                .map(McpTool::name).toList()), res.size());
    }

    /**
     * A client's {@code initialize} is answered once every tool and resource is registered: the stdio transport reads
     * its first message while the application is still starting, and a client that lists tools at once must not see
     * an empty list.
     */
    @Override
    public Uni<InitialCheck.CheckResult> perform(InitialRequest request) {
        return Uni.createFrom().completionStage(registered);
    }

    private ToolResponse call(McpTool tool, ToolManager.ToolArguments args) {
        String requestId = "mcp_" + Long.toHexString(ThreadLocalRandom.current().nextLong() & Long.MAX_VALUE);
        try {
            String principal = sessions.principal(args.connection()).orElseThrow(() -> new McpToolFailure(
                    "This MCP session was not opened with an accepted API key; initialize it again."));
            ObjectNode arguments = toJson(args.args());
            var problem = ArgumentCheck.problem(tool.inputSchema(), arguments);
            if (problem.isPresent()) {
                return ToolResponse.error("Invalid arguments for " + tool.name() + ": " + problem.get() + ".");
            }
            return tool.call(new McpCall(arguments, principal, requestId));
        } catch (McpToolFailure e) {
            return ToolResponse.error(e.getMessage());
        } catch (RuntimeException e) {
            LOG.errorf(e, "[%s] MCP tool %s failed", requestId, tool.name());
            return ToolResponse.error(tool.name() + " failed inside Echelon; the request id is " + requestId + ".");
        }
    }

    /** The arguments as Jackson sees JSON: the transport hands over Vert.x JSON types inside plain maps. */
    static ObjectNode toJson(Map<String, Object> args) {
        return JSON.valueToTree(plain(args == null ? Map.of() : args));
    }

    private static Object plain(Object v) {
        if (v instanceof JsonObject o) {
            return plain(o.getMap());
        }
        if (v instanceof JsonArray a) {
            return plain(a.getList());
        }
        if (v instanceof Map<?, ?> m) {
            Map<String, Object> out = new LinkedHashMap<>();
            m.forEach((k, x) -> out.put(String.valueOf(k), plain(x)));
            return out;
        }
        if (v instanceof Collection<?> c) {
            List<Object> out = new ArrayList<>();
            c.forEach(x -> out.add(plain(x)));
            return out;
        }
        return v;
    }


}
