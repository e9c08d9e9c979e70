package dev.echelon.pipeline;

import dev.echelon.escalation.EscalationPolicy;
import dev.echelon.quality.GateConfig;
import dev.echelon.quality.Verdict;
import dev.echelon.registry.ModelRegistry;
import dev.echelon.registry.ResidencyState;
import dev.echelon.routing.RoutingDecision;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.function.ToDoubleFunction;

/**
 * Between routing and admission: what the residency controller's placement means for this request. A role that is
 * substituted (S6) hands the request to its fallback, said so in {@code route_reason} and the escalations; a role
 * held cold (S4), moving (S5) or by a decision ({@link ResidencyView.Standing#WAITING}) is waited for — admission
 * bounds the wait — with its fallback named for when the wait runs out. A request still on its own role, serving but
 * so busy that it would wait far past its objective, may overflow to a hot fallback when the controller's rule takes
 * it ({@link ResidencyView#overflowTo}). Every routed role is signalled to the controller, which promotes a cold role
 * that is asked for. Reads the controller's snapshot and posts signals; never blocks.
 */
final class ResidencyStep {

    /** A pass whose mean log-probability is within this many nats of the gate's floor counts as weak. */
    static final double WEAK_MARGIN_NATS = 0.4;

    /**
     * @param decision     the decision to admit: the routed one, or its fallback's when the routed role is substituted
     * @param notes        lines for {@code x_echelon.escalations}
     * @param held         the residency state the admitted role is held in (S4/S5) and waited for, if it is
     * @param waitFallback where the request goes when waiting for a held role runs out, if anywhere
     */
    record Placed(RoutingDecision decision, List<String> notes, Optional<ResidencyState> held,
            Optional<String> waitFallback) {
    }

    private final ResidencyView view;
    private final ModelRegistry registry;
    private final GateConfig gate;
    private final EscalationPolicy escalation;

    ResidencyStep(ResidencyView view, ModelRegistry registry, GateConfig gate, EscalationPolicy escalation) {
        this.view = view;
        this.registry = registry;
        this.gate = gate;
        this.escalation = escalation;
    }

    /**
     * @param queueWaitSeconds how long a request would wait for a slot of a role now (admission's estimate), for the
     *                         overflow rule; null for a request that may not overflow (an escalation)
     */
    Placed place(RoutingDecision routed, RequestSize size, ToDoubleFunction<String> queueWaitSeconds) {
        view.requested(routed.role(), size.promptTokens(), size.maxOutputTokens());
        RoutingDecision d = routed;
        List<String> notes = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        ResidencyView.RoleStanding s = view.standing(d.role());
        while (s.standing() == ResidencyView.Standing.SUBSTITUTED && s.fallback().isPresent() && seen.add(d.role())) {
            String from = d.role();
            String to = s.fallback().get();
            notes.add(from + "→" + to + " (residency): " + from + " is substituted (S6) by its fallback");
            d = new RoutingDecision(to, registry.requireRole(to).tier(), "residency: " + from
                    + " is substituted (S6), served by its fallback " + to + " (routed as: " + routed.reason() + ")",
                    routed.confidence(), routed.alternatives());
            s = view.standing(to);
        }
        if (queueWaitSeconds != null && seen.isEmpty() && s.standing() == ResidencyView.Standing.SERVING) {
            Optional<String> over = view.overflowTo(d.role(), size.promptTokens(), queueWaitSeconds);
            if (over.isPresent()) {
                String from = d.role();
                String to = over.get();
                double wait = queueWaitSeconds.applyAsDouble(from);
                notes.add(String.format(Locale.ROOT, "%s→%s (overflow): %s is busy (about %.0f s to a free slot); "
                        + "%s is hot and free", from, to, from, wait, to));
                d = new RoutingDecision(to, registry.requireRole(to).tier(), String.format(Locale.ROOT,
                        "overflow: %s would keep this request waiting about %.0f s for a slot, far past its tier's "
                        + "first-token objective; served by its fallback %s, hot and free (routed as: %s)",
                        from, wait, to, routed.reason()), routed.confidence(), routed.alternatives());
                return new Placed(d, notes, Optional.empty(), Optional.empty());
            }
        }
        boolean held = s.standing() == ResidencyView.Standing.COLD || s.standing() == ResidencyView.Standing.MOVING
                || s.standing() == ResidencyView.Standing.WAITING;
        return new Placed(d, notes, held ? s.state() : Optional.empty(),
                held ? s.fallback().filter(f -> !seen.contains(f)) : Optional.empty());
    }

