package dev.echelon.residency.plan;

import dev.echelon.registry.ResidencyState;
import dev.echelon.residency.Ladder;
import dev.echelon.residency.Observation;
import dev.echelon.residency.Placement;
import dev.echelon.residency.ResidencyModel;
import dev.echelon.residency.RolePlacement;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.ToIntFunction;

/**
 * The planner's core: serves the demand that is there now, the way a memory-aware on-demand loader does, but choosing
 * by expected cost over the horizon instead of by recency.
 *
 * <p>A role with requests waiting (or just asked for) that cannot serve them with all its layers on the GPU gets the
 * cheapest of:
 * <ul>
 *   <li><b>load</b> at a whole-GPU placement (every variant above the precision floor), making room by evicting the
 *       idle roles of least forecast loss per byte freed ({@link EvictionChooser}; victims staged in host RAM when it
 *       allows). When idle roles cannot make room, busy holders may be drained on purpose: they start no new request,
 *       their requests in flight finish, and this role's requests wait for that, which is priced. A busy holder with
 *       a queue is waited for until its queue is empty — or, when that wait would outlast the horizon, may be
 *       <b>held</b> instead, its queue waiting for its return ({@link #holdInstead}). A wait for a holder's queue or
 *       for its requests in flight is timed, and a holder that outlasts it is drained ({@link #timeDrained}). When
 *       only roles in transit hold the room, its requests <b>wait for them to land</b> and be waited for in turn,
 *       rather than start on a slow placement that would hold them for minutes; so do the queued requests of a role
 *       whose load, not yet begun, is taken back for another's ({@link #waitWhereALoadWasTakenBack});</li>
 *   <li><b>partial offload</b> or <b>CPU</b> into the memory that is free without evicting anybody;</li>
 *   <li><b>substitution</b> (S6) when its fallback runs: the fallback's speed plus the quality penalty — or, for a
 *       role on its CPU copy, onto its fallback loaded on the whole GPU for it beside the roles that stay
 *       ({@link #handOverInsteadOfLoad});</li>
 *   <li><b>staying</b> where it is, when it runs (or is substituted) already.</li>
 * </ul>
 * Costs are {@link PlacementCosts}'s for running and substituted placements (service, queueing, the move itself), plus
 * the victims' loss. A role that can be served by none waits cold for memory; the next decision tries again.
 *
 * <p>Four rules about substitution sit on top of the prices:
 * <ul>
 *   <li><b>Hindsight.</b> A role that the {@link Hindsight} re-solve of the recent past keeps substituted is handed
 *       to its fallback, and stays there, whenever the fallback runs on the whole GPU: the trade "leave the large
 *       role on its fallback rather than evict everybody for its sporadic requests" is one a per-request price
 *       misjudges and the exact schedule of the traffic just seen does not.</li>
 *   <li><b>Off substitution first.</b> A substituted role loaded by evicting its own fallback goes cold (S4) in this
 *       decision, its room kept for it, and is loaded by the next: its new requests then wait for its load instead
 *       of queueing at the leaving fallback and being served by its CPU copy.</li>
 *   <li><b>Hand-over.</b> A busy victim with a queue, evicted for the very role it falls back to, which clears its
 *       requests at least as fast, is substituted onto it (and drained) instead of waited for: a demotion waits for
 *       the queue, and with its requests still coming the load would wait for ever.</li>
 *   <li><b>Overload hand-over.</b> A role on the whole GPU whose queue outruns it is handed to a faster fallback
 *       loaded in its place, when that is cheaper ({@link #overloadHandOver}), counting the requests of loads that
 *       wait for its queue to end; its queue waits for the fallback to land, then moves to it.</li>
 * </ul>
 *
 * <p>Nothing here is frozen by dwell: a waiting request is never held back by a time lock (the guardrails let
 * demand-driven loads, and the evictions of idle roles that make room for them, past dwell). Thrash is bounded by a
 * count instead: a pair of roles that has swapped its budget's worth within the flap window ({@link SwapBudget}) may
 * not be swapped again until the window passes, so the role asking is then served by another option, or waits for
 * the budget where that costs less than starting its requests on a slow placement ({@link
 * #loadOnceTheSwapBudgetAllows});
 * the eviction loss also doubles per recent reversal of the victim, at most 16 × ({@link EvictionChooser}).
 */
public final class ReactiveCore {

    /**
     * What the core decided: the placement wanted, the roles whose requests wait, why, and which role each eviction
     * makes room for (victim → the role loaded), for the {@link SwapBudget}.
     */
    public record Result(Placement target, Set<String> deferred, List<String> causes, Map<String, String> evictions,
            Map<String, Double> awaited, Set<String> held, Map<String, String> handing, Set<String> insteadOfLoad,
            Set<String> leavingSubstitution) {
        /**
         * @param awaited       busy victims whose queue a load waits for → how long that queue is expected to last as
         *                      their requests keep coming ({@link #busyPeriod}); a victim still busy past that is
         *                      overdue
         * @param held          busy victims held with a queue ({@link #holdInstead}): they finish what is in flight
         *                      and start nothing new while their eviction stands, their queue waiting for their return
         * @param handing       roles being handed to their fallback while it loads → that fallback: for a queue they
         *                      cannot keep up with ({@link #overloadHandOver}), or instead of their own load
         *                      ({@link #handOverInsteadOfLoad}); the next decision gets them back
         * @param insteadOfLoad the roles in {@code handing} handed over instead of their own load: unlike an
         *                      overloaded role, they are not held on the fallback once there
         * @param leavingSubstitution roles taken off substitution (cold) for a load that waits for its room
         *                      ({@link #offSubstitutionFirst}): the next decisions still want that load, whether or
         *                      not a request of theirs waits, until it starts or another option is cheaper
         */
        public Result {
            deferred = Set.copyOf(deferred);
            causes = List.copyOf(causes);
            evictions = Map.copyOf(evictions);
            awaited = Map.copyOf(awaited);
            held = Set.copyOf(held);
            handing = Map.copyOf(handing);
            insteadOfLoad = Set.copyOf(insteadOfLoad);
            leavingSubstitution = Set.copyOf(leavingSubstitution);
        }
    }

