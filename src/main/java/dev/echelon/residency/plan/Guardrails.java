package dev.echelon.residency.plan;

import dev.echelon.registry.ResidencyState;
import dev.echelon.residency.Footprint;
import dev.echelon.residency.Ladder;
import dev.echelon.residency.Observation;
import dev.echelon.residency.Placement;
import dev.echelon.residency.ResidencyModel;
import dev.echelon.residency.ResidentRole;
import dev.echelon.residency.RolePlacement;
import dev.echelon.residency.Transition;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.Set;

/**
 * Turns a wanted placement into the transitions that may happen now, in a budget-safe order.
 *
 * <p>Per role, a change is refused (a {@link Veto}) when the role is in transit; when it would go below its pin or
 * use a variant it may not (precision floor) — the model's options already exclude both, checked again here; when
 * the ladder has no such edge; when the role changed less than the dwell time ago; or when the sliding window's cap is
 * reached. Dwell does not hold back promoting a role whose requests queue (the queue shows the current placement is
 * too slow), substituting it (S6: its fallback serves the queue at once), taking it off a fallback that serves it
 * slower than its own load would (the first step of that load), nor — in a plan that has such a load — demoting other
 * roles to make room for it: a waiting request never waits on a time lock. Nor does it hold back a
 * substituted role leaving S6 once its fallback no longer runs on the whole GPU (or leaves it in this plan, which is
 * why such roles are decided last): the substitution's premise is gone, and dwelling would leave its requests on a
 * fallback that serves them at CPU speed. That move bypasses the window cap too, like the fallback's move it follows.
 * Nor does dwell hold back the load that completes a role's leaving substitution for its own load (cold first, then
 * loaded into the room made for it): the dwell the first step started would leave that room empty.
 * Loading a role whose requests wait and that cannot serve them at GPU speed (it cannot serve at all, or only on the
 * CPU or partly offloaded) is <em>urgent</em>: it bypasses the window cap (it is still counted), and so do the
 * demotions that make room for it, so a queue never waits on anti-thrash limits either.
 *
 * <p>Flap damping: each time a role reverses direction (promoted after a demotion or the reverse) within
 * {@link GuardrailSettings#flapWindowSeconds}, its dwell doubles, up to {@link GuardrailSettings#maxDwellDoublings}
 * times — an A/B alternation slower than the dwell cannot make two roles trade places every dwell period.
 *
 * <p>What bounds transitions: whatever bypasses dwell or the window is driven by a waiting request — a load for it,
 * the evictions that make room for that load (at most one per other role), or its substitution — so without waiting
 * requests at most {@code maxTransitionsPerWindow} transitions start per window, and with them at most a role count's
 * worth per request that had to wait for a load. On alternating traffic the planner's reactive core bounds the
 * demand-driven part by a count: one pair of roles is swapped (one evicted for the other, or one substituted onto the
 * other and taken back) at most {@link GuardrailSettings#maxSwapsPerPair} times per flap window ({@link SwapBudget}).
 * AlternatingTraceTest checks both bounds.
 *
 * <p>Busy roles (requests in flight or queued) may be demoted by a plan: "never demote a role with requests in
 * flight" is kept where it can be kept exactly, by whoever carries the transition out — the live {@code Actuator} and
 * the simulator drain first (no new request starts on a role about to move; those in flight finish, then it moves).
 * Refusing the plan instead would leave an old role with a backlog holding the memory a phase change needs for ever.
 *
 * <p>What passes is ordered so that every intermediate placement fits the budgets: demotions and stops first
 * (largest GPU release first), then promotions, urgent ones and higher priority ({@link ResidentRole#priority})
 * first. A demotion that needs host RAM which only a later promotion frees goes through S4 (stop now, stage later),
 * when the window has room for the extra transition.
 * What cannot be placed in any safe order is vetoed ({@link Veto.Reason#BUDGET}): the
 * promotions that do not fit are dropped, and roles left unable to serve their waiting requests are reported as
 * deferred, lowest priority first.
 *
 * <p>Stateless apart from the settings; the history of changes is passed in.
 */
public final class Guardrails {

    private final ResidencyModel model;
    private final GuardrailSettings settings;

    public Guardrails(ResidencyModel model, GuardrailSettings settings) {
        this.model = model;
        this.settings = settings;
    }

    public GuardrailSettings settings() {
        return settings;
    }

