package dev.echelon.pipeline;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.echelon.backend.BackendCancelledException;
import dev.echelon.backend.BackendException;
import dev.echelon.backend.BackendHttpException;
import dev.echelon.backend.BackendLoadingException;
import dev.echelon.backend.BackendTimeoutException;
import dev.echelon.backend.BackendUnavailableException;
import dev.echelon.backend.LlamaServerClient;
import dev.echelon.backend.StreamHandle;
import dev.echelon.backend.StreamListener;
import dev.echelon.escalation.ErrorCategory;
import dev.echelon.quality.Failure;
import dev.echelon.quality.GateConfig;
import dev.echelon.quality.GenerationMonitor;
import dev.echelon.quality.JsonExpectation;
import dev.echelon.quality.QualityGate;
import dev.echelon.quality.TokenLogprob;
import dev.echelon.quality.Transcript;
import dev.echelon.quality.TranscriptBuilder;
import dev.echelon.quality.Verdict;
import dev.echelon.routing.RoutingDecision;
import dev.echelon.speculation.SpeculationService;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * Step 4 with step 5 inside it: relay one attempt to the leased instance, judge what comes back with the quality
 * gate, and hand the client only what passed.
 *
 * <p>JSON answers are judged whole. Streams are relayed event by event, except that the first tokens — the
 * hold-back window, a few tokens or milliseconds — are held until the gate has judged them: a failing tier is then
 * replaced invisibly. Once committed, a generation monitor watches for runaways (loops, confidence collapse) and
 * stops one with an honest {@code finish_reason: "length"}. The closing events are always held to the end, because
 * {@code x_echelon} rides on the last one.
 */
final class GenerateStep {

    /** Top alternatives asked for internally, when the client did not ask for log-probabilities itself. */
    static final int GATE_TOP_LOGPROBS = 3;

    private final QualityGate gate;
    private final GateConfig gateConfig;
    private final int holdBackTokens;
    private final long holdBackMs;
    private final SpeculationService speculation;

    GenerateStep(QualityGate gate, GateConfig gateConfig, int holdBackTokens, long holdBackMs,
            SpeculationService speculation) {
        this.gate = gate;
        this.gateConfig = gateConfig;
        this.holdBackTokens = holdBackTokens;
        this.holdBackMs = holdBackMs;
        this.speculation = speculation;
    }

    CompletableFuture<AttemptResult> generate(GenerationCall call, RoutingDecision decision, String category,
            Lease lease, Execution execution, List<String> escalations, java.time.Duration remaining) {
        return generate(call, decision, category, lease, execution, escalations, remaining, Set.of(),
                ToolRounds.NONE);
    }

    /**
     * @param remaining   what is left of the request's deadline: the attempt's backend call may not run longer
     * @param serverTools names of Echelon's own tools offered in {@code call}'s body: an answer that calls only
     *                    these is not delivered but returned as {@link AttemptResult.ToolRound}
     * @param rounds      the tool rounds before this generation: their calls and tokens
     */
    CompletableFuture<AttemptResult> generate(GenerationCall call, RoutingDecision decision, String category,
            Lease lease, Execution execution, List<String> escalations, java.time.Duration remaining,
            Set<String> serverTools, ToolRounds rounds) {
        ObjectNode body = call.body().deepCopy();
        SpeculationService.Plan plan = speculation.begin(decision.role(), category);
        SpeculationService.apply(plan, body);
        body.put("model", decision.role());
        boolean chat = call.endpoint() == Endpoint.CHAT;
        boolean clientLogprobs = body.path("logprobs").asBoolean(false);
        if (chat && !clientLogprobs) {
            // the gate judges confidence from log-probabilities; the client gets them only if it asked
            body.put("logprobs", true);
            body.put("top_logprobs", GATE_TOP_LOGPROBS);
        }
        Integer maxTokens = body.has("max_tokens") ? body.get("max_tokens").asInt() : null;
        JsonExpectation json = chat ? JsonExpectation.fromChatRequest(body) : JsonExpectation.NONE;
        LlamaServerClient client = lease.instance().client().withRequestId(call.context().requestId());
        java.time.Duration total = client.timeouts().total();
        if (total.isZero() || total.compareTo(remaining) > 0) {
            client = client.withTimeouts(client.timeouts().withTotal(remaining.isNegative() || remaining.isZero()
                    ? java.time.Duration.ofMillis(1) : remaining));
        }
        Context ctx = new Context(call, decision, lease, execution, escalations, chat && !clientLogprobs, maxTokens,
                json, System.nanoTime(), plan, new java.util.concurrent.atomic.AtomicBoolean(), Set.copyOf(serverTools),
                rounds);
        CompletableFuture<AttemptResult> outcome;
        try {
            outcome = send(ctx, client, body, call, execution, decision);
        } catch (RuntimeException e) {
            ctx.speculationDone().set(true);
            speculation.abandon(plan);
            throw e;
        }
        // a generation that ended without timings (failed, cancelled, stopped) still leaves the role's count
        outcome.whenComplete((r, e) -> {
            if (ctx.speculationDone().compareAndSet(false, true)) {
                speculation.abandon(plan);
            }
        });
        return outcome;
    }