    private final ResidencyModel model;
    private final PlannerSettings settings;
    private final PlacementCosts costs;
    private final EvictionChooser evictions;

    public ReactiveCore(ResidencyModel model, PlannerSettings settings, PlacementCosts costs) {
        this.model = model;
        this.settings = settings;
        this.costs = costs;
        this.evictions = new EvictionChooser(model, settings.horizonSeconds());
    }

    /**
     * Serves the waiting demand in {@code now} (the request just arrived counted among the queued), starting from
     * {@code wanted} (the current placement with the moves still pending).
     *
     * @param requested the role just asked for, or null on a tick
     * @param reversals recent reversals of direction per role
     * @param swaps     which pairs may still be swapped (one evicted for the other) now
     * @param substitutedInHindsight roles the recent past says are best left on their fallback ({@link Hindsight})
     * @param last      the last decision's hand-overs ({@link Result#handing}, {@link Result#insteadOfLoad}) and
     *                  the roles it took off substitution for their load ({@link Result#leavingSubstitution})
     */
    public Result serve(Observation now, Placement wanted, Forecast forecast, String requested,
            ToIntFunction<String> reversals, SwapBudget swaps, Set<String> substitutedInHindsight,
            Result last) {
        Map<String, String> handing = last == null ? Map.of() : last.handing();
        Set<String> leaving = last == null ? Set.of() : last.leavingSubstitution();
        Map<String, String> stillHanding = new LinkedHashMap<>();
        Set<String> insteadOfLoad = new LinkedHashSet<>();
        Set<String> deferred = new LinkedHashSet<>();
        Map<String, String> evicted = new LinkedHashMap<>();
        Map<String, Double> awaited = new LinkedHashMap<>();
        Set<String> held = new LinkedHashSet<>();
        List<String> causes = new ArrayList<>();
        Set<String> settled = new HashSet<>();
        // roles settled only because they were already serving on the whole GPU when the order reached them
        Set<String> servingOnGpu = new HashSet<>();
        Set<String> offFirst = new LinkedHashSet<>();
        Set<String> stillLeaving = new LinkedHashSet<>();
        Placement target = wanted;
        for (String role : order(now, requested)) {
            String taker = handing.get(role);
            if (taker != null && handingOn(role, taker, target, now) && now.bound(role) == 0) {
                // its queue waits for the fallback's load, then moves to it; it starts nothing on the way down
                stillHanding.put(role, taker);
                if (last.insteadOfLoad().contains(role)) {
                    insteadOfLoad.add(role);
                }
                settled.add(taker);
                if (now.current().of(role).running()) {
                    deferred.add(role);
                }
                if (!now.inTransit().contains(role) && !now.inTransit().contains(taker)
                        && model.wholeGpu(taker, now.current().of(taker))
                        && target.of(role).state() != ResidencyState.S6) {
                    target = target.with(role, RolePlacement.substituted(target.of(role).variant()));
                    causes.add(role + " handed to " + taker + ", which has landed on the GPU");
                }
                continue;
            }
            if (now.inTransit().contains(role)) {
                RolePlacement landing = now.current().of(role);
                if ((now.queued(role) > 0 || role.equals(requested)) && servesSlowly(role, landing)) {
                    // moving to a slower placement (an eviction) while a request came: it waits for the decision
                    // after the landing, instead of starting there at CPU speed when the role lands
                    deferred.add(role);
                }
                continue;
            }
            RolePlacement at = target.of(role);
            // a role still serving on the whole GPU keeps doing so until a pending demotion of it drains it
            if (model.wholeGpu(role, at) || model.wholeGpu(role, now.current().of(role))) {
                settled.add(role);
                Optional<Option> handOver = now.bound(role) > 0 ? Optional.empty()
                        : overloadHandOver(role, target, now, forecast, settled, reversals, swaps);
                if (handOver.isEmpty()) {
                    servingOnGpu.add(role);
                }
                if (handOver.isPresent()) {
                    String receiver = model.role(role).fallback().orElseThrow();
                    for (Map.Entry<String, RolePlacement> e : handOver.get().moves.entrySet()) {
                        if (!e.getKey().equals(role) && target.of(e.getKey()).onGpu() && !e.getValue().onGpu()) {
                            evicted.put(e.getKey(), receiver);
                        }
                        target = target.with(e.getKey(), e.getValue());
                    }
                    settled.add(receiver);
                    deferred.add(role);
                    stillHanding.put(role, receiver);
                    causes.add(handOver.get().describe(role, now.current().of(role)));
                }
                continue;
            }
            boolean substituted = at.state() == ResidencyState.S6;
            // a request its fallback cannot hold keeps the role from being left on it, whatever the recent past says
            boolean handOver = substitutedInHindsight.contains(role) && fallbackOnGpu(role, target)
                    && now.bound(role) == 0;
            if (substituted && handOver) {
                continue; // the recent past says its requests are best served by its fallback: they stay there
            }
            // taken off substitution by an earlier decision for a load that waits for its room: cold, it is no
            // longer substituted, and unless a request of its own waits nothing else asks for the load its victims
            // leave the GPU for (they would leave it to nobody)
            boolean offForItsLoad = leaving.contains(role) && !at.running() && !substituted;
            boolean demand = now.queued(role) > 0 || role.equals(requested) || offForItsLoad
                    || (substituted && forecast.of(role).expectedRequests(settings.horizonSeconds()) >= 1);
            if (!demand) {
                continue;
            }
            Set<String> keep = new HashSet<>(settled);
            for (String other : model.roles().keySet()) {
                if (!other.equals(role) && !swaps.allows(role, other, now.nowSeconds())) {
                    keep.add(other); // this pair swapped its budget's worth within the flap window
                }
            }
            // substituting the role onto its fallback, or taking it back to a slower placement of its own, is a swap
            // of that pair too (the flip S3 → S6 → S3 on an alternation): once spent, the role keeps its side
            boolean pairSpent = model.role(role).fallback()
                    .map(f -> model.manages(f) && !swaps.allows(role, f, now.nowSeconds())).orElse(false);
            Option best = handOver ? substitution(role, target, forecast) : null;
            if (best == null) {
                best = best(role, target, now, forecast, keep, reversals, pairSpent);
            }
            if (best != null && !handOver && now.queued(role) > 0
                    && servesSlowly(role, best.moves.getOrDefault(role, at))) {
                Optional<Option> first = loadAsIfReachedFirst(role, target, now, forecast, keep, servingOnGpu,
                        reversals, pairSpent, swaps);
                if (first.isPresent()) {
                    best = first.get();
                } else {
                    Optional<Option> later = loadOnceTheSwapBudgetAllows(role, target, now, forecast, keep,
                            settled, servingOnGpu, reversals, pairSpent, swaps);
                    if (later.isPresent() && later.get().cost < best.cost) {
                        best = later.get();
                    }
                }
            }
            if (best == null) {
                causes.add(role + " waits: no placement fits");
                if (at.running()) {
                    deferred.add(role);
                }
                continue;
            }
            if (substituted && offSubstitutionFirst(role, best)) {
                // the room stays the role's for the rest of this decision; it only waits cold for it
                offFirst.add(role);
                causes.add(role + " leaves substitution first: cold until its room is free");
            } else if (offForItsLoad && best.moves.getOrDefault(role, at).running()) {
                stillLeaving.add(role); // on its way to its room: remembered until its load starts
            }
            for (Map.Entry<String, RolePlacement> e : best.moves.entrySet()) {
                if (!e.getKey().equals(role) && target.of(e.getKey()).onGpu() && !e.getValue().onGpu()) {
                    evicted.put(e.getKey(), role); // a victim, not a dependent that goes cold with its fallback
                }
                target = target.with(e.getKey(), e.getValue());
            }
            settled.add(role);
            if (best.handTo != null) {
                // its requests wait for the fallback's load below, as for any move of a running role
                stillHanding.put(role, best.handTo);
                insteadOfLoad.add(role);
                settled.add(best.handTo);
            }
            deferred.addAll(best.hold);
            awaited.putAll(best.awaited);
            timeDrained(role, best, now, awaited);
            held.addAll(best.held);
            if (at.running() && !best.moves.isEmpty()) {
                // its requests wait for the move: a load takes seconds, where a request started at the slower
                // placement holds its slot for minutes; a substitution hands the queue to the fallback at once
                deferred.add(role);
            }
            if (!best.moves.isEmpty() || best.hold.contains(role)) {
                causes.add(best.describe(role, at));
            }
        }
        waitWhereALoadWasTakenBack(evicted.keySet(), target, now, deferred, causes);
        for (String role : offFirst) {
            target = target.with(role, RolePlacement.cold(target.of(role).variant()));
        }
        stillLeaving.addAll(offFirst);
        return new Result(consistent(target, now), deferred, causes, evicted, awaited, held, stillHanding,
                insteadOfLoad, stillLeaving);
    }

