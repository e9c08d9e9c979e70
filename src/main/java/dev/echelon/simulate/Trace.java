package dev.echelon.simulate;

import dev.echelon.residency.policy.OfflineOptimum;

import java.util.List;

/** A generated request trace: its family, the seed that made it, its length and the requests by arrival time. */
public record Trace(TraceFamily family, long seed, double durationSeconds, List<Request> requests) {

    public Trace {
        requests = List.copyOf(requests);
    }

    /** The trace as the offline optimum reads it. */
    public List<OfflineOptimum.KnownRequest> known() {
        return requests.stream().map(r -> new OfflineOptimum.KnownRequest(r.arrivalSeconds(), r.role(),
                r.promptTokens(), r.outputTokens())).toList();
    }

    public long count(String role) {
        return requests.stream().filter(r -> r.role().equals(role)).count();
    }
}
