package dev.echelon.pipeline;

import dev.echelon.routing.RoutingDecision;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The one place where a request's steps are sequenced: admit → recall → route → generate → check → escalate →
 * record. Each step is a small object with one job; this class only orders them and carries the request's
 * {@link Execution} (what to cancel) from one to the next. Validation and authentication happen before, in the API.
 */
public final class Pipeline {

    private static final Logger LOG = Logger.getLogger(Pipeline.class);

    private final RecallStep recall = new RecallStep();
    private final RouteStep route;
    private final Admission admit;
    private final GenerateStep generate = new GenerateStep();
    private final CheckStep check = new CheckStep();
    private final EscalateStep escalate = new EscalateStep();
    private final RecordStep record;
    private final Set<Execution> inFlight = ConcurrentHashMap.newKeySet();

    public Pipeline(dev.echelon.routing.Router router, Admission admission,
            io.micrometer.core.instrument.MeterRegistry metrics) {
        this.route = new RouteStep(router);
        this.admit = admission;
        this.record = new RecordStep(metrics);
    }

    /** Starts serving {@code call}; the answer goes to {@code sink}. Returns at once. */
    public Execution execute(GenerationCall call, ResponseSink sink) {
        Execution execution = new Execution(call, sink, admit);
        inFlight.add(execution);
        RoutingDecision decision = null;
        try {
            GenerationCall recalled = recall.recall(call);
            decision = route.route(recalled);
            sink.routed(decision);
            Admission.Ticket ticket = admit.admit(decision.role());
            execution.waitingOn(ticket);
            if (!ticket.lease().isDone()) {
                sink.waiting(ticket.waitingForLoad());
            }
            RoutingDecision routed = decision;
            ticket.lease().whenComplete((lease, error) -> {
                if (error != null) {
                    finish(execution, routed, null, error);
                } else if (execution.cancelled()) {
                    lease.release();
                    finish(execution, routed, null, null);
                } else {
                    generate(execution, recalled, routed, lease);
                }
            });
        } catch (Rejection r) {
            finish(execution, decision, null, r);
        } catch (RuntimeException e) {
            LOG.errorf(e, "[%s] unexpected failure before generation", call.context().requestId());
            finish(execution, decision, null, e);
        }
        return execution;
    }

    private void generate(Execution execution, GenerationCall call, RoutingDecision decision, Lease lease) {
        CompletableFuture<GenerationResult> generation;
        try {
            generation = generate.generate(call, decision, lease, execution);
        } catch (RuntimeException e) {
            lease.release();
            finish(execution, decision, null, e);
            return;
        }
        generation.whenComplete((result, error) -> {
            lease.release();
            CheckStep.Verdict verdict = error == null ? check.check(result) : CheckStep.Verdict.FAIL;
            Optional<RoutingDecision> next = escalate.next(decision, verdict, error);
            next.ifPresent(n -> LOG.debugf("escalation to %s requested but not enabled", n.role()));
            finish(execution, decision, result, error);
        });
    }

    private void finish(Execution execution, RoutingDecision decision, GenerationResult result, Throwable error) {
        if (!execution.finish()) {
            return;
        }
        inFlight.remove(execution);
        Rejection failure = error == null ? null : GenerateStep.toRejection(unwrap(error), decision == null
                ? new RoutingDecision("none", dev.echelon.registry.Tier.A, "", 0, java.util.List.of()) : decision);
        if (failure != null && failure.status() == 500) {
            LOG.errorf(unwrap(error), "[%s] internal error", execution.call().context().requestId());
        }
        try {
            record.record(execution.call(), decision, result, failure, execution.cancelled());
        } catch (RuntimeException e) {
            LOG.warnf(e, "recording request %s failed", execution.call().context().requestId());
        }
        if (failure != null && !execution.cancelled()) {
            execution.sink().fail(failure);
        }
    }

    private static Throwable unwrap(Throwable t) {
        while (t instanceof CompletionException && t.getCause() != null) {
            t = t.getCause();
        }
        return t;
    }

    public int inFlight() {
        return inFlight.size();
    }

    /**
     * Graceful shutdown: refuse new requests, let those in flight finish for up to {@code deadline}, then end the
     * rest cleanly — a streamed answer gets a final error event and {@code [DONE]}, not a reset connection.
     */
    public synchronized void drain(Duration deadline) {
        admit.close();
        long end = System.nanoTime() + deadline.toNanos();
        while (!inFlight.isEmpty() && System.nanoTime() < end) {
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        if (!inFlight.isEmpty()) {
            LOG.warnf("shutdown: ending %d request(s) still in flight after %d ms", inFlight.size(),
                    deadline.toMillis());
        }
        for (Execution e : inFlight) {
            e.cancel();
            if (e.finish()) {
                inFlight.remove(e);
                e.sink().fail(Rejection.unavailable("Echelon is shutting down; this answer was cut short", 5));
            }
        }
    }
}