    /**
     * Times the busy victims {@code best} drains with nothing queued, as victims with a queue are timed: awaited for
     * their requests in flight (as {@link #drainSeconds} prices them). The hold on such a victim lasts only for the
     * decision that makes it (the next one finds the load standing and nothing to decide), so when its own requests
     * keep coming it starts each of them and its demotion waits for every one: in a drift replay (seed 3, 1694 s) a
     * worker's load waited 131 s behind a coder whose requests came every 5–39 s. Timed, it is drained again by the
     * rule for an overdue victim ({@code EchelonPlanner}) once it outlasts that wait while at least as many requests
     * wait for the load as for it. Victims handed to the role loaded are left out: their queue moves to it. Timed
     * here, once the option is chosen, rather than in the option itself: the price of holding victims instead
     * ({@link #holdInstead}) counts only those with a queue.
     */
    private void timeDrained(String role, Option best, Observation now, Map<String, Double> awaited) {
        for (String v : best.hold) {
            RolePlacement to = best.moves.get(v);
            if (!v.equals(role) && to != null && to.state() != ResidencyState.S6 && now.busy(v)) {
                awaited.putIfAbsent(v, drainSeconds(v, now.current().of(v), now.inFlight(v) / 2.0, now));
            }
        }
    }

    /**
     * A role on a slow placement (its CPU copy, or partly on the GPU) whose load, decided but not begun, this decision
     * takes back for another role's, and which has requests queued: they wait for the next decision instead of
     * starting where the role stays. A request started there holds its slot for as long as it runs at that speed, and
     * the role's next promotion waits for it (a workday replay, seed 29, 2372.7 s: a worker request started on the CPU
     * as a coder's load took the worker's back, and the next two worker requests waited 35–39 s behind it). The next
     * decision prices them afresh, waiting for the role that took the room to land among its options.
     */
    private void waitWhereALoadWasTakenBack(Set<String> victims, Placement target, Observation now,
            Set<String> deferred, List<String> causes) {
        for (String v : victims) {
            boolean takenBack = now.queued(v) > 0 && !now.inTransit().contains(v)
                    && servesSlowly(v, now.current().of(v)) && servesSlowly(v, target.of(v));
            if (takenBack && deferred.add(v)) {
                causes.add(v + " waits: its load was taken back");
            }
        }
    }

    /**
     * For a role with requests queued that its best option would start on a slow placement: its whole-GPU load as
     * it is priced when the roles merely serving on the whole GPU (settled only because the order reached them
     * first) may be waited for or held like any busy holder; empty where that pricing too leaves it slow. The order
     * puts the role just asked for first, so without this which side gets the GPU would depend on whose request
     * came last: in a drift replay (seed 42 with the coder's speculation priced, 1949 s) a math request held for the
     * coder's landing started on the CPU when a coder request arrived a second later, ran 86 s on its one slot, and
     * the next math request waited 85 s behind it. A holder with requests in flight is drained first, as always, so
     * its own decision to stay is not undone; pairs that spent their swap budget stay protected.
     */
    private Optional<Option> loadAsIfReachedFirst(String role, Placement target, Observation now, Forecast forecast,
            Set<String> keep, Set<String> servingOnGpu, ToIntFunction<String> reversals, boolean pairSpent,
            SwapBudget swaps) {
        Set<String> unbound = new HashSet<>(keep);
        unbound.removeIf(s -> servingOnGpu.contains(s) && swaps.allows(role, s, now.nowSeconds()));
        if (unbound.size() == keep.size()) {
            return Optional.empty();
        }
        Option first = best(role, target, now, forecast, unbound, reversals, pairSpent);
        RolePlacement to = first == null ? null : first.moves.get(role);
        return to != null && model.wholeGpu(role, to) ? Optional.of(first) : Optional.empty();
    }

