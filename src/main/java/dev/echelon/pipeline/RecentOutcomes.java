package dev.echelon.pipeline;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Which role answered which recent request, in which task category, so that feedback arriving later
 * ({@code POST /v1/feedback}) can be credited to the right (category, role). Bounded: the oldest are forgotten.
 */
public final class RecentOutcomes {

    /** What a served request was. */
    public record Outcome(String requestId, String principal, TaskRouter.Classified classified, String role) {
    }

    private final int capacity;
    private final Map<String, Outcome> byId;

    public RecentOutcomes(int capacity) {
        this.capacity = capacity;
        this.byId = new LinkedHashMap<>(16, 0.75f, false) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, Outcome> eldest) {
                return size() > RecentOutcomes.this.capacity;
            }
        };
    }

    public synchronized void served(Outcome outcome) {
        byId.put(outcome.requestId(), outcome);
    }

    public synchronized Optional<Outcome> find(String requestId) {
        return Optional.ofNullable(byId.get(requestId));
    }
}
