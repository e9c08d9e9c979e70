package dev.echelon.observe;

import org.jboss.logging.MDC;

import java.util.function.BiConsumer;
import java.util.function.BiFunction;

/**
 * The request id in the logging MDC ({@code request_id}, shown by the console format as {@code %X{request_id}}) for
 * as long as a thread works on that request. On a Vert.x duplicated context Quarkus keeps the MDC in the context, so
 * what the route handler puts there follows the request onto its {@code executeBlocking} workers; backend callbacks
 * (OkHttp threads, admission timers) are outside any context, so the pipeline wraps them with {@link #wrap}. A scope
 * restores what was there before, because one request's callback often runs inside another's: a released slot hands
 * the next queued request its lease on the releasing request's thread.
 */
public final class RequestMdc {

    public static final String KEY = "request_id";

    private RequestMdc() {
    }

    /** Restores the previous request id when closed. */
    public interface Scope extends AutoCloseable {
        @Override
        void close();
    }

    public static Scope open(String requestId) {
        Object previous = MDC.get(KEY);
        if (requestId == null) {
            MDC.remove(KEY);
        } else {
            MDC.put(KEY, requestId);
        }
        return () -> {
            if (previous == null) {
                MDC.remove(KEY);
            } else {
                MDC.put(KEY, previous);
            }
        };
    }

    /** Puts the id for the duration of the route's own handlers on a request's context (no restore needed). */
    public static void enter(String requestId) {
        MDC.put(KEY, requestId);
    }

    /** Ends {@link #enter}: the request is answered. */
    public static void leave() {
        MDC.remove(KEY);
    }

    public static <T, U> BiConsumer<T, U> wrap(String requestId, BiConsumer<T, U> callback) {
        return (t, u) -> {
            try (Scope ignored = open(requestId)) {
                callback.accept(t, u);
            }
        };
    }

    public static <T, U, R> BiFunction<T, U, R> wrap(String requestId, BiFunction<T, U, R> callback) {
        return (t, u) -> {
            try (Scope ignored = open(requestId)) {
                return callback.apply(t, u);
            }
        };
    }

    public static Runnable wrap(String requestId, Runnable callback) {
        return () -> {
            try (Scope ignored = open(requestId)) {
                callback.run();
            }
        };
    }
}