    /**
     * For a role with requests queued that its best option would start on a slow placement because the pairs it would
     * swap with have spent their budget ({@link SwapBudget}): holding its requests until the budget allows the swap
     * again, then loading (or waiting for a landing role, then loading) — priced as that option, plus each expected
     * request waiting until the budget of every pair it unblocks allows a swap again. The budget bounds how often a
     * pair trades the GPU, not how long a request may run on the CPU: in a drift replay (seed 1 with the coder's
     * speculation priced, 2258 s) an architect request for 834 tokens started on the CPU because the architect and
     * the coder had swapped sixteen times (the default budget) within the flap window; it held the architect there
     * for 297 s, unable to move, and the architect requests behind it (and the coder's, handed to it) waited up to
     * 594 s. The swap itself still waits for the budget, so the bound on swaps is kept.
     */
    private Optional<Option> loadOnceTheSwapBudgetAllows(String role, Placement target, Observation now,
            Forecast forecast, Set<String> keep, Set<String> settled, Set<String> servingOnGpu,
            ToIntFunction<String> reversals, boolean pairSpent, SwapBudget swaps) {
        // the roles kept only by the budget: the settled ones too that merely serve on the whole GPU (as above)
        Set<String> spent = new HashSet<>();
        for (String s : keep) {
            if ((!settled.contains(s) || servingOnGpu.contains(s)) && !swaps.allows(role, s, now.nowSeconds())) {
                spent.add(s);
            }
        }
        if (spent.isEmpty()) {
            return Optional.empty();
        }
        Set<String> unbound = new HashSet<>(keep);
        unbound.removeAll(spent);
        Option load = best(role, target, now, forecast, unbound, reversals, pairSpent);
        if (load == null) {
            return Optional.empty();
        }
        RolePlacement to = load.moves.get(role);
        boolean loads = to != null && model.wholeGpu(role, to);
        boolean waitsForLanding = load.moves.isEmpty() && load.hold.contains(role);
        if (!loads && !waitsForLanding) {
            return Optional.empty();
        }
        double allowed = now.nowSeconds();
        for (String v : spent) {
            if (waitsForLanding || load.moves.containsKey(v)) {
                allowed = Math.max(allowed, swaps.allowsAgainAt(role, v, now.nowSeconds()));
            }
        }
        double expected = Math.max(1, forecast.of(role).expectedRequests(settings.horizonSeconds()));
        double wait = allowed - now.nowSeconds();
        return Optional.of(new Option(role + " waits " + Math.round(wait) + " s for the swap budget of " + spent
                + ", then: " + load.label, Map.of(), load.cost + expected * wait, Set.of(role), Map.of()));
    }

    /** Whether {@code role} at {@code p} serves, but not with all its layers on the GPU: on its CPU copy, or partly. */
    private boolean servesSlowly(String role, RolePlacement p) {
        return p.running() && !model.wholeGpu(role, p);
    }

    /**
     * Whether the hand-over of {@code role} to {@code taker} still stands: the role has not yet landed substituted,
     * and its fallback is on the GPU, landing there, or its load is still wanted.
     */
    private boolean handingOn(String role, String taker, Placement target, Observation now) {
        RolePlacement at = now.current().of(role);
        boolean substituted = at.state() == ResidencyState.S6 && !now.inTransit().contains(role);
        return !substituted && model.wholeGpu(taker, target.of(taker));
    }

