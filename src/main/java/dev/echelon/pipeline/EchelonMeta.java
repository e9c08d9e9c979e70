package dev.echelon.pipeline;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.echelon.quality.Verdict;
import dev.echelon.routing.RoutingDecision;

import java.util.List;

/**
 * What Echelon adds to every answer as {@code x_echelon}: who answered and why, what happened on the way
 * (escalations, the quality gate's verdict, a runaway stopped), what it cost in waiting, and how speculation went.
 *
 * @param escalations     each step taken before this answer, e.g. {@code frontdoor→worker: low_quality (…)}
 * @param draftAcceptance accepted ÷ drafted tokens, or null when the backend did not speculate
 * @param gate            the quality gate's verdict on this answer ({@code pass}, or {@code fail: reason})
 * @param stoppedBy       why Echelon cut a committed stream short, or null
 */
public record EchelonMeta(String requestId, String role, String tier, String routeReason, List<String> escalations,
        Double draftAcceptance, long queueMs, long loadWaitMs, String instance, String gate, String stoppedBy) {

    public EchelonMeta {
        escalations = List.copyOf(escalations);
    }

    static EchelonMeta of(RequestContext ctx, RoutingDecision d, Lease lease, JsonNode timings,
            List<String> escalations, Verdict verdict) {
        String gate = verdict == null ? null : verdict.pass() ? "pass" : "fail: " + verdict.reason();
        return new EchelonMeta(ctx.requestId(), d.role(), d.tier().name(), d.reason(), escalations,
                draftAcceptance(timings), lease.queueMs(), lease.loadWaitMs(), lease.instance().id(), gate, null);
    }

    EchelonMeta stoppedBy(String why) {
        return new EchelonMeta(requestId, role, tier, routeReason, escalations, draftAcceptance, queueMs, loadWaitMs,
                instance, gate, why);
    }

    EchelonMeta withGate(String g) {
        return new EchelonMeta(requestId, role, tier, routeReason, escalations, draftAcceptance, queueMs, loadWaitMs,
                instance, g, stoppedBy);
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
        return n;
    }
}
