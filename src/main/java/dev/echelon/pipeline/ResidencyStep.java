package dev.echelon.pipeline;

import dev.echelon.escalation.EscalationPolicy;
import dev.echelon.quality.GateConfig;
import dev.echelon.quality.Verdict;
import dev.echelon.registry.ModelRegistry;
import dev.echelon.registry.ResidencyState;
import dev.echelon.registry.RoleSpec;
import dev.echelon.routing.RoutingDecision;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalInt;
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
 *
 * <p>A fallback takes a request only if its servers' context holds it as well as the routed role's would
 * ({@link RoleSpec#requestContextTokens}, against the request's generous estimate): the coder's 8,192 tokens a slot
 * would refuse an architect request of 10,000 that the architect's 16,384 take. Such a request is not substituted,
 * overflowed or sent on when its wait runs out; it waits for its own role, bounded, and is admitted as
 * {@linkplain Placed#bound bound} to it, so that the controller loads the role for it and hands no such request over.
 */
final class ResidencyStep {

    /** A pass whose mean log-probability is within this many nats of the gate's floor counts as weak. */
    static final double WEAK_MARGIN_NATS = 0.4;

    /**
     * @param decision     the decision to admit: the routed one, or its fallback's when the routed role is substituted
     * @param notes        lines for {@code x_echelon.escalations}
     * @param held         the residency state the admitted role is held in (S4/S5) and waited for, if it is
     * @param waitFallback where the request goes when waiting for a held role runs out, if anywhere
     * @param bound        only the admitted role can take it: its fallback's context cannot hold the request
     */
    record Placed(RoutingDecision decision, List<String> notes, Optional<ResidencyState> held,
            Optional<String> waitFallback, boolean bound) {
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
            if (!holds(to, routed.role(), size)) {
                notes.add(from + " (residency): substituted (S6), but its fallback " + to + " cannot hold this request "
                        + "(" + tooLong(to, size) + "); it waits for " + from);
                break;
            }
            notes.add(from + "→" + to + " (residency): " + from + " is substituted (S6) by its fallback");
            d = new RoutingDecision(to, registry.requireRole(to).tier(), "residency: " + from
                    + " is substituted (S6), served by its fallback " + to + " (routed as: " + routed.reason() + ")",
                    routed.confidence(), routed.alternatives());
            s = view.standing(to);
        }
        boolean bound = s.fallback().filter(f -> !holds(f, routed.role(), size)).isPresent();
        if (queueWaitSeconds != null && seen.isEmpty() && !bound
                && s.standing() == ResidencyView.Standing.SERVING) {
            Optional<String> over = view.overflowTo(d.role(), size.promptTokens(), queueWaitSeconds);
            if (over.isPresent() && holds(over.get(), routed.role(), size)) {
                String from = d.role();
                String to = over.get();
                double wait = queueWaitSeconds.applyAsDouble(from);
                notes.add(String.format(Locale.ROOT, "%s→%s (overflow): %s is busy (about %.0f s to a free slot); "
                        + "%s is hot and free", from, to, from, wait, to));
                d = new RoutingDecision(to, registry.requireRole(to).tier(), String.format(Locale.ROOT,
                        "overflow: %s would keep this request waiting about %.0f s for a slot, far past its tier's "
                        + "first-token objective; served by its fallback %s, hot and free (routed as: %s)",
                        from, wait, to, routed.reason()), routed.confidence(), routed.alternatives());
                return new Placed(d, notes, Optional.empty(), Optional.empty(), false);
            }
        }
        boolean held = s.standing() == ResidencyView.Standing.COLD || s.standing() == ResidencyView.Standing.MOVING
                || s.standing() == ResidencyView.Standing.WAITING || s.standing() == ResidencyView.Standing.SUBSTITUTED;
        return new Placed(d, notes, held ? s.state() : Optional.empty(),
                held && !bound ? s.fallback().filter(f -> !seen.contains(f)) : Optional.empty(), bound);
    }

    /**
     * Whether {@code fallback}'s servers hold the request as well as those of {@code routed}, the role it was routed
     * to: its estimated prompt and answer budget, or all that the routed role's own context holds, whichever is less.
     * A role whose context is not known here (an external server) is taken to hold it.
     */
    boolean holds(String fallback, String routed, RequestSize size) {
        OptionalInt theirs = registry.requireRole(fallback).requestContextTokens();
        if (theirs.isEmpty()) {
            return true;
        }
        OptionalInt own = registry.requireRole(routed).requestContextTokens();
        long needed = own.isPresent() ? Math.min(size.contextTokensAtMost(), own.getAsInt())
                : size.contextTokensAtMost();
        return theirs.getAsInt() >= needed;
    }

    private String tooLong(String fallback, RequestSize size) {
        return String.format(Locale.ROOT, "up to %d tokens of prompt and %d of answer; %d a request there",
                size.promptTokensAtMost(), size.maxOutputTokens(),
                registry.requireRole(fallback).requestContextTokens().orElse(0));
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

    /** A request bound to {@code role} waits in its queue: the controller is told, to decide with it counted. */
    void waitsBound(String role) {
        view.waitsBound(role);
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