    /**
     * A role serving with all its layers on the GPU whose queue outruns it, handed to its fallback loaded on the GPU
     * in its place when that is cheaper: a burst for a one-slot 32B coder builds a queue that grows by minutes, which
     * the 14B architect, with two slots at twice the speed, would clear at the substitution's quality penalty each.
     *
     * <p>The hand-over is atomic for the requests: the role starts nothing new, goes to host RAM once its requests
     * in flight finish, and its queue waits — for the fallback to have landed on the GPU ({@link Result#handing}),
     * then moves to it with the role's substitution. Handed over at once, the queue would land on the fallback's
     * CPU copy, where one request holds a slot for minutes.
     *
     * <p>Both sides are priced over the horizon by the queue that is there now, not by the steady-state wait at the
     * arrival rate: a burst inflates the rate and then ends, and at a rate near saturation the steady-state price
     * would hand over a queue the role clears in a minute (a scan replay paid 30 s of penalty per request for that).
     * Staying, the queue is cleared at the role's speed, the arrivals behind it waiting for it
     * ({@link #backlogSeconds}), and every request is served there. Handed over, every queued request and every
     * arrival waits for the hand-over (the role's and the fallback's requests in flight, the role's move off the GPU,
     * the fallback's load), then the grown queue is cleared at the fallback's speed, and every request is served
     * there with the penalty; plus the idle roles evicted for the fallback, what the fallback's own requests lose by
     * the move (what they gain is theirs to claim: the fallback's own load is one of its options), and the role's
     * way back. Only for a real queue (every slot busy, two or more waiting), only onto a fallback that clears the
     * role's requests faster, and only while the pair may still swap.
     *
     * <p>Both sides also count the requests queued for loads that stand behind the role's demotion
     * ({@link #waitingBehind}; the fallback is loaded beside them): staying, they wait for its queue's whole busy
     * period, since a demotion waits for the role to empty its queue and its arrivals keep refilling it; handed over,
     * only for its requests in flight and its move. Priced by the role's own queue alone, a workday replay (seed 31,
     * 1566 s) kept a coder with four to six queued on the GPU while a worker request waited 93 s for its room: the
     * coder's queue was cheaper to serve there than on the architect, but not together with the worker's wait.
     */
    private Optional<Option> overloadHandOver(String role, Placement target, Observation now, Forecast forecast,
            Set<String> settled, ToIntFunction<String> reversals, SwapBudget swaps) {
        RolePlacement serving = now.current().of(role);
        Optional<String> fallback = model.role(role).fallback().filter(model::manages);
        // serving there still, even if a load waits for its queue to empty (its demotion stands)
        if (fallback.isEmpty() || now.inTransit().contains(role) || target.of(role).state() == ResidencyState.S6
                || !model.wholeGpu(role, serving) || now.inFlight(role) < slots(role) || now.queued(role) < 2) {
            return Optional.empty();
        }
        String f = fallback.get();
        RolePlacement fAt = target.of(f);
        if (now.inTransit().contains(f) || model.wholeGpu(f, fAt) || fAt.state() == ResidencyState.S6
                || !swaps.allows(role, f, now.nowSeconds())) {
            return Optional.empty();
        }
        RolePlacement staged = RolePlacement.cpu(serving.variant());
        if (!model.admissible(role, staged) || !model.fits(target.with(role, staged))) {
            staged = RolePlacement.cold(serving.variant());
        }
        RoleForecast demand = forecast.of(role);
        double h = settings.horizonSeconds();
        double rate = Math.max(0, demand.arrivalRate(h));
        int queued = now.queued(role);
        double served = Math.max(queued, demand.expectedRequests(h));
        double clearsHere = costs.clearingSeconds(role, role, serving);
        double backlog = queued + now.inFlight(role) / 2.0;
        Set<String> waiting = waitingBehind(role, target, now);
        int behind = waiting.stream().mapToInt(now::queued).sum();
        double stay = backlogSeconds(backlog, rate, clearsHere) + served * costs.servedSeconds(role, role, serving)
                + behind * busyPeriod(role, serving, backlog * clearsHere, forecast);
        Set<String> keep = new HashSet<>(settled);
        keep.add(role);
        keep.addAll(waiting); // the fallback is loaded beside them: their requests then wait only for the role to leave
        Placement freed = target.with(role, staged);
        double leaves = drainSeconds(role, serving, now.inFlight(role) / 2.0, now)
                + model.transitionSeconds(role, serving, staged);
        Option best = null;
        for (FallbackLoad load : fallbackLoads(f, freed, now, forecast, keep, reversals)) {
            RolePlacement p = load.at();
            Placement after = load.after();
            double clears = costs.clearingSeconds(f, role, p);
            if (clears > clearsHere) {
                continue; // it would clear the queue slower than the role itself
            }
            double wait = Math.max(leaves, drainSeconds(f, fAt, now.inFlight(f) / 2.0, now))
                    + model.transitionSeconds(f, fAt, p);
            double handed = queued * wait + rate * wait * wait / 2
                    + backlogSeconds(queued + rate * wait + now.queued(f), rate, clears)
                    + served * (costs.servedSeconds(f, role, p) + settings.substitutionPenaltySeconds())
                    + Math.max(0, costs.cost(f, p, after, forecast) - costs.cost(f, fAt, target, forecast))
                    + load.room().loss() + costs.moveSeconds(role, staged, serving, 0, rate) + behind * leaves;
            if (handed < stay && (best == null || handed < best.cost)) {
                Map<String, RolePlacement> moves = new LinkedHashMap<>(load.room().moves());
                moves.put(f, p);
                moves.put(role, staged);
                String loads = behind == 0 ? "" : String.format(Locale.ROOT, ", %d waiting for its room", behind);
                best = new Option(String.format(Locale.ROOT,
                        "hand over to %s (its queue outruns it%s; %.1f s staying)", f, loads, stay), moves, handed);
            }
        }
        return Optional.ofNullable(best);
    }

    /**
     * The roles whose loads stand behind {@code role}'s demotion: while the target has it off the GPU, every other role
     * the target has on the whole GPU that is not there yet, nor landing.
     */
    private Set<String> waitingBehind(String role, Placement target, Observation now) {
        if (target.of(role).onGpu()) {
            return Set.of();
        }
        Set<String> waiting = new HashSet<>();
        for (String other : model.roles().keySet()) {
            if (!other.equals(role) && !now.inTransit().contains(other) && model.wholeGpu(other, target.of(other))
                    && !model.wholeGpu(other, now.current().of(other))) {
                waiting.add(other);
            }
        }
        return waiting;
    }

    /** A whole-GPU placement of a fallback, the idle roles evicted to make room for it, and the placement after. */
    private record FallbackLoad(RolePlacement at, EvictionChooser.Eviction room, Placement after) {
    }

    /**
     * Every legal whole-GPU placement of {@code f} from {@code from} that idle roles can make room for (roles in
     * {@code keep} stay), with that room made.
     */
    private List<FallbackLoad> fallbackLoads(String f, Placement from, Observation now, Forecast forecast,
            Set<String> keep, ToIntFunction<String> reversals) {
        List<FallbackLoad> out = new ArrayList<>();
        for (RolePlacement p : model.options(f)) {
            if (!model.wholeGpu(f, p) || !Ladder.legal(from.of(f), p)) {
                continue;
            }
            Optional<EvictionChooser.Eviction> room = evictions.choose(f, p, from, now, forecast, keep, false,
                    reversals);
            if (room.isEmpty()) {
                continue;
            }
            Placement after = from;
            for (Map.Entry<String, RolePlacement> e : room.get().moves().entrySet()) {
                after = after.with(e.getKey(), e.getValue());
            }
            out.add(new FallbackLoad(p, room.get(), after.with(f, p)));
        }
        return out;
    }

    /**
     * Request-seconds that {@code backlog} requests, and the arrivals while they are cleared, wait in queue at a
     * server that clears one every {@code clears} seconds with all its slots busy: the backlog takes T = backlog ×
     * clears, which the waiting requests spend half of on average, as do the {@code rate} × T arrivals behind them.
     */
    private static double backlogSeconds(double backlog, double rate, double clears) {
        double t = backlog * clears;
        return backlog * t / 2 + rate * t * t / 2;
    }

