package dev.echelon.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.echelon.backend.InstancePool;
import dev.echelon.config.EchelonConfig;
import dev.echelon.memory.EmbeddingService;
import dev.echelon.memory.MemoryMode;
import dev.echelon.memory.MemoryRuntime;
import dev.echelon.observe.RequestMdc;
import dev.echelon.pipeline.Endpoint;
import dev.echelon.pipeline.Execution;
import dev.echelon.pipeline.GenerationCall;
import dev.echelon.pipeline.Pipeline;
import dev.echelon.pipeline.Rejection;
import dev.echelon.pipeline.RequestContext;
import dev.echelon.registry.ModelRegistry;
import dev.echelon.registry.RoleKind;
import dev.echelon.registry.RoleSpec;
import dev.echelon.registry.Tier;
import dev.echelon.routing.Router;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Instance;
import org.jboss.logging.Logger;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.BiConsumer;
import java.util.regex.Pattern;

/**
 * The OpenAI-compatible API on Vert.x routes: {@code /v1/models}, {@code /v1/chat/completions},
 * {@code /v1/completions}, {@code /v1/embeddings}, plus bearer-key checks on {@code /v1} and {@code /admin}.
 * Raw routes rather than JAX-RS because a stream must be written event by event with full control of headers,
 * keep-alives and client disconnects, and because the added latency per request must stay under a millisecond.
 */
@ApplicationScoped
public class OpenAiRoutes {

