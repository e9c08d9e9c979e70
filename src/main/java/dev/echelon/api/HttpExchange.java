package dev.echelon.api;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.echelon.pipeline.Rejection;
import dev.echelon.pipeline.ResponseSink;
import dev.echelon.routing.RoutingDecision;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerResponse;

/**
 * One HTTP exchange as the pipeline's {@link ResponseSink}: a JSON answer, or a server-sent-event stream written
 * event by event as the backend produces it. Every write runs on the request's Vert.x context, in call order, so
 * events from the backend's thread cannot overtake each other or race with a keep-alive.
 */
final class HttpExchange implements ResponseSink {

    private static final Buffer DONE = Buffer.buffer("data: [DONE]\n\n");
    private static final Buffer KEEP_ALIVE = Buffer.buffer(": keep-alive\n\n");

    private final Vertx vertx;
    private final Context context;
    private final HttpServerResponse response;
    private final boolean stream;
    private final long keepAliveMs;
    private boolean streamOpen;
    private RoutingDecision decision;
    private long keepAliveTimer = -1;

    HttpExchange(Vertx vertx, Context context, HttpServerResponse response, boolean stream, long keepAliveMs) {
        this.vertx = vertx;
        this.context = context;
        this.response = response;
        this.stream = stream;
        this.keepAliveMs = keepAliveMs;
    }

    private void onContext(Runnable r) {
        context.runOnContext(v -> {
            if (!response.ended() && !response.closed()) {
                r.run();
            }
        });
    }

    /**
     * Remembers the role; the headers are written with the status line, so that after an escalation inside the
     * hold-back window they name the role that actually answers.
     */
    @Override
    public void routed(RoutingDecision decision) {
        onContext(() -> this.decision = decision);
    }

    private void roleHeaders() {
        if (decision != null && !response.headWritten()) {
            response.putHeader("X-Echelon-Role", decision.role());
            response.putHeader("X-Echelon-Tier", decision.tier().name());
        }
    }

    @Override
    public void waiting(boolean loading) {
        if (!stream) {
            return;
        }
        onContext(() -> {
            openStream();
            // a comment at once flushes the headers, so the client sees the stream open while the model loads
            response.write(": waiting for " + (loading ? "the model to load" : "a free slot") + "\n\n");
            keepAliveTimer = vertx.setPeriodic(keepAliveMs, id -> {
                if (response.ended() || response.closed()) {
                    vertx.cancelTimer(id);
                } else {
                    response.write(KEEP_ALIVE);
                }
            });
        });
    }

    @Override
    public void runningTools() {
        if (!stream) {
            return;
        }
        onContext(() -> {
            if (response.ended() || response.closed()) {
                return;
            }
            openStream();
            response.write(": running tools\n\n");
            if (keepAliveTimer < 0) {
                keepAliveTimer = vertx.setPeriodic(keepAliveMs, id -> {
                    if (response.ended() || response.closed()) {
                        vertx.cancelTimer(id);
                    } else {
                        response.write(KEEP_ALIVE);
                    }
                });
            }
        });
    }

    private void openStream() {
        if (streamOpen) {
            return;
        }
        streamOpen = true;
        roleHeaders();
        response.setStatusCode(200);
        response.setChunked(true);
        response.putHeader("Content-Type", "text/event-stream; charset=utf-8");
        response.putHeader("Cache-Control", "no-cache");
        response.putHeader("X-Accel-Buffering", "no"); // tell reverse proxies not to buffer the stream
    }

    private void stopKeepAlive() {
        if (keepAliveTimer >= 0) {
            vertx.cancelTimer(keepAliveTimer);
            keepAliveTimer = -1;
        }
    }

    @Override
    public void json(ObjectNode body) {
        onContext(() -> {
            roleHeaders();
            response.putHeader("Content-Type", "application/json");
            response.end(body.toString());
        });
    }

    @Override
    public void chunk(ObjectNode chunk) {
        String data = "data: " + chunk + "\n\n";
        onContext(() -> {
            stopKeepAlive();
            openStream();
            response.write(data);
        });
    }

    @Override
    public void end() {
        onContext(() -> {
            stopKeepAlive();
            openStream();
            response.end(DONE);
        });
    }

    @Override
    public void fail(Rejection rejection) {
        onContext(() -> {
            stopKeepAlive();
            if (streamOpen) {
                // the status line is long gone: the error becomes the stream's last event
                response.write("data: " + ApiErrors.body(rejection) + "\n\n");
                response.end(DONE);
            } else {
                roleHeaders();
                ApiErrors.send(response, rejection);
            }
        });
    }
}