    private CompletableFuture<AttemptResult> send(Context ctx, LlamaServerClient client, ObjectNode body,
            GenerationCall call, Execution execution, RoutingDecision decision) {
        if (call.stream()) {
            body.put("stream", true);
            body.putObject("stream_options").put("include_usage", true); // Echelon needs usage even if the client doesn't
            Relay relay = new Relay(ctx);
            StreamHandle handle = client.openAiStream(call.endpoint().backendPath(), body,
                    new InRequest(call.context().requestId(), relay));
            relay.handle(handle);
            execution.generatingWith(handle::cancel);
            return relay.result;
        }
        body.remove("stream");
        body.remove("stream_options");
        CompletableFuture<ObjectNode> answer = client.openAiJson(call.endpoint().backendPath(), body);
        execution.generatingWith(answer);
        return answer.handle(dev.echelon.observe.RequestMdc.wrap(call.context().requestId(),
                (response, error) -> error != null ? failed(unwrap(error), decision, 0) : judgeJson(ctx, response)));
    }

    /** Everything one attempt needs to know. */
    private record Context(GenerationCall call, RoutingDecision decision, Lease lease, Execution execution,
            List<String> escalations, boolean stripLogprobs, Integer maxTokens, JsonExpectation json,
            long startNanos, SpeculationService.Plan plan, java.util.concurrent.atomic.AtomicBoolean speculationDone,
            Set<String> serverTools, ToolRounds rounds) {

        List<ToolRun> toolRuns() {
            return rounds.runs();
        }

        long elapsedMs() {
            return (System.nanoTime() - startNanos) / 1_000_000;
        }
    }

    /** Hands a generation's timings to speculation (once); what they said, for {@code x_echelon}. */
    private EchelonMeta.Speculation speculated(Context ctx, JsonNode timings) {
        if (!ctx.speculationDone().compareAndSet(false, true)) {
            return null;
        }
        return EchelonMeta.Speculation.of(ctx.plan(), speculation.finish(ctx.plan(), timings));
    }

    private AttemptResult judgeJson(Context ctx, ObjectNode response) {
        JsonNode timings = response.remove("timings");
        EchelonMeta.Speculation spec = speculated(ctx, timings);
        JsonNode message = response.path("choices").path(0).path("message");
        ArrayNode serverCalls = ServerToolTurn.serverCalls(message.path("tool_calls"), ctx.serverTools());
        if (!serverCalls.isEmpty()) {
            // Echelon's own tools: no gate (a malformed argument is the tool's error to report back to the model)
            return new AttemptResult.ToolRound(ServerToolTurn.assistantMessage(message.path("content"), serverCalls),
                    response.get("usage"));
        }
        Transcript t = ctx.call().endpoint() == Endpoint.CHAT
                ? Transcript.fromChatCompletion(response, ctx.maxTokens(), ctx.json(), ctx.elapsedMs())
                : Transcript.of(response.path("choices").path(0).path("text").asText(""),
                        textOrNull(response.path("choices").path(0).path("finish_reason")));
        Verdict verdict = gate.judge(t);
        ctx.rounds().addTo(response.get("usage"));
        EchelonMeta meta = EchelonMeta.of(ctx.call(), ctx.decision(), ctx.lease(), timings,
                ctx.escalations(), verdict, spec, ctx.toolRuns());
        response.put("model", ctx.call().model());
        response.set("x_echelon", meta.toJson());
        if (ctx.stripLogprobs()) {
            stripLogprobs(response);
        }
        if (!verdict.pass()) {
            return new AttemptResult.Rejected(category(verdict), verdict.reason(), t.tokenCount(), verdict,
                    new AttemptResult.Candidate(response, null, null, null), null);
        }
        ctx.execution().sink().json(response);
        return new AttemptResult.Served(new GenerationResult(ctx.lease().instance().id(), finishReason(response),
                response.get("usage"), timings, 0, meta, t.toolCall() ? "" : t.text()), verdict);
    }