    private static final Logger LOG = Logger.getLogger(OpenAiRoutes.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern SAFE_REQUEST_ID = Pattern.compile("[A-Za-z0-9._:-]{1,128}");
    /** The routing-context key under which the authenticated principal is kept (also read by the MCP transport). */
    public static final String PRINCIPAL = "echelon.principal";
    static final String REQUEST_ID = "echelon.request-id";
    /** The catch-all's place: after every route any class registers (Vert.x orders routes by this number). */
    static final int NOT_FOUND_ORDER = 100_000;

    private final EchelonConfig config;
    private final Vertx vertx;
    private final Instance<Pipeline> pipeline;
    private final Instance<Router> router;
    private final Instance<ModelRegistry> registry;
    private final Instance<InstancePool> pool;
    private final EmbeddingService embeddings;
    private final Instance<dev.echelon.pipeline.ComplexityTaskRouter> taskRouter;
    private final Instance<dev.echelon.pipeline.RecentOutcomes> outcomes;
    private final Instance<MemoryRuntime> memory;
    private final ApiKeys apiKeys;
    private final ApiKeys adminKeys;
    private final long created = System.currentTimeMillis() / 1000;

    public OpenAiRoutes(EchelonConfig config, Vertx vertx, Instance<Pipeline> pipeline, Instance<Router> router,
            Instance<ModelRegistry> registry, Instance<InstancePool> pool, EmbeddingService embeddings,
            Instance<dev.echelon.pipeline.ComplexityTaskRouter> taskRouter,
            Instance<dev.echelon.pipeline.RecentOutcomes> outcomes, Instance<MemoryRuntime> memory) {
        this.taskRouter = taskRouter;
        this.memory = memory;
        this.outcomes = outcomes;
        this.config = config;
        this.vertx = vertx;
        this.pipeline = pipeline;
        this.router = router;
        this.registry = registry;
        this.pool = pool;
        this.embeddings = embeddings;
        this.apiKeys = new ApiKeys(config.apiKeys());
        this.adminKeys = new ApiKeys(config.adminKeys());
    }

    void register(@Observes io.vertx.ext.web.Router web) {
        web.route("/v1/*").order(-100).handler(rc -> authenticate(rc, apiKeys));
        web.route("/admin/*").order(-100).handler(rc -> authenticate(rc, adminKeys.enabled() ? adminKeys : apiKeys));
        web.route("/mcp/*").order(-100).handler(rc -> authenticate(rc, apiKeys)); // MCP: the same keys as /v1
        web.get("/v1/models").handler(this::listModels);
        web.get("/v1/models/:id").handler(this::getModel);
        web.post("/v1/chat/completions").handler(rc -> withBody(rc, (body, ctx) -> generate(rc, body, ctx,
                Endpoint.CHAT)));
        web.post("/v1/completions").handler(rc -> withBody(rc, (body, ctx) -> generate(rc, body, ctx,
                Endpoint.COMPLETIONS)));
        web.post("/v1/embeddings").handler(rc -> withBody(rc, (body, ctx) -> embed(rc, body, ctx)));
        web.post("/v1/feedback").handler(rc -> withBody(rc, (body, ctx) -> feedback(rc, body, ctx)));
        web.get("/admin/route-explain").handler(this::routeExplain);
        web.route("/v1/*").order(NOT_FOUND_ORDER).handler(this::notFound); // after every other class's /v1 routes
    }

    // ------------------------------------------------------------------ authentication and request ids

    private void authenticate(RoutingContext rc, ApiKeys keys) {
        String requestId = requestId(rc.request().getHeader("X-Request-Id"));
        rc.put(REQUEST_ID, requestId);
        rc.response().putHeader("X-Request-Id", requestId);
        // on the request's own (duplicated) Vert.x context: its handlers and blocking workers log with the id
        RequestMdc.enter(requestId);
        rc.addEndHandler(v -> RequestMdc.leave());
        if (!keys.enabled()) {
            rc.put(PRINCIPAL, "anonymous");
            rc.next();
            return;
        }
        String header = rc.request().getHeader("Authorization");
        if (header == null || header.isBlank()) {
            ApiErrors.send(rc.response(), Rejection.unauthorized("Missing bearer authentication in the "
                    + "Authorization header (Authorization: Bearer YOUR_KEY)."));
            return;
        }
        if (!header.regionMatches(true, 0, "Bearer ", 0, 7)) {
            ApiErrors.send(rc.response(), Rejection.unauthorized("The Authorization header must use the Bearer "
                    + "scheme (Authorization: Bearer YOUR_KEY)."));
            return;
        }
        var principal = keys.check(header.substring(7).trim());
        if (principal.isEmpty()) {
            ApiErrors.send(rc.response(), Rejection.unauthorized("Incorrect API key provided."));
            return;
        }
        rc.put(PRINCIPAL, principal.get());
        rc.next();
    }

    /** The client's X-Request-Id when it is safe to echo and log; otherwise a new one. */
    static String requestId(String offered) {
        if (offered != null && SAFE_REQUEST_ID.matcher(offered).matches()) {
            return offered;
        }
        return "req_" + Long.toHexString(ThreadLocalRandom.current().nextLong() & Long.MAX_VALUE);
    }

    static RequestContext context(RoutingContext rc) {
        String id = rc.get(REQUEST_ID);
        String principal = rc.get(PRINCIPAL);
        return new RequestContext(id == null ? requestId(null) : id, principal == null ? "anonymous" : principal,
                System.nanoTime());
    }

    // ------------------------------------------------------------------ body handling

    /** Reads the body up to the configured limit (413 beyond it), parses it as a JSON object (400 otherwise). */
    private void withBody(RoutingContext rc, BiConsumer<ObjectNode, RequestContext> next) {
        JsonBodies.read(rc, config.api().maxBodyBytes(), context(rc), next);
    }

    // ------------------------------------------------------------------ generation

    private void generate(RoutingContext rc, ObjectNode body, RequestContext ctx, Endpoint endpoint) {
        ObjectNode valid = endpoint == Endpoint.CHAT ? ChatValidator.validate(body) : CompletionValidator.validate(body);
        boolean stream = valid.path("stream").asBoolean(false);
        MemoryMode memory = MemoryMode.parse(rc.request().getHeader(MemoryMode.HEADER)).orElseThrow(() ->
                Rejection.invalid(MemoryMode.HEADER, "invalid_header", "The " + MemoryMode.HEADER + " header must be "
                        + "one of on, recall, record, off."));
        boolean serverTools = serverTools(rc.request().getHeader(GenerationCall.TOOLS_HEADER));
        GenerationCall call = new GenerationCall(ctx, endpoint, valid.get("model").textValue(), valid, stream,
                Fields.includeUsage(valid), memory, List.of(), serverTools);
        HttpServerResponse response = rc.response();
        HttpExchange exchange = new HttpExchange(vertx, vertx.getOrCreateContext(), response, stream,
                config.api().keepAliveMs());
        if (pipeline.get().blocksToStart(call)) {
            // routing `auto` and memory recall embed the prompt (milliseconds of CPU): off the event loop
            vertx.<Execution>executeBlocking(() -> pipeline.get().execute(call, exchange), false)
                    .onSuccess(execution -> response.closeHandler(v -> execution.cancel()));
            return;
        }
        Execution execution = pipeline.get().execute(call, exchange);
        response.closeHandler(v -> execution.cancel()); // the client went away: stop the backend's work
    }

    /** {@code X-Echelon-Tools}: {@code off} keeps Echelon's own tools out of this request; absent or {@code on}: offered. */
    static boolean serverTools(String header) {
        if (header == null || header.isBlank()) {
            return true;
        }
        return switch (header.trim().toLowerCase(java.util.Locale.ROOT)) {
            case "on", "true", "1" -> true;
            case "off", "false", "0", "none" -> false;
            default -> throw Rejection.invalid(GenerationCall.TOOLS_HEADER, "invalid_header", "The "
                    + GenerationCall.TOOLS_HEADER + " header must be on or off.");
        };
    }

    // ------------------------------------------------------------------ models

    private void listModels(RoutingContext rc) {
        ObjectNode out = JSON.createObjectNode().put("object", "list");
        ArrayNode data = out.putArray("data");
        for (String id : router.get().modelIds()) {
            data.add(model(id));
        }
        registry.get().roles().values().stream().filter(r -> r.kind() == RoleKind.EMBEDDING)
                .forEach(r -> data.add(model(r.name())));
        sendJson(rc.response(), out);
    }

    private void getModel(RoutingContext rc) {
        String id = rc.pathParam("id");
        boolean known = router.get().modelIds().contains(id) || registry.get().role(id)
                .filter(r -> r.kind() == RoleKind.EMBEDDING).isPresent();
        if (!known) {
            ApiErrors.send(rc.response(), Rejection.unknownModel("The model '" + id + "' does not exist."));
            return;
        }
        sendJson(rc.response(), model(id));
    }

    private ObjectNode model(String id) {
        ObjectNode m = JSON.createObjectNode().put("id", id).put("object", "model").put("created", created)
                .put("owned_by", "echelon");
        ObjectNode x = m.putObject("x_echelon");
        ModelRegistry reg = registry.get();
        if (Router.AUTO.equals(id)) {
            x.put("kind", "routed").put("description", "Echelon chooses the role for each request");
            return m;
        }
        for (Tier t : Tier.values()) {
            if (t.modelId().equals(id)) {
                x.put("kind", "tier").put("tier", t.name()).put("description", t.role());
                ArrayNode roles = x.putArray("roles");
                reg.rolesOf(t).stream().filter(RoleSpec::servesUsers).forEach(r -> roles.add(r.name()));
                return m;
            }
        }
        RoleSpec role = reg.requireRole(id);
        x.put("kind", role.kind() == RoleKind.EMBEDDING ? "embedding" : "role").put("tier", role.tier().name())
                .put("description", role.description());
        role.model().ifPresent(model -> x.put("model", model.name()));
        role.inProcess().ifPresent(p -> x.put("model", p).put("in_process", true));
        if (!role.instances().isEmpty()) {
            x.put("status", pool.get().status(id).name().toLowerCase());
        } else if (role.inProcess().isPresent()) {
            x.put("status", "ready");
        }
        return m;
    }

    // ------------------------------------------------------------------ embeddings

    private void embed(RoutingContext rc, ObjectNode body, RequestContext ctx) {
        String model = Fields.requireString(body, "model", "model");
        RoleSpec role = registry.get().role(model).filter(r -> r.kind() == RoleKind.EMBEDDING).orElse(null);
        if (role == null) {
            List<String> names = registry.get().roles().values().stream().filter(r -> r.kind() == RoleKind.EMBEDDING)
                    .map(RoleSpec::name).toList();
            throw Rejection.unknownModel("The embedding model '" + model + "' does not exist. Available: "
                    + String.join(", ", names));
        }
        List<String> inputs = embeddingInputs(body.get("input"));
        String format = body.path("encoding_format").asText("float");
        if (!Set.of("float", "base64").contains(format)) {
            throw Rejection.invalid("encoding_format", "invalid_value", "Invalid value for 'encoding_format': '"
                    + format + "'. Supported values are: 'float' and 'base64'.");
        }
        if (body.has("dimensions") && body.get("dimensions").asInt(-1) != EmbeddingService.DIMENSIONS) {
            throw Rejection.invalid("dimensions", "unsupported_value", "This model produces "
                    + EmbeddingService.DIMENSIONS + " dimensions and cannot shorten them.");
        }
        vertx.<ObjectNode>executeBlocking(() -> {
            EmbeddingService.Embeddings result = embeddings.embed(inputs);
            ObjectNode out = JSON.createObjectNode().put("object", "list");
            ArrayNode data = out.putArray("data");
            for (int i = 0; i < result.vectors().size(); i++) {
                ObjectNode item = data.addObject().put("object", "embedding").put("index", i);
                float[] v = result.vectors().get(i);
                if ("base64".equals(format)) {
                    ByteBuffer buf = ByteBuffer.allocate(v.length * 4).order(ByteOrder.LITTLE_ENDIAN);
                    for (float f : v) {
                        buf.putFloat(f);
                    }
                    item.put("embedding", Base64.getEncoder().encodeToString(buf.array()));
                } else {
                    ArrayNode arr = item.putArray("embedding");
                    for (float f : v) {
                        arr.add(f);
                    }
                }
            }
            out.put("model", model);
            out.putObject("usage").put("prompt_tokens", result.tokens()).put("total_tokens", result.tokens());
            out.putObject("x_echelon").put("request_id", ctx.requestId()).put("role", role.name())
                    .put("tier", role.tier().name()).put("model", EmbeddingService.MODEL_NAME);
            return out;
        }, false).onComplete(ar -> {
            if (ar.succeeded()) {
                sendJson(rc.response(), ar.result());
            } else {
                LOG.errorf(ar.cause(), "[%s] embedding failed", ctx.requestId());
                ApiErrors.send(rc.response(), Rejection.backend(500, "server_error", "internal_error",
                        "Embedding failed; the request id is " + ctx.requestId(), ar.cause()));
            }
        });
    }

    private static List<String> embeddingInputs(JsonNode input) {
        if (!Fields.present(input)) {
            throw Fields.missing("input");
        }
        List<String> out = new ArrayList<>();
        if (input.isTextual()) {
            out.add(input.textValue());
        } else if (input.isArray() && !input.isEmpty()) {
            for (int i = 0; i < input.size(); i++) {
                JsonNode n = input.get(i);
                if (!n.isTextual()) {
                    throw Fields.wrongType("input[" + i + "]", "a string (token-id input is not supported)", n);
                }
                out.add(n.textValue());
            }
        } else {
            throw Fields.wrongType("input", "a string or a non-empty array of strings", input);
        }
        if (out.size() > 2048) {
            throw Rejection.invalid("input", "array_above_max_length", "At most 2048 inputs per request.");
        }
        for (int i = 0; i < out.size(); i++) {
            if (out.get(i).isEmpty()) {
                throw Rejection.invalid("input[" + i + "]", "invalid_value", "Inputs must not be empty strings.");
            }
        }
        return out;
    }

    // ------------------------------------------------------------------ routing: explain and feedback

    /**
     * {@code GET /admin/route-explain?q=PROMPT}: what {@code auto} would do with a one-message request, and why —
     * features, category, difficulty, neighbours, every role's predicted success, cost and expected wait.
     */
    private void routeExplain(RoutingContext rc) {
        String q = rc.request().getParam("q");
        if (q == null || q.isBlank()) {
            ApiErrors.send(rc.response(), Fields.missing("q"));
            return;
        }
        vertx.<ObjectNode>executeBlocking(() -> taskRouter.get().explain(q), false).onComplete(ar -> {
            if (ar.succeeded()) {
                sendJson(rc.response(), ar.result());
            } else {
                LOG.errorf(ar.cause(), "route-explain failed");
                ApiErrors.send(rc.response(), Rejection.backend(500, "server_error", "internal_error",
                        "route-explain failed", ar.cause()));
            }
        });
    }

    /**
     * {@code POST /v1/feedback {"id": request id, "rating": number}}: a user's verdict on an answer. A positive
     * rating counts as a success of the role that answered, in the request's category; a negative one as a failure.
     * Only the key that made the request may rate it.
     */
    private void feedback(RoutingContext rc, ObjectNode body, RequestContext ctx) {
        String id = Fields.requireString(body, "id", "id");
        JsonNode rating = body.get("rating");
        if (!Fields.present(rating)) {
            throw Fields.missing("rating");
        }
        if (!rating.isNumber()) {
            throw Fields.wrongType("rating", "a number (positive: good, negative: bad)", rating);
        }
        var outcome = outcomes.get().find(id).filter(o -> o.principal().equals(ctx.principal()))
                .orElseThrow(() -> Rejection.notFound("No recent request with id '" + id + "' for this key."));
        double r = rating.asDouble();
        ArrayNode rated = JSON.createArrayNode();
        if (r != 0) {
            // an explicit verdict from a person weighs more than one gate verdict
            taskRouter.get().outcome(outcome.classified(), outcome.role(), r > 0, 2.0);
            // the memories recalled into that answer share its verdict: useful when it was good, not when it was bad
            memory.get().service().ifPresent(m -> outcome.recalled().forEach(memoryId -> m.reward(ctx.principal(),
                    memoryId, r > 0 ? 1.0 : 0.0).ifPresent(q -> rated.addObject().put("id", memoryId)
                    .put("usefulness", Math.round(q * 1000) / 1000.0))));
        }
        ObjectNode out = JSON.createObjectNode().put("object", "feedback").put("id", id)
                .put("role", outcome.role()).put("category", outcome.classified().category()).put("recorded", r != 0);
        out.set("memories", rated);
        sendJson(rc.response(), out);
    }

    // ------------------------------------------------------------------ misc

    private void notFound(RoutingContext rc) {
        String path = rc.request().path();
        boolean known = Set.of("/v1/chat/completions", "/v1/completions", "/v1/embeddings", "/v1/models",
                "/v1/feedback", "/v1/memory/search")
                .contains(path) || path.startsWith("/v1/models/");
        if (known && rc.request().method() != HttpMethod.OPTIONS) {
            rc.response().putHeader("Allow", path.startsWith("/v1/models") ? "GET" : "POST");
            ApiErrors.send(rc.response(), Rejection.backend(405, "invalid_request_error", "method_not_allowed",
                    "Method " + rc.request().method() + " is not allowed on " + path, null));
            return;
        }
        ApiErrors.send(rc.response(), Rejection.notFound("Unknown endpoint: " + rc.request().method() + " " + path));
    }

    private static void sendJson(HttpServerResponse response, ObjectNode body) {
        response.putHeader("Content-Type", "application/json").end(body.toString());
    }
}
