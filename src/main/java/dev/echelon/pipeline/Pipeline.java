package dev.echelon.pipeline;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.echelon.escalation.Action;
import dev.echelon.observe.RequestMdc;
import dev.echelon.escalation.Attempt;
import dev.echelon.escalation.Budget;
import dev.echelon.escalation.ErrorCategory;
import dev.echelon.escalation.EscalationState;
import dev.echelon.registry.ModelRegistry;
import dev.echelon.registry.RoleKind;
import dev.echelon.registry.RoleSpec;
import dev.echelon.routing.RoutingDecision;
import dev.echelon.tools.Tool;
import dev.echelon.tools.ToolContext;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The one place where a request's steps are sequenced: admit → recall → route → generate → check → escalate →
 * record. Generate and check run together per attempt (the gate judges before the client sees anything); a failed
 * attempt goes to the escalation policy, whose action starts the next attempt — the same role again, harder, the
 * next role in the chain, or a fallback — until an answer passes or a budget ends it. Each step is a small object;
 * this class only orders them and carries the request's {@link Execution} from one to the next.
 */
public final class Pipeline {

    private static final Logger LOG = Logger.getLogger(Pipeline.class);

    private final RecallStep recall;
    private final RouteStep route;
    private final Admission admit;
    private final GenerateStep generate;
    private final EscalateStep escalate;
    private final RecordStep record;
    private final ResidencyStep residency;
    private final ToolStep tools;
    private final ModelRegistry registry;
    private final Budget budget;
    private final Set<Execution> inFlight = ConcurrentHashMap.newKeySet();
    private final LatencyWindow latencies = LatencyWindow.standard();

    public Pipeline(PipelineParts parts) {
        this.recall = new RecallStep(parts.memory());
        this.route = new RouteStep(parts.router(), parts.tasks(), parts.registry().chains().keySet());
        this.admit = parts.admission();
        this.generate = new GenerateStep(parts.gate(), parts.gateConfig(), parts.holdBackTokens(),
                parts.holdBackMs(), parts.speculation());
        this.escalate = new EscalateStep(parts.policy(), parts.breakers(), parts.escalationLog(), parts.metrics());
        this.record = new RecordStep(parts.metrics(), parts.outcomes(), parts.tasks(), parts.memory(),
                latencies, parts.residency(), parts.registry().roles().values().stream()
                        .filter(r -> r.kind() == RoleKind.GENERATE).map(RoleSpec::name).toList());
        this.residency = new ResidencyStep(parts.residency(), parts.registry(), parts.gateConfig(), parts.policy());
        this.tools = new ToolStep(parts.tools());
        this.registry = parts.registry();
        this.budget = parts.budget();
    }

    /** Time to first token per role over the last minutes (the dashboard's percentiles). */
    public LatencyWindow latencies() {
        return latencies;
    }

    /**
     * True when starting {@code call} does blocking work before the first backend call — embedding the prompt for
     * routing ({@code auto}) or for memory recall — so the caller must not start it on an event loop.
     */
    public boolean blocksToStart(GenerationCall call) {
        return dev.echelon.routing.Router.AUTO.equals(call.model().trim()) || recall.works(call);
    }

    /** Starts serving {@code call}; the answer goes to {@code sink}. Returns at once. */
    public Execution execute(GenerationCall call, ResponseSink sink) {
        // every caller (HTTP route, MCP tool, a worker) gets the request id into the log lines of this start
        try (RequestMdc.Scope ignored = RequestMdc.open(call.context().requestId())) {
            return start(call, sink);
        }
    }

    private Execution start(GenerationCall call, ResponseSink sink) {
        Execution execution = new Execution(call, sink, admit);
        inFlight.add(execution);
        RoutingDecision decision = null;
        try {
            GenerationCall recalled = recall.recall(call);
            RouteStep.Routed routed = route.route(recalled);
            decision = routed.decision();
            EscalationState state = EscalationState.start(call.context().requestId(), routed.chain(), budget);
            attempt(new Request(execution, routed, new CopyOnWriteArrayList<>(),
                    new java.util.concurrent.atomic.AtomicReference<>(), new java.util.concurrent.atomic.AtomicBoolean()),
                    recalled, decision, state, Attempt.Kind.FIRST);
        } catch (Rejection r) {
            finish(execution, decision, null, null, r);
        } catch (RuntimeException e) {
            LOG.errorf(e, "[%s] unexpected failure before generation", call.context().requestId());
            finish(execution, decision, null, null, e);
        }
        return execution;
    }