    /** Towards a deeper state, or fewer GPU layers in the same state: less memory, slower service. */
    public static boolean demotes(RolePlacement from, RolePlacement to) {
        return rank(to) > rank(from) || (rank(to) == rank(from) && to.gpuLayers() < from.gpuLayers());
    }

    /**
     * Strictly up: a shallower state, or more GPU layers in the same state. A variant swap at the same depth and
     * layer count is neither a promotion nor a demotion.
     */
    public static boolean promotes(RolePlacement from, RolePlacement to) {
        return rank(to) < rank(from) || (rank(to) == rank(from) && to.gpuLayers() > from.gpuLayers());
    }

    /**
     * Order of service: the ladder's depth, except that substituted (S6) ranks above cold (S4). Neither holds
     * memory, but a substituted role's requests are answered by its fallback while a cold role's wait — so S4 → S6
     * is a promotion (it serves a queue at once, and dwell must not hold it back) and S6 → S4 a demotion.
     */
    private static double rank(RolePlacement p) {
        return p.state() == ResidencyState.S6 ? ResidencyState.S3.ordinal() + 0.5 : p.depth();
    }

    /** Whether {@code role}'s requests are answered in {@code p}: it runs, or it is substituted by a running fallback. */
    public boolean canServe(String role, Placement p) {
        RolePlacement rp = p.of(role);
        if (rp.running()) {
            return true;
        }
        if (rp.state() == ResidencyState.S6) {
            return model.role(role).fallback().map(f -> p.of(f).running()).orElse(false);
        }
        return false;
    }

    /**
     * What the planner may change now: roles in transit, within dwell (unless urgent) or — when the window's cap is
     * used up — all but urgent ones are fixed. Busy roles may be planned down: the demotion is carried out only after
     * they drained (see the class comment), and the planner prices the queued requests that wait for it.
     */
    public PlanConstraints constraints(Observation now, TransitionHistory history) {
        Set<String> fixed = new HashSet<>(now.inTransit());
        Set<String> noDemotion = new HashSet<>();
        boolean windowFull = history.countSince(now.nowSeconds() - settings.windowSeconds())
                >= settings.maxTransitionsPerWindow();
        for (String role : model.roles().keySet()) {
            boolean dwelling = now.queued(role) == 0 && withinDwell(role, now.nowSeconds(), history).isPresent();
            if (!urgent(role, now) && (windowFull || dwelling)) {
                fixed.add(role);
            }
        }
        return new PlanConstraints(fixed, noDemotion);
    }

    /** The allowed part of {@code wanted}, as ordered transitions from {@code now.current()}. */
    public GuardedPlan apply(Placement wanted, Observation now, TransitionHistory history) {
        Placement current = now.current();
        double t = now.nowSeconds();
        List<Veto> vetoes = new ArrayList<>();
        List<Move> moves = new ArrayList<>();
        // a load for requests that wait makes room by demoting idle roles: neither dwell nor (for a role that cannot
        // serve at all) the window holds those back, or the waiting requests would wait on a time lock
        boolean demandLoad = false;
        boolean urgentLoad = false;
        Map<String, String> takeOvers = takeOvers(current, wanted, now);
        for (String role : model.roles().keySet()) {
            RolePlacement from = current.of(role);
            RolePlacement to = wanted.roles().getOrDefault(role, from);
            boolean takesOver = takeOvers.containsKey(role);
            if (!now.inTransit().contains(role) && (now.queued(role) > 0 || takesOver)
                    && (promotes(from, to) || leavesSlowerFallback(role, from, to, current))
                    && Ladder.legal(from, to)) {
                demandLoad = true;
                urgentLoad |= urgent(role, now) || takesOver;
            }
        }
        // substituted roles leaving S6 are decided after everyone else: they follow their fallback
        List<String> roles = new ArrayList<>(model.roles().keySet());
        roles.sort(Comparator.comparing((String r) -> leavesSubstitution(current.of(r),
                wanted.roles().getOrDefault(r, current.of(r)))));
        Set<String> moving = new HashSet<>();
        for (String role : roles) {
            RolePlacement from = current.of(role);
            RolePlacement to = wanted.roles().getOrDefault(role, from);
            if (!from.running() && to.state() == from.state()) {
                to = from; // S4 → S4 / S6 → S6 under another variant name: nothing to do
            }
            if (to.equals(from)) {
                continue;
            }
            boolean makesRoom = demandLoad && makesRoom(role, from, to, now);
            boolean follows = leavesSubstitution(from, to)
                    && fallbackLeftGpu(role, current, wanted, moving);
            boolean takesOver = promotes(from, to) && takeOvers.containsKey(role);
            String why = refusal(role, from, to, now, history, vetoes, makesRoom || follows || takesOver);
            if (why == null) {
                moving.add(role);
                // following a fallback that is still on the GPU now: only together with, and after, its move
                String after = follows && model.wholeGpu(fallback(role), current.of(fallback(role))) ? fallback(role) : null;
                moves.add(new Move(role, from, to, (urgent(role, now) && promotes(from, to))
                        || (urgentLoad && makesRoom) || follows || takesOver || handsQueueOver(role, to, now),
                        after));
            }
        }
        int spare = capToWindow(moves, t, history, vetoes);
        dropOrphans(moves, vetoes);
        dropHandOversWithoutLoad(moves, takeOvers, vetoes);
        return order(moves, now, vetoes, spare);
    }