    /**
     * Whether a substituted role loaded by evicting its own fallback should first be taken off substitution (to S4;
     * the next decision loads it into the room this one makes): otherwise requests for it would still be routed to
     * the fallback, queue there while it leaves the GPU, and be served on the CPU after it lands — and the
     * fallback's next promotion would wait for them.
     */
    private boolean offSubstitutionFirst(String role, Option best) {
        Optional<String> fallback = model.role(role).fallback();
        RolePlacement to = best.moves.get(role);
        return fallback.isPresent() && to != null && to.running() && best.moves.containsKey(fallback.get())
                && !best.moves.get(fallback.get()).onGpu();
    }

    /**
     * A busy victim {@code v} with a queue, evicted for {@code role} (loading at {@code p}) that is its own fallback
     * and clears v's requests at least as fast as v does: handed to {@code role} (S6) instead of waited for. Its queue
     * would otherwise keep it busy — and this load waiting — for as long as its requests come (a demotion waits for
     * the queue); substituted, it finishes what is in flight and its queue moves to {@code role}.
     */
    private Optional<RolePlacement> handOver(String v, String role, RolePlacement p, Placement wanted,
            Observation now) {
        if (!now.busy(v) || now.queued(v) == 0 || now.bound(v) > 0 // its fallback cannot take all of its queue
                || !model.role(v).fallback().map(role::equals).orElse(false)
                || wanted.of(role).state() == ResidencyState.S6 // substituted onto v: v's queue holds its requests
                || costs.clearingSeconds(role, v, p) > costs.clearingSeconds(v, v, wanted.of(v))) {
            return Optional.empty();
        }
        RolePlacement sub = RolePlacement.substituted(wanted.of(v).variant());
        return model.admissible(v, sub) && Ladder.legal(wanted.of(v), sub) ? Optional.of(sub) : Optional.empty();
    }

    /** Whether the role's fallback runs with all its layers on the GPU in {@code p}. */
    private boolean fallbackOnGpu(String role, Placement p) {
        return model.role(role).fallback().filter(model::manages).map(f -> model.wholeGpu(f, p.of(f))).orElse(false);
    }

    /** Handing the role to its fallback, or null where that is no option. */
    private Option substitution(String role, Placement wanted, Forecast forecast) {
        RolePlacement sub = RolePlacement.substituted(model.role(role).smallestVariant().name());
        if (!model.admissible(role, sub) || !Ladder.legal(wanted.of(role), sub) || !model.fits(wanted.with(role, sub))) {
            return null;
        }
        double c = costs.cost(role, sub, wanted, forecast);
        return Double.isFinite(c) ? new Option("substitute (as in hindsight)", Map.of(role, sub), c) : null;
    }

    /** A substituted role whose fallback no longer runs in {@code p} goes cold: nobody would serve it otherwise. */
    private Placement consistent(Placement p, Observation now) {
        Placement out = p;
        for (String role : model.roles().keySet()) {
            RolePlacement at = out.of(role);
            if (at.state() == ResidencyState.S6 && !now.inTransit().contains(role)
                    && !model.role(role).fallback().map(f -> p.of(f).running()).orElse(false)) {
                out = out.with(role, RolePlacement.cold(at.variant()));
            }
        }
        return out;
    }

    /** The role just asked for first, then roles with waiting requests by tier priority, then the rest. */
    private List<String> order(Observation now, String requested) {
        List<String> roles = new ArrayList<>(model.roles().keySet());
        roles.sort(Comparator.comparing((String r) -> !r.equals(requested))
                .thenComparing(r -> now.queued(r) == 0)
                .thenComparingInt(r -> -model.role(r).priority()));
        return roles;
    }

    /**
     * The cheapest option for {@code role}; roles in {@code settled} are never evicted for it, and with
     * {@code pairSpent} it neither enters nor leaves substitution except by a whole-GPU load.
     */
    private Option best(String role, Placement wanted, Observation now, Forecast forecast, Set<String> settled,
            ToIntFunction<String> reversals, boolean pairSpent) {
        RolePlacement at = wanted.of(role);
        List<Option> options = new ArrayList<>();
        // requests its fallback's context cannot hold wait for the role itself: substituted, nobody serves them
        boolean bound = now.bound(role) > 0;
        if (at.running() || at.state() == ResidencyState.S6 && !bound) {
            options.add(new Option("stay", Map.of(), costs.cost(role, at, wanted, forecast)));
        }
        double expected = Math.max(1, forecast.of(role).expectedRequests(settings.horizonSeconds()));
        for (RolePlacement p : model.options(role)) {
            if (p.equals(at) || !Ladder.legal(at, p)) {
                continue;
            }
            if (model.wholeGpu(role, p)) {
                double own = costs.cost(role, p, wanted, forecast);
                Optional<EvictionChooser.Eviction> idle = evictions.choose(role, p, wanted, now, forecast, settled,
                        false, reversals);
                if (idle.isPresent()) {
                    options.add(new Option("load", with(idle.get().moves(), role, p), own + idle.get().loss()));
                    continue;
                }
                Optional<EvictionChooser.Eviction> busy = evictions.choose(role, p, wanted, now, forecast, settled,
                        true, reversals);
                if (busy.isPresent()) {
                    Set<String> drain = new LinkedHashSet<>();
                    Map<String, Double> awaited = new LinkedHashMap<>();
                    double wait = 0;
                    Map<String, RolePlacement> victims = new LinkedHashMap<>(busy.get().moves());
                    for (String v : busy.get().moves().keySet()) {
                        Optional<RolePlacement> handed = handOver(v, role, p, wanted, now);
                        if (handed.isPresent()) {
                            victims.put(v, handed.get());
                            drain.add(v);
                            // it waits for the requests in flight only: its queue moves to this role
                            wait = Math.max(wait, drainSeconds(v, wanted.of(v), now.inFlight(v) / 2.0, now));
                            continue;
                        }
                        if (now.busy(v)) {
                            if (now.queued(v) == 0) {
                                drain.add(v); // only requests in flight: it starts nothing new and moves after them
                                wait = Math.max(wait, drainSeconds(v, wanted.of(v), now.inFlight(v) / 2.0, now));
                                continue;
                            }
                            // its demotion waits until its queue is empty, and its arrivals keep refilling it:
                            // the load waits the busy period, not just the time the requests queued now take
                            double busyFor = queueLasts(v, wanted.of(v), now, forecast);
                            awaited.put(v, busyFor);
                            wait = Math.max(wait, busyFor);
                        }
                    }
                    options.add(new Option("wait for " + busy.get().moves().keySet() + ", then load",
                            with(victims, role, p), own + busy.get().loss() + expected * wait, drain, awaited));
                    holdInstead(role, at, p, wanted, now, forecast, busy.get(), victims, awaited, wait, own,
                            expected).ifPresent(options::add);
                    continue;
                }
                waitForLanding(role, p, wanted, now, forecast, settled, reversals, own, expected)
                        .ifPresent(options::add);
            } else if (p.running() && model.fits(wanted.with(role, p))
                    && !(pairSpent && at.state() == ResidencyState.S6)) {
                options.add(new Option(p.onGpu() ? "partial offload" : "cpu", Map.of(role, p),
                        costs.cost(role, p, wanted, forecast)));
            } else if (p.state() == ResidencyState.S6 && !pairSpent && !bound && model.fits(wanted.with(role, p))) {
                double c = costs.cost(role, p, wanted, forecast);
                if (Double.isFinite(c)) {
                    options.add(new Option("substitute", Map.of(role, p), c));
                }
            }
        }
        if (!pairSpent && !bound) {
            handOverInsteadOfLoad(role, wanted, now, forecast, settled, reversals).ifPresent(options::add);
        }
        return options.stream().filter(o -> Double.isFinite(o.cost)).min(Comparator.comparingDouble(Option::cost))
                .orElse(null);
    }

