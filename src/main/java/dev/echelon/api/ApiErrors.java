package dev.echelon.api;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.echelon.pipeline.Rejection;
import io.vertx.core.http.HttpServerResponse;

/** Writes errors in OpenAI's shape: {@code {"error":{"message","type","param","code"}}} — never a stack trace. */
final class ApiErrors {

    private ApiErrors() {
    }

    static ObjectNode body(Rejection r) {
        ObjectNode root = JsonNodeFactory.instance.objectNode();
        ObjectNode e = root.putObject("error");
        e.put("message", r.getMessage());
        e.put("type", r.type());
        if (r.param() == null) {
            e.putNull("param");
        } else {
            e.put("param", r.param());
        }
        if (r.code() == null) {
            e.putNull("code");
        } else {
            e.put("code", r.code());
        }
        return root;
    }

    /** Sends {@code r} as the whole response (status, Retry-After, JSON body). */
    static void send(HttpServerResponse response, Rejection r) {
        if (response.ended() || response.closed() || response.headWritten()) {
            return;
        }
        response.setStatusCode(r.status() == 499 ? 400 : r.status());
        response.putHeader("Content-Type", "application/json");
        r.retryAfterSeconds().ifPresent(s -> response.putHeader("Retry-After", Long.toString(s)));
        if (r.status() == 401) {
            response.putHeader("WWW-Authenticate", "Bearer realm=\"echelon\"");
        }
        response.end(body(r).toString());
    }
}