    /**
     * Moves that follow a fallback whose own move the window cap took out of {@code moves}: they are held back with
     * it.
     */
    private static void dropOrphans(List<Move> moves, List<Veto> vetoes) {
        Set<String> moving = new HashSet<>();
        moves.forEach(m -> moving.add(m.role));
        for (Move m : List.copyOf(moves)) {
            if (m.follows != null && !moving.contains(m.follows)) {
                moves.remove(m);
                vetoes.add(new Veto(m.role, m.from, m.to, Veto.Reason.WINDOW,
                        "follows " + m.follows + ", whose move is held back"));
            }
        }
    }

    /**
     * Roles {@code wanted} loads onto the GPU to take over the queue of a role handed to them → that role: one with
     * requests waiting that falls back to it and that {@code wanted} moves off, or keeps off, the GPU — a hand-over
     * ({@link ReactiveCore}) in its first step, or waiting for this load. Such a load is for waiting requests, as if
     * they were its own: dwell and the window's cap do not hold it back.
     */
    private Map<String, String> takeOvers(Placement current, Placement wanted, Observation now) {
        Map<String, String> out = new LinkedHashMap<>();
        for (String r : model.roles().keySet()) {
            Optional<String> f = model.role(r).fallback().filter(model::manages);
            if (f.isEmpty() || out.containsKey(f.get()) || now.queued(r) == 0
                    || onWholeGpu(r, wanted.roles().getOrDefault(r, current.of(r)))
                    || onWholeGpu(f.get(), current.of(f.get()))
                    || !onWholeGpu(f.get(), wanted.roles().getOrDefault(f.get(), current.of(f.get())))) {
                continue;
            }
            out.put(f.get(), r);
        }
        return out;
    }

    /** An admissible placement with all the role's layers on the GPU (a plan may ask for an inadmissible one). */
    private boolean onWholeGpu(String role, RolePlacement p) {
        return model.admissible(role, p) && model.wholeGpu(role, p);
    }

    /**
     * A role with requests waiting that leaves the GPU for its fallback's load, whose load is held back: it keeps
     * serving where it is. Moved off without it, its queue would wait for a load that is not coming.
     */
    private void dropHandOversWithoutLoad(List<Move> moves, Map<String, String> takeOvers, List<Veto> vetoes) {
        Set<String> moving = new HashSet<>();
        moves.forEach(m -> moving.add(m.role));
        for (Map.Entry<String, String> t : takeOvers.entrySet()) {
            String f = t.getKey();
            if (moving.contains(f)) {
                continue;
            }
            for (Move m : List.copyOf(moves)) {
                if (m.role.equals(t.getValue())) {
                    moves.remove(m);
                    vetoes.add(new Veto(m.role, m.from, m.to, Veto.Reason.WINDOW,
                            "hands over to " + f + ", whose load is held back"));
                }
            }
        }
    }

    /** A move that follows its fallback off the GPU, before the fallback's move in {@code placement}. */
    private boolean waitsForFallback(Move m, Map<String, RolePlacement> placement) {
        return m.follows != null && model.wholeGpu(m.follows, placement.get(m.follows));
    }

    private String fallback(String role) {
        return model.role(role).fallback().orElseThrow();
    }

    private static boolean leavesSubstitution(RolePlacement from, RolePlacement to) {
        return from.state() == ResidencyState.S6 && to.state() != ResidencyState.S6;
    }