    /**
     * Instead of waiting for the queues of busy victims, holding them: they finish what is in flight and start nothing
     * new, the load goes ahead, and their queues wait for their return. Offered only where a queue is waited for and
     * the load's wait ({@code wait}) is priced beyond the horizon: a one-slot 32B coder whose requests keep coming
     * keeps its queue for minutes, and a worker request waiting behind it waited 182 s in one workday replay (seed 31,
     * 1505 s) where the optimum served it at once. Priced by who pays: the role's expected requests wait for the
     * requests in flight (half done on average); each request queued at a victim waits for the round trip — that
     * wait, the role's load, its queue served, the victim's reload — and the victim's arrivals for half of it on
     * average; plus what the evictions lose ({@link EvictionChooser}). Short waits are still only waited for: held
     * there too, the victim's next request took the GPU back before the role had served (a drift replay, seed 7,
     * ping-ponged), and over sixteen seeds two runs were lost.
     */
    private Optional<Option> holdInstead(String role, RolePlacement at, RolePlacement p, Placement wanted,
            Observation now, Forecast forecast, EvictionChooser.Eviction busy, Map<String, RolePlacement> victims,
            Map<String, Double> awaited, double wait, double own, double expected) {
        if (awaited.isEmpty() || wait < settings.horizonSeconds()) {
            return Optional.empty();
        }
        Set<String> hold = new LinkedHashSet<>();
        double inFlight = 0;
        for (String v : busy.moves().keySet()) {
            if (now.busy(v)) {
                hold.add(v);
                inFlight = Math.max(inFlight, drainSeconds(v, wanted.of(v), now.inFlight(v) / 2.0, now));
            }
        }
        double served = inFlight + model.transitionSeconds(role, at, p)
                + Math.max(1, now.queued(role)) * costs.clearingSeconds(role, role, p);
        double behind = 0;
        for (String v : awaited.keySet()) {
            double back = served + model.transitionSeconds(v, victims.get(v), wanted.of(v));
            double rate = Math.max(0, forecast.of(v).arrivalRate(settings.horizonSeconds()));
            behind += now.queued(v) * back + rate * back * back / 2;
        }
        return Optional.of(new Option("hold " + awaited.keySet() + " after its requests in flight, then load",
                with(victims, role, p), own + busy.loss() + expected * inFlight + behind, hold, Map.of(), null,
                awaited.keySet()));
    }

    /**
     * A role on its CPU copy in host RAM (S3) with requests waiting, handed to its fallback loaded onto the whole
     * GPU for it: the optimum's way with a large role asked for between other roles' requests. The 32B coder fills
     * the GPU on its own, so its load evicts the worker, math and the architect, and when they are busy it waits for
     * their queues and they wait for its queue in turn, each load undone by the next request of a role it evicted. The
     * architect, its fallback, fits beside the worker and math: loaded for the coder's requests, it serves them at
     * the quality penalty each while nobody waits for anybody. Found by pricing, like every option: the requests
     * queued now and the arrivals wait for the fallback to land (and for its requests in flight on a slower
     * placement to finish), then are served there at its speed plus the penalty ({@link PlacementCosts}); plus what
     * the fallback's own requests lose by the move, if anything, and the idle roles evicted to make room (busy ones
     * are not: then the wait is theirs again). The hand-over itself is the overload hand-over's: the role's queue
     * waits for the fallback to land, then moves to it ({@link Result#handing}). Only idle victims, only a pair
     * that may still swap.
     */
    private Optional<Option> handOverInsteadOfLoad(String role, Placement wanted, Observation now,
            Forecast forecast, Set<String> settled, ToIntFunction<String> reversals) {
        Optional<String> fallback = model.role(role).fallback().filter(model::manages);
        RolePlacement at = wanted.of(role);
        // on its CPU copy in host RAM: a cold role here has been taken off substitution for its own load
        if (fallback.isEmpty() || at.state() != ResidencyState.S3 || now.inTransit().contains(role)) {
            return Optional.empty();
        }
        String f = fallback.get();
        RolePlacement fAt = wanted.of(f);
        if (settled.contains(f) || now.inTransit().contains(f) || model.wholeGpu(f, fAt)
                || fAt.state() == ResidencyState.S6) {
            return Optional.empty();
        }
        RolePlacement sub = RolePlacement.substituted(model.role(role).smallestVariant().name());
        if (!model.admissible(role, sub) || !Ladder.legal(at, sub)) {
            return Optional.empty();
        }
        Set<String> keep = new HashSet<>(settled);
        keep.add(role);
        double rate = Math.max(0, forecast.of(role).arrivalRate(settings.horizonSeconds()));
        int queued = Math.max(1, now.queued(role));
        Option best = null;
        for (FallbackLoad load : fallbackLoads(f, wanted, now, forecast, keep, reversals)) {
            RolePlacement p = load.at();
            double lands = drainSeconds(f, fAt, now.inFlight(f) / 2.0, now) + model.transitionSeconds(f, fAt, p);
            double served = costs.cost(role, sub, load.after(), forecast);
            if (!Double.isFinite(served)) {
                continue;
            }
            double c = queued * lands + rate * lands * lands / 2 + served
                    + Math.max(0, costs.cost(f, p, load.after(), forecast) - costs.cost(f, fAt, wanted, forecast))
                    + load.room().loss();
            if (best == null || c < best.cost) {
                Map<String, RolePlacement> moves = new LinkedHashMap<>(load.room().moves());
                moves.put(f, p);
                best = new Option("load " + f + " and hand over to it", moves, c, Set.of(), Map.of(), f, Set.of());
            }
        }
        return Optional.ofNullable(best);
    }