    /**
     * One request across its attempts.
     *
     * @param residencyFallback set once the request left a role it had waited for in vain (at most once per request)
     */
    private record Request(Execution execution, RouteStep.Routed routed, List<String> escalations,
            java.util.concurrent.atomic.AtomicReference<AttemptResult.Rejected> bestCandidate,
            java.util.concurrent.atomic.AtomicBoolean residencyFallback) {
    }

    private void attempt(Request req, GenerationCall call, RoutingDecision routed, EscalationState state,
            Attempt.Kind kind) {
        Execution execution = req.execution();
        // only a first attempt may overflow: an escalation asks for this role's strength, not for any hot model
        ResidencyStep.Placed placed = residency.place(routed, RequestSize.of(call.body()),
                kind == Attempt.Kind.FIRST ? admit::expectedWaitSeconds : null);
        req.escalations().addAll(placed.notes());
        RoutingDecision decision = placed.decision();
        execution.sink().routed(decision);
        Admission.Ticket ticket;
        try {
            ticket = admit.admit(decision.role(), placed.bound());
        } catch (Rejection r) {
            if (kind == Attempt.Kind.FIRST && r.status() != 503 || "shutting_down".equals(r.code())) {
                throw r; // a full queue (429) is the client's to retry; a shutdown ends everything
            }
            // a role the escalation wanted is saturated or down: that is the next attempt's failure
            failed(req, call, decision, state, kind, null, new AttemptResult.Rejected(ErrorCategory.INFRASTRUCTURE,
                    r.getMessage(), 0, null, null, null), 0);
            return;
        }
        execution.waitingOn(ticket);
        if (placed.bound() && !ticket.lease().isDone()) {
            residency.waitsBound(decision.role());
        }
        if (!ticket.lease().isDone() && kind == Attempt.Kind.FIRST) {
            execution.sink().waiting(ticket.waitingForLoad());
        }
        long start = System.nanoTime();
        String requestId = call.context().requestId();
        ticket.lease().whenComplete(RequestMdc.wrap(requestId, (lease, error) -> {
            if (error != null) {
                Optional<RoutingDecision> fallback = execution.cancelled() ? Optional.empty()
                        : residency.afterWait(placed, unwrap(error), admit);
                if (fallback.isPresent() && req.residencyFallback().compareAndSet(false, true)) {
                    req.escalations().add(residency.waitedNote(placed, unwrap(error), fallback.get().role()));
                    try {
                        attempt(req, call, fallback.get(), state, kind);
                    } catch (Rejection r) {
                        finish(execution, fallback.get(), null, state, r);
                    }
                    return;
                }
                if (kind == Attempt.Kind.FIRST || unwrap(error) instanceof Rejection r && "shutting_down".equals(r.code())) {
                    finish(execution, decision, null, null, error);
                } else {
                    failed(req, call, decision, state, kind, null, new AttemptResult.Rejected(
                            ErrorCategory.INFRASTRUCTURE, unwrap(error).getMessage(), 0, null, null, null), start);
                }
                return;
            }
            if (execution.cancelled()) {
                lease.release();
                finish(execution, decision, null, null, null);
                return;
            }
            CompletableFuture<AttemptResult> outcome;
            try {
                outcome = generateWithTools(call, decision, req.routed().category(), lease, execution,
                        List.copyOf(req.escalations()));
            } catch (RuntimeException e) {
                lease.release();
                finish(execution, decision, null, null, e);
                return;
            }
            outcome.whenComplete(RequestMdc.wrap(requestId, (result, failure) -> {
                lease.release();
                if (failure != null) {
                    finish(execution, decision, null, null, failure); // failed after commit: nothing to escalate
                } else if (result instanceof AttemptResult.Served served) {
                    residency.answered(decision.role(), served.verdict(), req.routed().chain());
                    EscalationState done = escalate.attempted(state, Attempt.ok(decision.role(),
                            lease.instance().id(), kind, served.result().completionTokens(), ms(start)), elapsed(call));
                    record.attempt(call, req.routed(), decision.role(), true);
                    finish(execution, decision, served.result(), done, null);
                } else {
                    failed(req, call, decision, state, kind, lease.instance().id(), (AttemptResult.Rejected) result,
                            start);
                }
            }));
        }));
    }