    /**
     * Whether {@code role}'s fallback no longer serves it at GPU speed: it is off the GPU (or partly) now, or its move
     * off the GPU has just been let through. The substitution's premise is gone, so the substituted role follows at
     * once, whatever its dwell: otherwise its requests would be served on the CPU until the dwell runs out.
     */
    private boolean fallbackLeftGpu(String role, Placement current, Placement wanted, Set<String> moving) {
        return model.role(role).fallback().filter(model::manages).map(f -> {
            RolePlacement now = current.of(f);
            RolePlacement next = moving.contains(f) ? wanted.of(f) : now;
            return !model.wholeGpu(f, next);
        }).orElse(false);
    }

    /**
     * A role with requests waiting substituted onto a fallback that serves on the whole GPU: the move is what hands
     * them over (the last step of a hand-over, {@link ReactiveCore}), so the window's cap does not hold it back.
     */
    private boolean handsQueueOver(String role, RolePlacement to, Observation now) {
        return to.state() == ResidencyState.S6 && now.queued(role) > 0 && model.role(role).fallback()
                .filter(model::manages).map(f -> !now.inTransit().contains(f)
                        && model.wholeGpu(f, now.current().of(f))).orElse(false);
    }

    /** Records and returns the first per-role reason to refuse {@code from → to}, or null. */
    private String refusal(String role, RolePlacement from, RolePlacement to, Observation now,
            TransitionHistory history, List<Veto> vetoes, boolean makesRoom) {
        ResidentRole r = model.role(role);
        Veto.Reason reason = null;
        String detail = null;
        OptionalDouble dwell;
        if (now.inTransit().contains(role)) {
            reason = Veto.Reason.IN_TRANSIT;
            detail = "a transition is running";
        } else if (r.pin().isPresent() && to.depth() > r.pin().get().ordinal()) {
            reason = Veto.Reason.PIN;
            detail = "pinned at " + r.pin().get() + " or above";
        } else if (!model.admissible(role, to)) {
            reason = Veto.Reason.PRECISION_FLOOR;
            detail = model.inadmissible(role, to);
        } else if (!Ladder.legal(from, to)) {
            reason = Veto.Reason.ILLEGAL;
            detail = Ladder.why(from, to);
        } else if (to.state() == ResidencyState.S6 && now.bound(role) > 0) {
            reason = Veto.Reason.BOUND;
            detail = now.bound(role) + " waiting request(s) its fallback's context cannot hold";
        } else if (!(now.queued(role) > 0 && (promotes(from, to) || to.state() == ResidencyState.S6
                || leavesSlowerFallback(role, from, to, now.current()))) && !makesRoom
                && !completesLeavingSubstitution(role, from, to, history)
                && (dwell = withinDwell(role, now.nowSeconds(), history)).isPresent()) {
            reason = Veto.Reason.DWELL;
            detail = String.format(java.util.Locale.ROOT, "changed %.1f s ago, dwell %.0f s", dwell.getAsDouble(),
                    dwell(role, now.nowSeconds(), history));
        }
        if (reason != null) {
            vetoes.add(new Veto(role, from, to, reason, detail));
            return detail;
        }
        return null;
    }

    /**
     * The load of a cold role whose last transition took it off substitution: the second half of its leaving its
     * fallback for its own load (the reactive core takes such a role off substitution first, cold, and loads it once
     * the room its victims make is free). The first half was let through; held back by the dwell it started, the
     * second would leave the room made empty and the role cold, its next request waiting for a load.
     */
    private static boolean completesLeavingSubstitution(String role, RolePlacement from, RolePlacement to,
            TransitionHistory history) {
        return !from.running() && from.state() != ResidencyState.S6 && to.running()
                && history.lastTransition(role).map(t -> t.from().state() == ResidencyState.S6
                        && t.to().equals(from)).orElse(false);
    }

