package dev.echelon.mcp;

import dev.echelon.api.OpenAiRoutes;
import io.quarkiverse.mcp.server.InitialRequest;
import io.quarkiverse.mcp.server.McpConnection;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Which API key each MCP session belongs to. Every HTTP request to {@code /mcp} is authenticated like {@code /v1}
 * (OpenAiRoutes); the key that opens a session (the {@code initialize} request, whose response carries the new
 * {@code Mcp-Session-Id}) owns it, and a request with another key on that session is refused — a session id alone
 * grants nothing. Tools read the owner through {@link #principal(McpConnection)}, so memory is scoped per key exactly
 * as over {@code /v1}. Over stdio there are no keys: whoever started the process is the one local user.
 */
@ApplicationScoped
public class McpSessions {

    static final String SESSION_HEADER = "Mcp-Session-Id";
    static final String LOCAL_PRINCIPAL = "anonymous";
    private static final String MESSAGES = "/mcp/messages/";
    /** Sessions remembered; the oldest is forgotten beyond this (its client re-initialises on 404). */
    private static final int MAX_SESSIONS = 10_000;

    private final Map<String, String> owners = Collections.synchronizedMap(new LinkedHashMap<>(64, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, String> eldest) {
            return size() > MAX_SESSIONS;
        }
    });

    void register(@Observes Router web) {
        // after OpenAiRoutes' authentication (order -100), before the MCP transport's own routes
        web.route("/mcp/*").order(-90).handler(this::bind);
    }

    private void bind(RoutingContext rc) {
        String principal = rc.get(OpenAiRoutes.PRINCIPAL);
        String session = sessionOf(rc);
        if (session == null) {
            rc.addHeadersEndHandler(v -> {
                String opened = rc.response().headers().get(SESSION_HEADER);
                if (opened != null && principal != null) {
                    owners.put(opened, principal);
                }
            });
            rc.next();
            return;
        }
        String owner = principal == null ? null : owners.putIfAbsent(session, principal); // SSE: bound by its first message
        if (owner != null && !owner.equals(principal)) {
            rc.response().setStatusCode(404).putHeader("Content-Type", "application/json")
                    .end("{\"jsonrpc\":\"2.0\",\"error\":{\"code\":-32001,\"message\":\"MCP session not found for "
                            + "this API key\"}}");
            return;
        }
        if (rc.request().method() == HttpMethod.DELETE) {
            rc.addEndHandler(v -> owners.remove(session));
        }
        rc.next();
    }

    /**
     * The session a request belongs to: the Streamable HTTP header, or — for the older HTTP+SSE transport — the
     * connection id in the message endpoint's path ({@code /mcp/messages/ID}).
     */
    private static String sessionOf(RoutingContext rc) {
        String header = rc.request().getHeader(SESSION_HEADER);
        if (header != null) {
            return header;
        }
        String path = rc.normalizedPath();
        int at = path.indexOf(MESSAGES);
        return at < 0 || at + MESSAGES.length() >= path.length() ? null : path.substring(at + MESSAGES.length());
    }

    /** Who is calling on {@code connection}; empty for an HTTP session no authenticated request opened. */
    public Optional<String> principal(McpConnection connection) {
        InitialRequest init = connection.initialRequest();
        if (init != null && init.transport() == InitialRequest.Transport.STDIO) {
            return Optional.of(LOCAL_PRINCIPAL);
        }
        return Optional.ofNullable(owners.get(connection.id()));
    }
}
