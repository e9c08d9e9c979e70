package dev.echelon.pipeline;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Which role answered which recent request, in which task category, so that feedback arriving later
 * ({@code POST /v1/feedback}) can be credited to the right (category, role). Bounded: the oldest are forgotten.
 */
public final class RecentOutcomes {

    /**
     * What a served request was.
     *
     * @param recalled the memories recalled into it: a rating of the answer rates them too
     */
    public record Outcome(String requestId, String principal, TaskRouter.Classified classified, String role,
            java.util.List<Long> recalled) {

        public Outcome {
            recalled = recalled == null ? java.util.List.of() : java.util.List.copyOf(recalled);
        }

        public Outcome(String requestId, String principal, TaskRouter.Classified classified, String role) {
            this(requestId, principal, classified, role, java.util.List.of());
        }
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