    /** A stream's callbacks (on the backend client's threads) with the request id in the logging MDC. */
    private record InRequest(String requestId, StreamListener<ObjectNode> listener)
            implements StreamListener<ObjectNode> {

        @Override
        public void onEvent(ObjectNode event) {
            try (var ignored = dev.echelon.observe.RequestMdc.open(requestId)) {
                listener.onEvent(event);
            }
        }

        @Override
        public void onComplete() {
            try (var ignored = dev.echelon.observe.RequestMdc.open(requestId)) {
                listener.onComplete();
            }
        }

        @Override
        public void onError(BackendException error) {
            try (var ignored = dev.echelon.observe.RequestMdc.open(requestId)) {
                listener.onError(error);
            }
        }
    }

    /** Relays one stream; every callback of one stream comes from one thread. */
    private final class Relay implements StreamListener<ObjectNode> {
        final CompletableFuture<AttemptResult> result = new CompletableFuture<>();
        private final Context ctx;
        private final TranscriptBuilder transcript;
        private final GenerationMonitor monitor = new GenerationMonitor(gateConfig);
        private final List<ObjectNode> held = new ArrayList<>();
        private ObjectNode first;
        private volatile StreamHandle handle;
        private boolean committed;
        private int contentEvents;
        private ObjectNode finish;
        private ObjectNode usage;
        private int chunks;
        /** Set when the stream opened with a call to one of Echelon's tools: the whole round is kept from the client. */
        private ServerToolTurn capture;

        Relay(Context ctx) {
            this.ctx = ctx;
            this.transcript = Transcript.builder().maxTokens(ctx.maxTokens()).json(ctx.json());
        }

        void handle(StreamHandle h) {
            this.handle = h;
            if (result.isDone()) {
                h.cancel();
            }
        }

        private void stop() {
            StreamHandle h = handle;
            if (h != null) {
                h.cancel();
            }
        }

        @Override
        public void onEvent(ObjectNode event) {
            if (result.isDone()) {
                return;
            }
            event.put("model", ctx.call().model());
            JsonNode choices = event.get("choices");
            if (event.has("usage") && (choices == null || choices.isEmpty())) {
                usage = event;
                return;
            }
            transcript.appendChunk(event);
            if (!committed && capture == null && ServerToolTurn.starts(event, ctx.serverTools())) {
                capture = new ServerToolTurn();
                held.forEach(capture::add);
            }
            if (capture != null) {
                if (finishReason(event) != null) {
                    finish = event;
                } else {
                    capture.add(event);
                }
                return;
            }
            if (finishReason(event) != null) {
                finish = event;
                return;
            }
            if (ctx.stripLogprobs()) {
                stripLogprobs(event);
            }
            if (first == null) {
                first = event;
            }
            if (!committed) {
                held.add(event);
                contentEvents++;
                if (contentEvents >= holdBackTokens || ctx.elapsedMs() >= holdBackMs) {
                    Verdict early = gate.judgeEarly(transcript.elapsedMs(ctx.elapsedMs()).build());
                    if (!early.pass()) {
                        stop();
                        result.complete(new AttemptResult.Rejected(category(early), "within the hold-back window: "
                                + early.reason(), transcript.tokenCount(), early, null, null));
                        return;
                    }
                    commit();
                }
                return;
            }
            chunks++;
            ctx.execution().sink().chunk(event);
            Optional<Failure> runaway = watch(event);
            if (runaway.isPresent()) {
                stop();
                endRunaway(runaway.get());
            }
        }

        private void commit() {
            committed = true;
            for (ObjectNode e : held) {
                chunks++;
                ctx.execution().sink().chunk(e);
                Optional<Failure> runaway = watch(e);
                if (runaway.isPresent()) {
                    stop();
                    endRunaway(runaway.get());
                    return;
                }
            }
            held.clear();
        }

        private Optional<Failure> watch(JsonNode event) {
            JsonNode lp = event.path("choices").path(0).path("logprobs").path("content");
            Optional<Failure> f = Optional.empty();
            if (lp.isArray() && !lp.isEmpty()) {
                for (JsonNode entry : lp) {
                    Optional<Failure> r = monitor.onToken(TokenLogprob.fromOpenAi(entry));
                    if (r.isPresent()) {
                        f = r;
                    }
                }
                return f;
            }
            String text = event.path("choices").path(0).path("delta").path("content").asText("");
            return text.isEmpty() ? Optional.empty() : monitor.onText(text);
        }

