package dev.echelon.pipeline;

import dev.echelon.registry.ResidencyState;

import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.ToDoubleFunction;

/**
 * The request path's window onto the residency controller, which runs beside it: whether a role can serve now, is
 * cold, moving or held by a decision (wait a bounded time), or is substituted by its fallback — read from an immutable
 * snapshot, never blocking — and the signals the pipeline sends back (a role was asked for; an answer was weak, so its
 * escalation target will likely be asked next). Nothing here waits for the controller: a held role's requests wait in
 * admission, bounded, and are dispatched when the controller reports the role's standing changed.
 */
public interface ResidencyView {

    /** Where a role stands for a request. */
    enum Standing {
        /** Running (S0–S3), or not managed by the controller: admission decides as usual. */
        SERVING,
        /** On NVMe only (S4): a request waits, bounded, while the controller is asked to promote it. */
        COLD,
        /** In flight between two placements (S5): a request waits, bounded, for it to land. */
        MOVING,
        /** Substituted (S6): its traffic goes to its fallback role. */
        SUBSTITUTED,
        /**
         * Running, but its new requests wait (bounded) for a decision that may move it: the controller's verdict on a
         * request for a role off the GPU (on the CPU or partly offloaded; started there, the request would hold the
         * role's promotion until it ends), a move the controller decided that has not started yet, or a deferral.
         */
        WAITING;

        /** Held by the controller with no server to take requests now. */
        public boolean held() {
            return this != SERVING;
        }
    }

    /**
     * @param state    the residency state, or empty for a role the controller does not manage
     * @param fallback the role that serves this one's traffic when it is substituted, or when waiting for it ran out
     */
    record RoleStanding(Standing standing, Optional<ResidencyState> state, Optional<String> fallback) {

        public static final RoleStanding UNMANAGED = new RoleStanding(Standing.SERVING, Optional.empty(),
                Optional.empty());
    }

    RoleStanding standing(String role);

    /** How long a request waits for a {@link Standing#COLD} or {@link Standing#MOVING} role before its fallback. */
    long waitMs();

    /**
     * A request was routed to {@code role} (any attempt, escalations included), with its size: prompt tokens
     * (estimated) and its answer budget. Never blocks.
     */
    void requested(String role, int promptTokens, int maxOutputTokens);

    /**
     * Whether a request for {@code role}, which is serving, should overflow to the role's fallback instead: the
     * residency policy's {@link dev.echelon.residency.Overflow} rule, when it has one, on the request's expected time
     * to first token on each (a role's wait for a slot, as {@code queueWaitSeconds} tells it, plus the prefill of
     * {@code promptTokens} where the role sits now). Empty to stay; the fallback's name to go. Never blocks.
     */
    default Optional<String> overflowTo(String role, int promptTokens, ToDoubleFunction<String> queueWaitSeconds) {
        return Optional.empty();
    }

    /**
     * A request served by {@code role} had its first token {@code ttftSeconds} after its receipt: the latency tail the
     * overflow rule judges a wait against. Never blocks.
     */
    default void firstToken(String role, double ttftSeconds) {
    }

    /**
     * A request that only {@code role} can take (its fallback's context cannot hold it) was queued for it: the
     * controller decides again with it counted. Never blocks.
     */
    default void waitsBound(String role) {
    }

    /** {@code role} answered with a weak pass: {@code likelyNext} will probably be asked soon. Never blocks. */
    void weakAnswer(String role, String likelyNext);

    /** Subscribes to changes of a role's standing (e.g. it landed and serves again); called with the role's name. */
    void onStandingChange(Consumer<String> listener);

    /** No residency controller: every role serves where the registry put it. */
    ResidencyView NONE = new ResidencyView() {
        @Override
        public RoleStanding standing(String role) {
            return RoleStanding.UNMANAGED;
        }

        @Override
        public long waitMs() {
            return 0;
        }

        @Override
        public void requested(String role, int promptTokens, int maxOutputTokens) {
        }

        @Override
        public void weakAnswer(String role, String likelyNext) {
        }

        @Override
        public void onStandingChange(Consumer<String> listener) {
        }
    };
}