    /**
     * One attempt's generations on one lease. Without server-side tools for the role that is one generation. With
     * them, each round offers the tools; an answer that calls only Echelon's tools is not delivered but run (in
     * order, within the request's deadline), its results appended, and the model asked again — at most
     * {@code max-rounds} times, then once more with the tools withheld, so the request ends with an answer. Calls to
     * the client's own tools, and any text answer, are delivered as a plain generation would be.
     */
    private CompletableFuture<AttemptResult> generateWithTools(GenerationCall call, RoutingDecision decision,
            String category, Lease lease, Execution execution, List<String> escalations) {
        List<Tool> offered = tools.offered(call, decision.role());
        if (offered.isEmpty()) {
            return generate.generate(call, decision, category, lease, execution, escalations,
                    budget.deadline().minus(elapsed(call)));
        }
        ToolStep.Conversation conversation = new ToolStep.Conversation(call.body(), offered);
        return toolRound(call, conversation, 0, decision, category, lease, execution, escalations);
    }

    private CompletableFuture<AttemptResult> toolRound(GenerationCall call, ToolStep.Conversation conversation,
            int rounds, RoutingDecision decision, String category, Lease lease, Execution execution,
            List<String> escalations) {
        boolean offer = rounds < tools.maxRounds();
        GenerationCall round = call.withBody(offer ? conversation.offering() : conversation.withholding());
        return generate.generate(round, decision, category, lease, execution, escalations,
                budget.deadline().minus(elapsed(call)), offer ? conversation.names() : Set.of(), conversation.rounds())
                .thenCompose(result -> {
                    if (!(result instanceof AttemptResult.ToolRound calls)) {
                        return CompletableFuture.completedFuture(result);
                    }
                    if (execution.cancelled()) {
                        return CompletableFuture.<AttemptResult>completedFuture(new AttemptResult.Rejected(
                                ErrorCategory.INFRASTRUCTURE, "cancelled between tool rounds", 0, null, null, null));
                    }
                    execution.sink().runningTools();
                    ToolContext context = new ToolContext(call.context().requestId(), decision.role(),
                            budget.deadline().minus(elapsed(call)));
                    return tools.run(calls.message(), conversation.offered(), context).thenCompose(ran -> {
                        conversation.append(calls.message(), calls.usage(), ran.messages(), ran.runs());
                        return toolRound(call, conversation, rounds + 1, decision, category, lease, execution,
                                escalations);
                    });
                });
    }

