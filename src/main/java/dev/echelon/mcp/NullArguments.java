package dev.echelon.mcp;

import dev.echelon.config.EchelonConfig;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import io.vertx.ext.web.impl.RoutingContextInternal;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

/**
 * Treats a tool argument sent as JSON {@code null} as an argument not sent. Agents often spell an optional argument
 * they do not use as {@code null}, and the MCP extension (1.10.1) copies a call's arguments into an immutable map,
 * which refuses null values: the call would end in a JSON-RPC internal error instead of a result. Dropping the nulls
 * from {@code tools/call} messages before the transport reads them lets the tool's schema check answer instead — an
 * optional argument is then simply absent, a required one is reported missing, by name, as a tool error.
 */
@ApplicationScoped
public class NullArguments {

    private static final String MCP_POSTS = "/mcp(/messages/.*)?";

    private final long maxBodyBytes;

    public NullArguments(EchelonConfig config) {
        this.maxBodyBytes = config.api().maxBodyBytes();
    }

    void register(@Observes Router web) {
        web.postWithRegex(MCP_POSTS).order(-86).handler(BodyHandler.create().setBodyLimit(maxBodyBytes));
        web.postWithRegex(MCP_POSTS).order(-85).handler(this::dropNulls);
    }

    private void dropNulls(RoutingContext rc) {
        Buffer body = rc.body().buffer();
        if (body != null && body.toString().contains("null")) {
            try {
                Object message = Json.decodeValue(body);
                if (strip(message)) {
                    ((RoutingContextInternal) rc).setBody(Json.encodeToBuffer(message));
                }
            } catch (DecodeException e) {
                // not JSON: the transport answers it with its own parse error
            }
        }
        rc.next();
    }

    /** Removes null-valued arguments of every {@code tools/call} in a message or a batch; true when any was removed. */
    static boolean strip(Object message) {
        if (message instanceof JsonArray batch) {
            boolean changed = false;
            for (Object m : batch) {
                changed |= strip(m);
            }
            return changed;
        }
        if (message instanceof JsonObject m && "tools/call".equals(m.getValue("method"))
                && m.getValue("params") instanceof JsonObject params
                && params.getValue("arguments") instanceof JsonObject arguments) {
            return arguments.getMap().values().removeIf(v -> v == null);
        }
        return false;
    }
}