    /**
     * After the bounded wait for a held role ran out ({@code error} is admission's 503): the fallback's decision if
     * the fallback can serve now; empty otherwise, so the 503 with its Retry-After reaches the client. A waiting
     * request handed over because its role was substituted ({@link Rejection#handedOver}) goes to the fallback when
     * that can serve now, and is otherwise placed again as routed (to wait, bounded, where the substituted role's
     * traffic goes): a hand-over never ends a request by itself.
     */
    Optional<RoutingDecision> afterWait(Placed placed, Throwable error, Admission admission) {
        if (!(error instanceof Rejection r) || r.status() != 503 || "shutting_down".equals(r.code())) {
            return Optional.empty();
        }
        RoutingDecision d = placed.decision();
        boolean handedOver = handedOver(r);
        Optional<String> fallback = handedOver ? view.standing(d.role()).fallback() : placed.held().isPresent()
                ? placed.waitFallback() : Optional.empty();
        if (fallback.isEmpty() || fallback.get().equals(d.role()) || !admission.ready(fallback.get())) {
            return handedOver ? Optional.of(d) : Optional.empty();
        }
        String to = fallback.get();
        String why = handedOver ? " was substituted (S6) while the request waited" : " was "
                + describe(placed.held().get()) + " and not ready within " + view.waitMs() + " ms";
        return Optional.of(new RoutingDecision(to, registry.requireRole(to).tier(), "residency: " + d.role() + why
                + "; served by its fallback " + to + " (routed as: " + d.reason() + ")", d.confidence(),
                d.alternatives()));
    }

    /** The escalation line for {@link #afterWait}'s move. */
    String waitedNote(Placed placed, Throwable error, String to) {
        String role = placed.decision().role();
        if (role.equals(to)) {
            return role + " (residency): substituted (S6) while waiting, placed again";
        }
        return role + "→" + to + " (residency): " + role + (handedOver(error) ? " substituted (S6) while waiting"
                : " " + describe(placed.held().orElse(ResidencyState.S5)) + ", not ready within " + view.waitMs()
                + " ms");
    }

    private static boolean handedOver(Throwable error) {
        return error instanceof Rejection r && Rejection.HANDED_OVER.equals(r.code());
    }

    private static String describe(ResidencyState s) {
        return switch (s) {
            case S4 -> "cold (S4)";
            case S5 -> "moving (S5)";
            default -> "held by a residency decision (" + s + ")";
        };
    }

    /**
     * A pass that only just passed (confidence near the gate's floor): the next role of the request's chain will
     * likely be asked soon, a signal for prefetching it.
     */
    void answered(String role, Verdict verdict, String chain) {
        if (verdict == null || !verdict.pass() || !weak(verdict)) {
            return;
        }
        escalation.chainFor(role, chain).flatMap(c -> escalation.nextInChain(role, c))
                .ifPresent(next -> view.weakAnswer(role, next));
    }

    boolean weak(Verdict v) {
        boolean lowMean = !Double.isNaN(v.meanLogprob()) && v.meanLogprob() < gate.minMeanLogprob() + WEAK_MARGIN_NATS;
        boolean manyLow = !Double.isNaN(v.lowConfidenceFraction())
                && v.lowConfidenceFraction() > gate.maxLowConfidenceFraction() / 2;
        return lowMean || manyLow;
    }
}