    /** A failed attempt: book it, ask the policy, and start the next attempt — or end the request. */
    private void failed(Request req, GenerationCall call, RoutingDecision decision, EscalationState state,
            Attempt.Kind kind, String instance, AttemptResult.Rejected rejected, long start) {
        Execution execution = req.execution();
        if (execution.cancelled()) {
            finish(execution, decision, null, null, null);
            return;
        }
        if (rejected.clientError() != null) {
            finish(execution, decision, null, null, rejected.clientError());
            return;
        }
        EscalationState booked = escalate.attempted(state, Attempt.failed(decision.role(), instance, kind,
                rejected.category(), rejected.reason(), rejected.tokens(), start == 0 ? 0 : ms(start)), elapsed(call));
        if (rejected.verdict() != null) {
            record.attempt(call, req.routed(), decision.role(), false);
        }
        Action action = escalate.next(booked, rejected.category(), rejected.reason());
        req.escalations().add(EscalateStep.describe(decision.role(), action, rejected.category(), rejected.reason()));
        if (rejected.candidate() != null) {
            req.bestCandidate().set(rejected); // the latest complete answer, should every later attempt fail worse
        }
        if (action instanceof Action.GiveUp giveUp) {
            AttemptResult.Rejected best = req.bestCandidate().get();
            if (best != null) {
                // the best answer there is, marked as such: better than an error for a client that asked a question
                deliverCandidate(req, call, best, giveUp);
                finish(execution, decision, null, booked, null);
            } else {
                finish(execution, decision, null, booked, Rejection.unavailable("No role produced an acceptable "
                        + "answer: " + giveUp.reason(), 5));
            }
            return;
        }
        GenerationCall nextCall = call;
        RoutingDecision nextDecision = decision;
        if (action instanceof Action.Retry retry) {
            nextCall = retry.strictFormat() ? Instructions.strictJson(call) : call;
        } else if (action instanceof Action.ThinkHarder harder) {
            nextCall = Instructions.thinkHarder(call, harder.instruction(), harder.maxTokensMultiplier(),
                    booked.remainingTokens());
        } else {
            String to = action.targetRole().orElseThrow();
            nextDecision = new RoutingDecision(to, registry.requireRole(to).tier(), (action instanceof Action.Fallback
                    ? "fallback from " : "escalated from ") + decision.role() + " (" + rejected.category().name()
                    .toLowerCase() + ")", decision.confidence(), decision.alternatives());
        }
        try {
            attempt(req, nextCall, nextDecision, booked, action.attemptKind().orElse(Attempt.Kind.ESCALATE));
        } catch (Rejection r) {
            finish(execution, nextDecision, null, booked, r);
        }
    }

    private void deliverCandidate(Request req, GenerationCall call, AttemptResult.Rejected rejected,
            Action.GiveUp giveUp) {
        ResponseSink sink = req.execution().sink();
        AttemptResult.Candidate c = rejected.candidate();
        String gate = "fail: " + rejected.reason() + "; served anyway: " + giveUp.reason();
        if (c.json() != null) {
            ObjectNode json = c.json();
            patchMeta(json, req, gate);
            sink.json(json);
            return;
        }
        c.events().forEach(sink::chunk);
        ObjectNode last = call.includeUsage() && c.usage() != null ? c.usage() : c.finish();
        if (last != c.finish()) {
            sink.chunk(c.finish());
        }
        ObjectNode meta = last.has("x_echelon") ? (ObjectNode) last.get("x_echelon") : last.putObject("x_echelon");
        meta.put("request_id", call.context().requestId());
        meta.put("gate", gate);
        ArrayNode steps = meta.putArray("escalations");
        req.escalations().forEach(steps::add);
        sink.chunk(last);
        sink.end();
    }

    private static void patchMeta(ObjectNode json, Request req, String gate) {
        ObjectNode meta = (ObjectNode) json.get("x_echelon");
        meta.put("gate", gate);
        ArrayNode steps = meta.putArray("escalations");
        req.escalations().forEach(steps::add);
    }

    private static long ms(long startNanos) {
        return (System.nanoTime() - startNanos) / 1_000_000;
    }

    private static Duration elapsed(GenerationCall call) {
        return Duration.ofNanos(System.nanoTime() - call.context().receivedNanos());
    }

    private void finish(Execution execution, RoutingDecision decision, GenerationResult result,
            EscalationState state, Throwable error) {
        if (!execution.finish()) {
            return;
        }
        inFlight.remove(execution);
        Rejection failure = error == null ? null : GenerateStep.toRejection(unwrap(error), decision == null
                ? new RoutingDecision("none", dev.echelon.registry.Tier.A, "", 0, List.of()) : decision);
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
            // claim the response before cancelling: the cancel wakes the request's own thread, which would otherwise
            // finish it first as a client that went away — writing nothing, so the stream was cut without its end
            boolean claimed = e.finish();
            e.cancel();
            if (claimed) {
                inFlight.remove(e);
                e.sink().fail(Rejection.shuttingDown("Echelon is shutting down; this answer was cut short"));
            }
        }
    }
}