        /** A committed stream that ran away: end it honestly, as cut off, and say why. */
        private void endRunaway(Failure failure) {
            if (result.isDone()) {
                return;
            }
            ObjectNode last = templateFinish("length");
            Verdict verdict = gate.judge(transcript.elapsedMs(ctx.elapsedMs()).build());
            EchelonMeta meta = EchelonMeta.of(ctx.call(), ctx.decision(), ctx.lease(), null,
                    ctx.escalations(), verdict, null, ctx.toolRuns()).stoppedBy(failure.name().toLowerCase() + ": " + monitor.reason());
            last.set("x_echelon", meta.toJson());
            ctx.execution().sink().chunk(last);
            ctx.execution().sink().end();
            result.complete(new AttemptResult.Served(new GenerationResult(ctx.lease().instance().id(), "length", null,
                    null, chunks, meta, ""), verdict)); // a runaway's text is not worth remembering
        }

        private ObjectNode templateFinish(String reason) {
            ObjectNode base = first;
            ObjectNode last = com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode();
            if (base != null) {
                last.set("id", base.get("id"));
                last.set("created", base.get("created"));
            }
            last.put("object", ctx.call().endpoint() == Endpoint.CHAT ? "chat.completion.chunk" : "text_completion");
            last.put("model", ctx.call().model());
            ArrayNode choices = last.putArray("choices");
            ObjectNode c = choices.addObject().put("index", 0);
            if (ctx.call().endpoint() == Endpoint.CHAT) {
                c.putObject("delta");
            } else {
                c.put("text", "");
            }
            c.put("finish_reason", reason);
            return last;
        }

        @Override
        public void onComplete() {
            if (result.isDone()) {
                return;
            }
            if (finish == null) {
                result.complete(new AttemptResult.Rejected(ErrorCategory.EARLY_ABORT,
                        "the backend ended the stream without a finish_reason", transcript.tokenCount(), null, null,
                        null));
                return;
            }
            if (usage != null) {
                transcript.appendChunk(usage);
            }
            JsonNode timings = usage != null ? usage.remove("timings") : finish.remove("timings");
            EchelonMeta.Speculation spec = speculated(ctx, timings);
            if (capture != null) {
                ObjectNode message = capture.message();
                ArrayNode serverCalls = ServerToolTurn.serverCalls(message.path("tool_calls"), ctx.serverTools());
                if (!serverCalls.isEmpty()) {
                    result.complete(new AttemptResult.ToolRound(
                            ServerToolTurn.assistantMessage(message.path("content"), serverCalls),
                            usage == null ? null : usage.get("usage")));
                    return;
                }
                // no call of Echelon's after all (its name never arrived): the turn goes to the client as it came
                held.clear();
                held.addAll(capture.events());
                if (ctx.stripLogprobs()) {
                    held.forEach(GenerateStep::stripLogprobs);
                }
                capture = null;
            }
            Transcript done = transcript.elapsedMs(ctx.elapsedMs()).build();
            Verdict verdict = gate.judge(done);
            if (!committed && !verdict.pass()) {
                if (ctx.stripLogprobs()) {
                    stripLogprobs(finish);
                }
                result.complete(new AttemptResult.Rejected(category(verdict), verdict.reason(),
                        transcript.tokenCount(), verdict, new AttemptResult.Candidate(null, List.copyOf(held), finish,
                                usage), null));
                return;
            }
            if (!committed) {
                commit();
                if (result.isDone()) {
                    return;
                }
            }
            if (usage != null) {
                ctx.rounds().addTo(usage.get("usage"));
            }
            EchelonMeta meta = EchelonMeta.of(ctx.call(), ctx.decision(), ctx.lease(), timings,
                    ctx.escalations(), verdict, spec, ctx.toolRuns());
            deliverEnd(ctx.execution().sink(), ctx.call(), finish, usage, meta);
            result.complete(new AttemptResult.Served(new GenerationResult(ctx.lease().instance().id(),
                    finishReason(finish), usage == null ? null : usage.get("usage"), timings, chunks, meta,
                    done.toolCall() ? "" : done.text()), verdict));
        }

        @Override
        public void onError(BackendException error) {
            if (result.isDone()) {
                return;
            }
            if (committed) {
                // the client already has part of the answer: no invisible escalation is possible any more
                result.completeExceptionally(toRejection(error, ctx.decision()));
                return;
            }
            result.complete(failed(error, ctx.decision(), transcript.tokenCount()));
        }
    }