    /**
     * A substituted role leaving S6 while its fallback serves it slower than the role itself would on the whole GPU
     * (or no longer serves it at all): with requests waiting, that is the first step of its own load (the reactive
     * core takes a role off substitution first, then loads it), as demand-driven as a promotion. Held back by dwell
     * instead, the architect's requests stay parked on the one-slot coder behind its queue for minutes. Onto a
     * faster fallback (the coder on the architect) its requests are served meanwhile, and dwell still holds it.
     */
    private boolean leavesSlowerFallback(String role, RolePlacement from, RolePlacement to, Placement current) {
        if (!leavesSubstitution(from, to)) {
            return false;
        }
        Optional<String> fallback = model.role(role).fallback().filter(model::manages);
        if (fallback.isEmpty() || !current.of(fallback.get()).running()) {
            return true;
        }
        var own = model.role(role).smallestVariant();
        return clearingSeconds(fallback.get(), current.of(fallback.get()))
                > clearingSeconds(role, ResidencyModel.placementFor(own, own.layers()));
    }

    /** Seconds per reference request the role clears at {@code p} with every slot busy. */
    private double clearingSeconds(String role, RolePlacement p) {
        return model.referenceSeconds(role, p) / model.role(role).slots();
    }

    /** Seconds since {@code role}'s last change when that is within its (flap-damped) dwell time. */
    private OptionalDouble withinDwell(String role, double now, TransitionHistory history) {
        OptionalDouble last = history.lastChange(role);
        if (last.isPresent() && now - last.getAsDouble() < dwell(role, now, history)) {
            return OptionalDouble.of(Math.max(0, now - last.getAsDouble()));
        }
        return OptionalDouble.empty();
    }

    /** The dwell time of {@code role} now: the base dwell, doubled per recent reversal of direction. */
    public double dwell(String role, double now, TransitionHistory history) {
        int reversals = settings.flapWindowSeconds() > 0
                ? history.reversalsSince(role, now - settings.flapWindowSeconds()) : 0;
        return settings.dwellAfter(reversals);
    }

    /**
     * A role demoted to a placement that holds less memory: in a plan with a load for waiting requests, that is making
     * room for it (a busy one is drained first by whoever carries the demotion out).
     */
    private boolean makesRoom(String role, RolePlacement from, RolePlacement to, Observation now) {
        if (now.inTransit().contains(role) || !demotes(from, to)) {
            return false;
        }
        Footprint a = model.footprint(role, from);
        Footprint b = model.footprint(role, to);
        return b.gpuBytes() < a.gpuBytes() || b.hostBytes() < a.hostBytes();
    }

    /**
     * A role whose waiting requests cannot be served at GPU speed: it cannot serve at all, or only on the CPU or
     * partly offloaded (where a long prompt takes minutes instead of seconds).
     */
    private boolean urgent(String role, Observation now) {
        if (now.queued(role) == 0 || now.inTransit().contains(role)) {
            return false;
        }
        RolePlacement p = now.current().of(role);
        return !canServe(role, now.current())
                || (p.running() && p.gpuLayers() < model.role(role).requireVariant(p.variant()).layers());
    }

    /**
     * Keeps at most the window's remaining allowance of non-urgent moves: demotions first, then by priority. Returns
     * the allowance left over (a stop-first detour needs one more transition).
     */
    private int capToWindow(List<Move> moves, double t, TransitionHistory history, List<Veto> vetoes) {
        int used = history.countSince(t - settings.windowSeconds());
        int allowance = Math.max(0, settings.maxTransitionsPerWindow() - used);
        List<Move> optional = moves.stream().filter(m -> !m.urgent).sorted(preference()).toList();
        for (int i = allowance; i < optional.size(); i++) {
            Move m = optional.get(i);
            moves.remove(m);
            vetoes.add(new Veto(m.role, m.from, m.to, Veto.Reason.WINDOW, used + " transitions in the last "
                    + (int) settings.windowSeconds() + " s, cap " + settings.maxTransitionsPerWindow()));
        }
        return Math.max(0, allowance - optional.size());
    }

    /** Demotions first (largest GPU release first), then urgent promotions, then promotions by priority. */
    private Comparator<Move> preference() {
        return Comparator.comparing((Move m) -> !demotes(m.from, m.to))
                .thenComparing(m -> !m.urgent)
                .thenComparingLong(m -> demotes(m.from, m.to) ? -gpuRelease(m) : 0)
                .thenComparingInt(m -> -model.role(m.role).priority());
    }

    private long gpuRelease(Move m) {
        return model.footprint(m.role, m.from).gpuBytes() - model.footprint(m.role, m.to).gpuBytes();
    }