    /**
     * Holding the role's requests back until the roles in transit that keep it off the GPU for now have landed and
     * served what waits for them, then loading it at {@code p} in their place; empty where no landing frees the room.
     * A role in transit is no victim, so without this the role's only option would be its slow placement (the CPU, a
     * partial offload) — and a request started there holds a slot for minutes, the role unable to move while it runs,
     * so the requests behind it wait for that instead of for a load that takes seconds. The wait is priced like
     * waiting for a busy victim: each expected request waits for the slowest of them to land (bounded by a load from
     * cold) and to clear its queue as its requests keep coming.
     */
    private Optional<Option> waitForLanding(String role, RolePlacement p, Placement wanted, Observation now,
            Forecast forecast, Set<String> settled, ToIntFunction<String> reversals, double own, double expected) {
        if (now.inTransit().isEmpty()) {
            return Optional.empty();
        }
        Optional<EvictionChooser.Eviction> later = evictions.choose(role, p, wanted, now.landed(), forecast,
                settled, true, reversals);
        if (later.isEmpty() || later.get().moves().keySet().stream().noneMatch(now.inTransit()::contains)) {
            return Optional.empty();
        }
        double wait = 0;
        for (String v : later.get().moves().keySet()) {
            RolePlacement at = wanted.of(v);
            if (!at.onGpu()) {
                continue; // substituted onto a victim: goes cold with it
            }
            double lands = now.inTransit().contains(v)
                    ? model.transitionSeconds(v, RolePlacement.cold(at.variant()), at) : 0;
            wait = Math.max(wait, lands + queueLasts(v, at, now, forecast));
        }
        return Optional.of(new Option(role + " waits for " + later.get().moves().keySet() + " to land, then loads to "
                + p, Map.of(), own + later.get().loss() + expected * wait, Set.of(role), Map.of()));
    }

    /**
     * How long the busy holder {@code v} at {@code at} stays busy before it can be demoted: its queue and the half of
     * its requests in flight cleared ({@link #drainSeconds}) while its arrivals keep refilling the queue
     * ({@link #busyPeriod}).
     */
    private double queueLasts(String v, RolePlacement at, Observation now, Forecast forecast) {
        return busyPeriod(v, at, drainSeconds(v, at, now.queued(v) + now.inFlight(v) / 2.0, now), forecast);
    }

    /**
     * How long a busy holder takes to finish {@code requests} of its work — its queue and half of each request in
     * flight (on average half done) when it is waited for, the half requests alone when it is handed over — spread
     * over its slots, at a typical request's time at its placement.
     */
    private double drainSeconds(String role, RolePlacement at, double requests, Observation now) {
        if (!now.busy(role) || !at.running()) {
            return 0;
        }
        return requests * costs.requestSeconds(role, at, 0) / slots(role);
    }

    private int slots(String role) {
        return model.role(role).slots();
    }

    /**
     * How long a queue that takes {@code clears} seconds lasts while the role's requests keep arriving at its forecast
     * rate: the busy period clears / (1 − ρ), ρ its utilisation, counted as at most 90 % (ten times {@code clears}) —
     * a role that arrivals keep busier than that never empties its queue, and a wait for it is bounded there.
     */
    private double busyPeriod(String role, RolePlacement at, double clears, Forecast forecast) {
        if (!at.running()) {
            return clears;
        }
        double rho = forecast.of(role).rate() * costs.clearingSeconds(role, role, at);
        return clears / (1 - Math.min(0.9, Math.max(0, rho)));
    }

    private static Map<String, RolePlacement> with(Map<String, RolePlacement> victims, String role,
            RolePlacement to) {
        Map<String, RolePlacement> m = new LinkedHashMap<>(victims);
        m.put(role, to);
        return m;
    }

    /**
     * @param hold    roles that start no new request: busy victims drained on purpose, or the role itself while it
     *                waits for the GPU
     * @param awaited busy victims whose queue is waited for → the seconds it is priced to take
     * @param handTo  the fallback the role is handed to once it has landed ({@link #handOverInsteadOfLoad}), or null
     * @param held    busy victims held with their queue ({@link #holdInstead}), held until their eviction is done
     */
    private record Option(String label, Map<String, RolePlacement> moves, double cost, Set<String> hold,
            Map<String, Double> awaited, String handTo, Set<String> held) {
        Option(String label, Map<String, RolePlacement> moves, double cost) {
            this(label, moves, cost, Set.of(), Map.of(), null, Set.of());
        }

        Option(String label, Map<String, RolePlacement> moves, double cost, Set<String> hold,
                Map<String, Double> awaited) {
            this(label, moves, cost, hold, awaited, null, Set.of());
        }

        String describe(String role, RolePlacement from) {
            if (moves.isEmpty()) {
                return String.format(Locale.ROOT, "%s (%.1f s)", label, cost);
            }
            StringBuilder sb = new StringBuilder(label).append(' ').append(role).append(' ').append(from)
                    .append(" → ").append(moves.getOrDefault(role, from));
            moves.forEach((r, p) -> {
                if (!r.equals(role)) {
                    sb.append(p.onGpu() ? ", load " : ", evict ").append(r).append(" → ").append(p);
                }
            });
            return sb.append(String.format(Locale.ROOT, " (%.1f s)", cost)).toString();
        }
    }
}