    /** Writes a stream's closing events, with {@code x_echelon} on the last one. */
    static void deliverEnd(ResponseSink sink, GenerationCall call, ObjectNode finish, ObjectNode usage,
            EchelonMeta meta) {
        if (call.includeUsage() && usage != null) {
            sink.chunk(finish);
            usage.set("x_echelon", meta.toJson());
            sink.chunk(usage);
        } else {
            finish.set("x_echelon", meta.toJson());
            sink.chunk(finish);
        }
        sink.end();
    }

    /** An attempt whose backend call failed, before anything reached the client. */
    static AttemptResult failed(Throwable t, RoutingDecision decision, long tokens) {
        Rejection r = toRejection(t, decision);
        if (t instanceof BackendTimeoutException) {
            return new AttemptResult.Rejected(ErrorCategory.TIMEOUT, r.getMessage(), tokens, null, null, null);
        }
        if (t instanceof BackendCancelledException) {
            return new AttemptResult.Rejected(ErrorCategory.INFRASTRUCTURE, "cancelled", tokens, null, null, r);
        }
        if (t instanceof BackendHttpException e && e.statusCode() >= 400 && e.statusCode() < 500) {
            // the request itself is wrong: another role would refuse it too
            return new AttemptResult.Rejected(ErrorCategory.FORMAT, r.getMessage(), tokens, null, null, r);
        }
        return new AttemptResult.Rejected(ErrorCategory.INFRASTRUCTURE, r.getMessage(), tokens, null, null, null);
    }

    static ErrorCategory category(Verdict v) {
        return v.category() == null ? ErrorCategory.LOW_QUALITY : ErrorCategory.valueOf(v.category().name());
    }

    static void stripLogprobs(JsonNode event) {
        JsonNode choices = event.get("choices");
        if (choices != null) {
            for (JsonNode c : choices) {
                if (c instanceof ObjectNode o) {
                    o.remove("logprobs");
                }
            }
        }
    }

    private static String textOrNull(JsonNode n) {
        return n == null || n.isNull() || n.isMissingNode() ? null : n.asText();
    }

    static String finishReason(JsonNode event) {
        JsonNode choices = event.get("choices");
        if (choices != null) {
            for (JsonNode c : choices) {
                JsonNode f = c.get("finish_reason");
                if (f != null && !f.isNull()) {
                    return f.asText();
                }
            }
        }
        return null;
    }

    static Throwable unwrap(Throwable t) {
        while (t instanceof CompletionException && t.getCause() != null) {
            t = t.getCause();
        }
        return t;
    }

    /** What a client is told when the backend fails; never the backend's internals beyond its own message. */
    static Rejection toRejection(Throwable t, RoutingDecision decision) {
        String role = decision.role();
        if (t instanceof Rejection r) {
            return r;
        }
        if (t instanceof BackendCancelledException e) {
            return Rejection.backend(499, "invalid_request_error", "client_closed", "request cancelled", e);
        }
        if (t instanceof BackendLoadingException e) {
            return Rejection.unavailable("Role '" + role + "' is loading its model; retry shortly", 2);
        }
        if (t instanceof BackendTimeoutException e) {
            return Rejection.backend(504, "server_error", "timeout", "Role '" + role + "' timed out ("
                    + e.phase().name().toLowerCase().replace('_', ' ') + " after " + e.timeout().toMillis() + " ms)", e);
        }
        if (t instanceof BackendUnavailableException e) {
            return Rejection.unavailable("Role '" + role + "' backend is unavailable", 2);
        }
        if (t instanceof BackendHttpException e) {
            if (e.statusCode() >= 400 && e.statusCode() < 500) {
                return Rejection.backend(e.statusCode() == 404 ? 400 : e.statusCode(),
                        e.errorType() == null ? "invalid_request_error" : e.errorType(), "backend_rejected",
                        e.serverMessage() == null ? e.detail() : e.serverMessage(), e);
            }
            return Rejection.backend(502, "server_error", "backend_error", "Role '" + role + "' backend failed: "
                    + (e.serverMessage() == null ? "HTTP " + e.statusCode() : e.serverMessage()), e);
        }
        if (t instanceof BackendException e) {
            return Rejection.backend(502, "server_error", "backend_error", "Role '" + role + "' backend failed", e);
        }
        return Rejection.backend(500, "server_error", "internal_error", "Internal error while generating", t);
    }
}
