package dev.echelon.pipeline;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.echelon.quality.Verdict;
import dev.echelon.routing.RoutingDecision;
import dev.echelon.speculation.DraftSample;
import dev.echelon.speculation.SpeculationService;

import java.util.List;

/**
 * What Echelon adds to every answer as {@code x_echelon}: who answered and why, what happened on the way
 * (escalations, the quality gate's verdict, a runaway stopped), what it cost in waiting, and how speculation went.
 *
 * @param escalations     each step taken before this answer, e.g. {@code frontdoor→worker: low_quality (…)}
 * @param draftAcceptance accepted ÷ drafted tokens, or null when the backend did not speculate
 * @param gate            the quality gate's verdict on this answer ({@code pass}, or {@code fail: reason})
 * @param stoppedBy       why Echelon cut a committed stream short, or null
 * @param speculation     how this generation speculated (draft length in force, whether it was set per request,
 *                        draft and accepted tokens, tokens per second), or null when it did not
 * @param recalled        ids of the memories recalled into the request (rate them with {@code /v1/feedback})
 * @param tools           the server-side tool calls Echelon ran before this answer, in order
 */
public record EchelonMeta(String requestId, String role, String tier, String routeReason, List<String> escalations,
        Double draftAcceptance, long queueMs, long loadWaitMs, String instance, String gate, String stoppedBy,
        Speculation speculation, List<Long> recalled, List<ToolRun> tools) {

    /** The speculation facts of one generation. */
    public record Speculation(int nMax, boolean perRequest, int draftTokens, int acceptedTokens,
            double tokensPerSecond) {

        static Speculation of(SpeculationService.Plan plan, java.util.Optional<DraftSample> sample) {
            if (!plan.speculates() || sample.isEmpty() || !sample.get().speculated()) {
                return null;
            }
            DraftSample s = sample.get();
            return new Speculation(plan.nMax(), plan.perRequest(), s.drafted(), s.accepted(), s.tokensPerSecond());
        }
    }

    public EchelonMeta {
        escalations = List.copyOf(escalations);
        recalled = recalled == null ? List.of() : List.copyOf(recalled);
        tools = tools == null ? List.of() : List.copyOf(tools);
    }

    static EchelonMeta of(GenerationCall call, RoutingDecision d, Lease lease, JsonNode timings,
            List<String> escalations, Verdict verdict) {
        return of(call, d, lease, timings, escalations, verdict, null);
    }

    static EchelonMeta of(GenerationCall call, RoutingDecision d, Lease lease, JsonNode timings,
            List<String> escalations, Verdict verdict, Speculation speculation) {
        return of(call, d, lease, timings, escalations, verdict, speculation, List.of());
    }

    static EchelonMeta of(GenerationCall call, RoutingDecision d, Lease lease, JsonNode timings,
            List<String> escalations, Verdict verdict, Speculation speculation, List<ToolRun> tools) {
        String gate = verdict == null ? null : verdict.pass() ? "pass" : "fail: " + verdict.reason();
        return new EchelonMeta(call.context().requestId(), d.role(), d.tier().name(), d.reason(), escalations,
                draftAcceptance(timings), lease.queueMs(), lease.loadWaitMs(), lease.instance().id(), gate, null,
                speculation, call.recalled(), tools);
    }

    EchelonMeta stoppedBy(String why) {
        return new EchelonMeta(requestId, role, tier, routeReason, escalations, draftAcceptance, queueMs, loadWaitMs,
                instance, gate, why, speculation, recalled, tools);
    }

    EchelonMeta withGate(String g) {
        return new EchelonMeta(requestId, role, tier, routeReason, escalations, draftAcceptance, queueMs, loadWaitMs,
                instance, g, stoppedBy, speculation, recalled, tools);
    }

    static Double draftAcceptance(JsonNode timings) {
        if (timings == null || !timings.has("draft_n")) {
            return null;
        }
        double drafted = timings.path("draft_n").asDouble();
        return drafted <= 0 ? null : timings.path("draft_n_accepted").asDouble() / drafted;
    }

    public ObjectNode toJson() {
        ObjectNode n = JsonNodeFactory.instance.objectNode();
        n.put("request_id", requestId);
        n.put("role", role);
        n.put("tier", tier);
        n.put("route_reason", routeReason);
        var steps = n.putArray("escalations");
        escalations.forEach(steps::add);
        if (draftAcceptance == null) {
            n.putNull("draft_acceptance");
        } else {
            n.put("draft_acceptance", Math.round(draftAcceptance * 1000) / 1000.0);
        }
        n.put("queue_ms", queueMs);
        n.put("load_wait_ms", loadWaitMs);
        n.put("instance", instance);
        if (gate != null) {
            n.put("gate", gate);
        }
        if (stoppedBy != null) {
            n.put("stopped_by", stoppedBy);
        }
        if (speculation != null) {
            ObjectNode sp = n.putObject("speculation");
            sp.put("n_max", speculation.nMax());
            sp.put("set_per_request", speculation.perRequest());
            sp.put("draft_tokens", speculation.draftTokens());
            sp.put("accepted_tokens", speculation.acceptedTokens());
            sp.put("tokens_per_second", Math.round(speculation.tokensPerSecond() * 10) / 10.0);
        }
        if (!recalled.isEmpty()) {
            var ids = n.putObject("memory").putArray("recalled");
            recalled.forEach(ids::add);
        }
        if (!tools.isEmpty()) {
            var runs = n.putArray("tools");
            for (ToolRun t : tools) {
                ObjectNode r = runs.addObject().put("name", t.name()).put("ok", t.ok()).put("duration_ms", t.durationMs());
                if (t.limitHit() != null) {
                    r.put("limit_hit", t.limitHit());
                }
            }
        }
        return n;
    }
}
