package dev.echelon.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.echelon.config.EchelonConfig;
import dev.echelon.memory.MemoryJson;
import dev.echelon.memory.MemoryRuntime;
import dev.echelon.memory.MemoryService;
import dev.echelon.memory.Recalled;
import dev.echelon.pipeline.Rejection;
import dev.echelon.pipeline.RequestContext;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Instance;
import org.jboss.logging.Logger;

import java.util.concurrent.Callable;
import java.util.concurrent.CompletionStage;
import java.util.function.BiFunction;

/**
 * {@code /v1/memory}: what Echelon remembers for the calling API key — list, read, store, search, rate, delete one or
 * all — and {@code POST /admin/memory/purge}, retention applied now. Every call sees only the caller's own memories:
 * the scope is the key's digest, and a memory of another key is answered exactly like one that does not exist.
 * Searches embed the query (milliseconds of CPU) and writes wait for durability, so both run off the event loop.
 */
@ApplicationScoped
public class MemoryRoutes {

    private static final Logger LOG = Logger.getLogger(MemoryRoutes.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int MAX_LIST = 1000;
    private static final int MAX_K = 100;

    private final EchelonConfig config;
    private final Vertx vertx;
    private final Instance<MemoryRuntime> memory; // built with the request path, off the startup thread

    public MemoryRoutes(EchelonConfig config, Vertx vertx, Instance<MemoryRuntime> memory) {
        this.config = config;
        this.vertx = vertx;
        this.memory = memory;
    }

    void register(@Observes io.vertx.ext.web.Router web) {
        web.get("/v1/memory").handler(guarded(this::list));
        web.post("/v1/memory").handler(rc -> withBody(rc, (body, ctx) -> store(rc, body, ctx)));
        web.delete("/v1/memory").handler(guarded(this::deleteAll));
        web.post("/v1/memory/search").handler(rc -> withBody(rc, (body, ctx) -> search(rc, body, ctx)));
        web.get("/v1/memory/:id").handler(guarded(this::get));
        web.delete("/v1/memory/:id").handler(guarded(this::delete));
        web.post("/v1/memory/:id/feedback").handler(rc -> withBody(rc, (body, ctx) -> feedback(rc, body, ctx)));
        web.route("/v1/memory").handler(rc -> notAllowed(rc, "GET, POST, DELETE"));
        web.route("/v1/memory/:id").handler(rc -> notAllowed(rc, "GET, DELETE"));
        web.post("/admin/memory/purge").handler(guarded(this::purge));
    }

    /** A handler whose synchronous rejections (a bad id, memory turned off) become error responses. */
    private io.vertx.core.Handler<RoutingContext> guarded(io.vertx.core.Handler<RoutingContext> handler) {
        return rc -> {
            try {
                handler.handle(rc);
            } catch (RuntimeException e) {
                fail(rc, e);
            }
        };
    }

    // ------------------------------------------------------------------ handlers

    private void list(RoutingContext rc) {
        RequestContext ctx = OpenAiRoutes.context(rc);
        int limit = intParam(rc, "limit", 20, 1, MAX_LIST);
        int offset = intParam(rc, "offset", 0, 0, Integer.MAX_VALUE);
        blocking(rc, () -> {
            MemoryService m = service();
            ObjectNode out = JSON.createObjectNode().put("object", "list");
            ArrayNode data = out.putArray("data");
            m.list(ctx.principal(), limit, offset).forEach(x -> data.add(MemoryJson.of(x)));
            out.put("total", m.count(ctx.principal())).put("limit", limit).put("offset", offset);
            return out;
        });
    }

    private void get(RoutingContext rc) {
        RequestContext ctx = OpenAiRoutes.context(rc);
        long id = idParam(rc);
        blocking(rc, () -> MemoryJson.of(service().get(ctx.principal(), id).orElseThrow(() -> missing(id))));
    }

    private void store(RoutingContext rc, ObjectNode body, RequestContext ctx) {
        String text = Fields.requireString(body, "text", "text").strip();
        if (text.isEmpty()) {
            throw Rejection.invalid("text", "'text' must not be empty.");
        }
        if (text.length() > MemoryService.MAX_TEXT_CHARS) {
            throw Rejection.invalid("text", "string_above_max_length", "'text' is longer than "
                    + MemoryService.MAX_TEXT_CHARS + " characters; store a summary instead.");
        }
        Fields.optionalString(body, "session", "session");
        String session = body.path("session").asText(null);
        MemoryService m = service();
        // acknowledged (201) only once the store has made it durable
        reply(rc, m.remember(ctx.principal(), session, "client", text, null), (memoryRow, response) -> {
            response.setStatusCode(201);
            return MemoryJson.of(memoryRow);
        });
    }

    private void search(RoutingContext rc, ObjectNode body, RequestContext ctx) {
        String query = Fields.requireString(body, "query", "query");
        if (query.isBlank()) {
            throw Rejection.invalid("query", "'query' must not be empty.");
        }
        int k = intField(body, "k", 5, 1, MAX_K);
        double min = numberField(body, "min_similarity", -1.0, -1.0, 1.0);
        blocking(rc, () -> {
            ObjectNode out = JSON.createObjectNode().put("object", "list");
            ArrayNode data = out.putArray("data");
            for (Recalled r : service().search(ctx.principal(), query, k, min)) {
                data.add(MemoryJson.of(r));
            }
            return out;
        });
    }

    private void feedback(RoutingContext rc, ObjectNode body, RequestContext ctx) {
        long id = idParam(rc);
        double reward = numberField(body, "reward", Double.NaN, 0.0, 1.0);
        if (Double.isNaN(reward)) {
            throw Fields.missing("reward");
        }
        blocking(rc, () -> {
            double q = service().reward(ctx.principal(), id, reward).orElseThrow(() -> missing(id));
            return JSON.createObjectNode().put("id", id).put("object", "memory.feedback").put("usefulness", round(q));
        });
    }

    private void delete(RoutingContext rc) {
        RequestContext ctx = OpenAiRoutes.context(rc);
        long id = idParam(rc);
        reply(rc, service().delete(ctx.principal(), id), (deleted, response) -> {
            if (!deleted) {
                throw missing(id);
            }
            return JSON.createObjectNode().put("id", id).put("object", "memory.deleted").put("deleted", true);
        });
    }

    private void deleteAll(RoutingContext rc) {
        RequestContext ctx = OpenAiRoutes.context(rc);
        reply(rc, service().deleteAll(ctx.principal()), (n, response) -> JSON.createObjectNode()
                .put("object", "memory.deleted").put("deleted", n));
    }

    private void purge(RoutingContext rc) {
        reply(rc, service().purge(), (n, response) -> JSON.createObjectNode().put("object", "memory.purge")
                .put("purged", n).put("retention_days", config.memory().retentionDays())
                .put("max_per_key", config.memory().maxPerKey()));
    }

    // ------------------------------------------------------------------ helpers

    private MemoryService service() {
        return memory.get().require(Rejection::notFound);
    }

    private void withBody(RoutingContext rc, java.util.function.BiConsumer<ObjectNode, RequestContext> next) {
        JsonBodies.read(rc, config.api().maxBodyBytes(), OpenAiRoutes.context(rc), next);
    }

    private void blocking(RoutingContext rc, Callable<ObjectNode> work) {
        vertx.<ObjectNode>executeBlocking(work, false).onComplete(ar -> {
            if (ar.succeeded()) {
                send(rc.response(), ar.result());
            } else {
                fail(rc, ar.cause());
            }
        });
    }

    private <T> void reply(RoutingContext rc, CompletionStage<T> pending,
            BiFunction<T, HttpServerResponse, ObjectNode> render) {
        io.vertx.core.Context context = vertx.getOrCreateContext();
        pending.whenComplete((value, error) -> context.runOnContext(v -> {
            if (error != null) {
                fail(rc, error);
                return;
            }
            try {
                send(rc.response(), render.apply(value, rc.response()));
            } catch (RuntimeException e) {
                fail(rc, e);
            }
        }));
    }

    private void fail(RoutingContext rc, Throwable error) {
        Throwable cause = error instanceof java.util.concurrent.CompletionException && error.getCause() != null
                ? error.getCause() : error;
        if (cause instanceof Rejection r) {
            ApiErrors.send(rc.response(), r);
            return;
        }
        String requestId = OpenAiRoutes.context(rc).requestId();
        LOG.errorf(cause, "[%s] %s %s failed", requestId, rc.request().method(), rc.request().path());
        ApiErrors.send(rc.response(), Rejection.backend(500, "server_error", "internal_error",
                "Memory operation failed; the request id is " + requestId, cause));
    }

    private static void notAllowed(RoutingContext rc, String allow) {
        if (rc.request().method() == HttpMethod.OPTIONS) {
            rc.next();
            return;
        }
        rc.response().putHeader("Allow", allow);
        ApiErrors.send(rc.response(), Rejection.backend(405, "invalid_request_error", "method_not_allowed",
                "Method " + rc.request().method() + " is not allowed on " + rc.request().path(), null));
    }

    private static void send(HttpServerResponse response, ObjectNode body) {
        if (!response.ended()) {
            response.putHeader("Content-Type", "application/json").end(body.toString());
        }
    }

    /** A bound as a person writes it: 100, not 100.0. */
    private static String plain(double x) {
        return x == Math.rint(x) ? Long.toString((long) x) : Double.toString(x);
    }

    private static double round(double x) {
        return Math.round(x * 10_000) / 10_000.0;
    }

    private static Rejection missing(long id) {
        return Rejection.notFound("No memory with id " + id + " for this key.");
    }

    private static long idParam(RoutingContext rc) {
        String raw = rc.pathParam("id");
        try {
            return Long.parseLong(raw);
        } catch (NumberFormatException e) {
            throw Rejection.invalid("id", "The memory id must be an integer (was '" + raw + "').");
        }
    }

    private static int intParam(RoutingContext rc, String name, int fallback, int min, int max) {
        String raw = rc.request().getParam(name);
        if (raw == null || raw.isBlank()) {
            return fallback;
        }
        try {
            int v = Integer.parseInt(raw.trim());
            if (v < min || v > max) {
                throw new NumberFormatException();
            }
            return v;
        } catch (NumberFormatException e) {
            throw Rejection.invalid(name, "'" + name + "' must be an integer from " + min + " to " + max + " (was '"
                    + raw + "').");
        }
    }

    private static int intField(JsonNode body, String field, int fallback, int min, int max) {
        JsonNode n = body.get(field);
        if (Fields.present(n) && !n.isIntegralNumber()) {
            throw Fields.wrongType(field, "an integer", n);
        }
        return (int) numberField(body, field, fallback, min, max);
    }

    private static double numberField(JsonNode body, String field, double fallback, double min, double max) {
        JsonNode n = body.get(field);
        if (!Fields.present(n)) {
            return fallback;
        }
        if (!n.isNumber()) {
            throw Fields.wrongType(field, "a number", n);
        }
        double v = n.asDouble();
        if (!(v >= min && v <= max)) {
            throw Rejection.invalid(field, "'" + field + "' must be from " + plain(min) + " to " + plain(max)
                    + " (was " + n.asText() + ").");
        }
        return v;
    }
}
