package dev.echelon.pipeline;

import dev.echelon.memory.MemoryService;
import dev.echelon.routing.MessageText;
import dev.echelon.routing.RoutingDecision;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.util.Collection;
import java.util.Optional;

/**
 * Step 7: remember what happened — metrics per role, one log line per request carrying its id, what the skill
 * tracker learns from judged attempts, each answer's time to first token for the residency controller's overflow
 * rule, and the served exchange into the caller's memory (written asynchronously: the answer never waits for it; the
 * write is acknowledged, in the log and metrics, once durable).
 */
final class RecordStep {

    private static final Logger LOG = Logger.getLogger(RecordStep.class);

    private final MeterRegistry metrics;
    private final RecentOutcomes outcomes;
    private final TaskRouter tasks;
    private final Optional<MemoryService> memory;
    private final LatencyWindow latencies;
    private final ResidencyView residency;

    /**
     * @param servingRoles the roles that answer users: their refusal series (429 at capacity, 503 unavailable) exist
     *                     from the start at zero, so a dashboard or alert rule over them has data before the first one
     */
    RecordStep(MeterRegistry metrics, RecentOutcomes outcomes, TaskRouter tasks, Optional<MemoryService> memory,
            LatencyWindow latencies, ResidencyView residency, Collection<String> servingRoles) {
        this.metrics = metrics;
        this.latencies = latencies;
        this.residency = residency;
        this.outcomes = outcomes;
        this.tasks = tasks;
        this.memory = memory;
        for (String role : servingRoles) {
            rejections(role, Rejection.overloaded(role, 0, 0));
            rejections(role, Rejection.unavailable("", 0));
        }
    }

    private Counter rejections(String role, Rejection r) {
        return metrics.counter("echelon.rejections", "role", role, "status", Integer.toString(r.status()),
                "code", r.code() == null ? "none" : r.code());
    }

    /** A judged attempt teaches the skill tracker; the request's last role is remembered for later feedback. */
    void attempt(GenerationCall call, RouteStep.Routed routed, String role, boolean success) {
        metrics.counter("echelon.gate.verdicts", "role", role, "verdict", success ? "pass" : "fail").increment();
        tasks.outcome(routed.classified(), role, success, 1.0);
        outcomes.served(new RecentOutcomes.Outcome(call.context().requestId(), call.context().principal(),
                routed.classified(), role, call.recalled()));
    }

    void record(GenerationCall call, RoutingDecision decision, GenerationResult result, Rejection failure,
            boolean cancelled) {
        String role = decision == null ? "none" : decision.role();
        String outcome = cancelled ? "cancelled" : failure == null ? "ok" : Integer.toString(failure.status());
        long nanos = System.nanoTime() - call.context().receivedNanos();
        Counter.builder("echelon.requests").description("Generation requests by role, endpoint and outcome")
                .tag("role", role).tag("endpoint", call.endpoint().name().toLowerCase()).tag("outcome", outcome)
                .register(metrics).increment();
        Timer.builder("echelon.request.duration").description("Time from receipt to the last byte")
                .tag("role", role).tag("stream", Boolean.toString(call.stream())).publishPercentileHistogram()
                .register(metrics).record(Duration.ofNanos(nanos));
        if (result != null) {
            Timer.builder("echelon.queue.wait").description("Time waiting for a backend slot (loading included)")
                    .tag("role", role).register(metrics).record(Duration.ofMillis(result.meta().queueMs()));
            metrics.counter("echelon.tokens", "role", role, "direction", "in").increment(result.promptTokens());
            metrics.counter("echelon.tokens", "role", role, "direction", "out").increment(result.completionTokens());
        }
        if (result != null && failure == null && !cancelled) {
            speed(role, result.timings(), nanos);
        }
        if (failure != null && (failure.status() == 429 || failure.status() == 503)) {
            // refusals by cause: a full queue (429) is load, an unavailable role (503) is capacity or a fault
            rejections(role, failure).increment();
        }
        if (result != null && failure == null && !cancelled) {
            remember(call, role, result);
        }
        if (failure != null && !cancelled) {
            LOG.infof("[%s] %s %s → %s failed: %d %s", call.context().requestId(), call.endpoint(), call.model(),
                    role, failure.status(), failure.getMessage());
        } else if (LOG.isDebugEnabled()) {
            LOG.debugf("[%s] %s %s → %s %s in %d ms", call.context().requestId(), call.endpoint(), call.model(), role,
                    outcome, nanos / 1_000_000);
        }
    }

    /**
     * Time to first token and time per output token of a served answer. TTFT is what the client waited before the
     * first token existed: everything from receipt (queueing, loading, failed attempts, prompt processing) up to the
     * backend's first decoded token, i.e. the request's duration less the decoding time after that token. TPOT is the
     * backend's own decode time per token (speculation included). Answers without llama-server timings (a runaway cut
     * short) are not counted: there is nothing to split their duration by.
     */
    private void speed(String role, com.fasterxml.jackson.databind.JsonNode timings, long nanos) {
        if (timings == null || !timings.has("predicted_ms")) {
            return;
        }
        double predictedMs = timings.path("predicted_ms").asDouble();
        double perTokenMs = timings.path("predicted_per_token_ms").asDouble(0);
        double ttftMs = Math.max(0, nanos / 1e6 - predictedMs + perTokenMs);
        Timer.builder("echelon.ttft").description("Time to first token: receipt to the first decoded token")
                .tag("role", role).publishPercentileHistogram().register(metrics)
                .record(Duration.ofNanos(Math.round(ttftMs * 1e6)));
        latencies.record(role, ttftMs);
        residency.firstToken(role, ttftMs / 1000);
        if (timings.path("predicted_n").asInt(0) > 1 && perTokenMs > 0) {
            Timer.builder("echelon.tpot").description("Time per output token while decoding")
                    .tag("role", role).publishPercentileHistogram().register(metrics)
                    .record(Duration.ofNanos(Math.round(perTokenMs * 1e6)));
        }
    }

    /** The exchange, as one memory: the user's last message and the answer, each cut to a sensible length. */
    private void remember(GenerationCall call, String role, GenerationResult result) {
        if (memory.isEmpty() || call.endpoint() != Endpoint.CHAT || !call.memory().records()
                || result.answer() == null || result.answer().isBlank()) {
            return;
        }
        String question = MessageText.lastUser(call.body()).strip();
        if (question.isEmpty()) {
            return;
        }
        String text = "Q: " + clip(question, 1500) + "\nA: " + clip(result.answer().strip(), 2000);
        String session = call.body().path("user").asText(null);
        String requestId = call.context().requestId();
        memory.get().remember(call.context().principal(), session, role, text, clip(question, 1500),
                        result.meta().gate())
                .whenComplete(dev.echelon.observe.RequestMdc.wrap(requestId, (m, e) -> {
                    if (e != null) {
                        LOG.warnf("[%s] remembering the exchange failed: %s", requestId, e.toString());
                    } else {
                        LOG.debugf("[%s] remembered as memory %d", requestId, m.id());
                    }
                }));
    }

    private static String clip(String s, int max) {
        return s.length() <= max ? s : s.substring(0, max) + "…";
    }
}
