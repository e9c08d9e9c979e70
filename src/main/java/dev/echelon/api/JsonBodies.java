package dev.echelon.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.echelon.pipeline.Rejection;
import dev.echelon.pipeline.RequestContext;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.RoutingContext;
import org.jboss.logging.Logger;

import java.util.function.BiConsumer;

/** Request bodies of the JSON endpoints: bounded, parsed, and every failure answered as an OpenAI-style error. */
final class JsonBodies {

    private static final Logger LOG = Logger.getLogger(JsonBodies.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    private JsonBodies() {
    }

    /**
     * Reads the body up to {@code limit} bytes (413 beyond it), parses it as a JSON object (400 otherwise) and hands
     * it to {@code next}; a {@link Rejection} thrown by {@code next} becomes its error response, anything else a 500
     * that names the request id (never a stack trace).
     */
    static void read(RoutingContext rc, long limit, RequestContext ctx, BiConsumer<ObjectNode, RequestContext> next) {
        HttpServerRequest req = rc.request();
        String declared = req.getHeader("Content-Length");
        if (declared != null) {
            try {
                if (Long.parseLong(declared.trim()) > limit) {
                    rejectAndClose(rc, Rejection.tooLarge(limit));
                    return;
                }
            } catch (NumberFormatException e) {
                ApiErrors.send(rc.response(), Rejection.invalid(null, "invalid_header", "Invalid Content-Length"));
                return;
            }
        }
        Buffer body = Buffer.buffer();
        boolean[] failed = {false};
        req.handler(chunk -> {
            if (failed[0]) {
                return;
            }
            if (body.length() + chunk.length() > limit) {
                failed[0] = true;
                rejectAndClose(rc, Rejection.tooLarge(limit));
                return;
            }
            body.appendBuffer(chunk);
        });
        req.exceptionHandler(e -> failed[0] = true);
        req.endHandler(v -> {
            if (failed[0]) {
                return;
            }
            ObjectNode json;
            try {
                JsonNode node = JSON.readTree(body.getBytes());
                if (node == null || !node.isObject()) {
                    throw Rejection.invalid(null, "invalid_json", "The request body must be a JSON object.");
                }
                json = (ObjectNode) node;
            } catch (JsonProcessingException e) {
                ApiErrors.send(rc.response(), Rejection.invalid(null, "invalid_json", "We could not parse the JSON "
                        + "body of your request: " + e.getOriginalMessage()));
                return;
            } catch (Rejection r) {
                ApiErrors.send(rc.response(), r);
                return;
            } catch (java.io.IOException e) {
                ApiErrors.send(rc.response(), Rejection.invalid(null, "invalid_json", "Unreadable request body."));
                return;
            }
            try {
                next.accept(json, ctx);
            } catch (Rejection r) {
                ApiErrors.send(rc.response(), r);
            } catch (RuntimeException e) {
                LOG.errorf(e, "[%s] %s failed", ctx.requestId(), req.path());
                ApiErrors.send(rc.response(), Rejection.backend(500, "server_error", "internal_error",
                        "Internal error; the request id is " + ctx.requestId(), e));
            }
        });
        req.resume();
    }

    /**
     * A body over the limit is not read to its end: answer 413, and on HTTP/1.x close the connection so the rest of
     * the body is not read (on HTTP/2 other streams share the connection; the remaining frames are discarded).
     */
    private static void rejectAndClose(RoutingContext rc, Rejection r) {
        HttpServerResponse response = rc.response();
        if (response.headWritten()) {
            return;
        }
        if (rc.request().version() != io.vertx.core.http.HttpVersion.HTTP_2) {
            response.putHeader("Connection", "close");
            response.endHandler(v -> rc.request().connection().close());
        }
        ApiErrors.send(response, r);
    }

}