    /** Applies the moves in a budget-safe order; what cannot be ordered safely is vetoed. */
    private GuardedPlan order(List<Move> moves, Observation now, List<Veto> vetoes, int spare) {
        Map<String, RolePlacement> placement = new LinkedHashMap<>(now.current().roles());
        Footprint used = model.footprint(now.current());
        List<Move> pending = new ArrayList<>(moves);
        List<Transition> transitions = new ArrayList<>();
        while (!pending.isEmpty()) {
            pending.sort(preference());
            Move next = null;
            Footprint after = null;
            for (Move m : pending) {
                if (waitsForFallback(m, placement)) {
                    continue; // after its fallback's move
                }
                Footprint f = step(used, m.role, placement.get(m.role), m.to);
                if (safe(used, f)) {
                    next = m;
                    after = f;
                    break;
                }
            }
            if (next == null) {
                Move detour = spare > 0 ? stopFirst(pending, used, placement) : null;
                if (detour == null) {
                    break;
                }
                next = detour;
                after = step(used, detour.role, placement.get(detour.role), RolePlacement.cold(detour.to.variant()));
                transitions.add(model.transition(next.role, placement.get(next.role),
                        RolePlacement.cold(detour.to.variant())));
                placement.put(next.role, RolePlacement.cold(detour.to.variant()));
                used = after;
                pending.remove(detour);
                pending.add(new Move(detour.role, placement.get(detour.role), detour.to, detour.urgent,
                        detour.follows));
                spare--;
                continue;
            }
            transitions.add(model.transition(next.role, placement.get(next.role), next.to));
            placement.put(next.role, next.to);
            used = after;
            pending.remove(next);
        }
        for (Move m : pending) {
            if (waitsForFallback(m, placement)) {
                vetoes.add(new Veto(m.role, placement.get(m.role), m.to, Veto.Reason.BUDGET,
                        "follows " + m.follows + ", whose move does not fit"));
                continue;
            }
            vetoes.add(new Veto(m.role, placement.get(m.role), m.to, Veto.Reason.BUDGET,
                    "does not fit: " + gib(step(used, m.role, placement.get(m.role), m.to)) + " of "
                            + gib(model.budgets())));
        }
        Placement target = new Placement(placement);
        List<String> deferred = model.roles().values().stream()
                .filter(r -> now.queued(r.name()) > 0 && !canServe(r.name(), target))
                .sorted(Comparator.comparingInt(ResidentRole::priority))
                .map(ResidentRole::name).toList();
        return new GuardedPlan(target, transitions, deferred, vetoes);
    }

    /**
     * A pending demotion to a running placement that is blocked only because the host RAM it needs is freed by a
     * later promotion: stop it first (to S4, which frees everything), and stage it afterwards.
     */
    private Move stopFirst(List<Move> pending, Footprint used, Map<String, RolePlacement> placement) {
        for (Move m : pending) {
            RolePlacement from = placement.get(m.role);
            if (!from.running() || !m.to.running() || !demotes(from, m.to)) {
                continue;
            }
            RolePlacement stop = RolePlacement.cold(m.to.variant());
            if (model.admissible(m.role, stop) && Ladder.legal(from, stop)
                    && safe(used, step(used, m.role, from, stop))) {
                return m;
            }
        }
        return null;
    }

    private Footprint step(Footprint used, String role, RolePlacement from, RolePlacement to) {
        Footprint a = model.footprint(role, from);
        Footprint b = model.footprint(role, to);
        return new Footprint(used.gpuBytes() - a.gpuBytes() + b.gpuBytes(),
                used.hostBytes() - a.hostBytes() + b.hostBytes());
    }

    /** Within the budgets, or — when already over them — not growing in either resource. */
    private boolean safe(Footprint before, Footprint after) {
        if (after.within(model.budgets())) {
            return true;
        }
        return !before.within(model.budgets()) && after.gpuBytes() <= before.gpuBytes()
                && after.hostBytes() <= before.hostBytes();
    }

    private static String gib(Footprint f) {
        return String.format("GPU %.1f GiB, host %.1f GiB", f.gpuBytes() / 1073741824.0, f.hostBytes() / 1073741824.0);
    }

    private static String gib(dev.echelon.residency.Budgets b) {
        return gib(new Footprint(b.gpuBytes(), b.hostRamBytes()));
    }

    /** @param follows the fallback whose move off the GPU this one follows (and waits for), or null */
    private record Move(String role, RolePlacement from, RolePlacement to, boolean urgent, String follows) {
    }
}
