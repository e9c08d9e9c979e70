package dev.echelon.residency.plan;

import dev.echelon.residency.Decision;
import dev.echelon.residency.Ladder;
import dev.echelon.residency.Observation;
import dev.echelon.residency.Overflow;
import dev.echelon.residency.Placement;
import dev.echelon.residency.ResidencyModel;
import dev.echelon.residency.ResidencyPolicy;
import dev.echelon.registry.ResidencyState;
import dev.echelon.residency.RolePlacement;
import dev.echelon.residency.Transition;
import dev.echelon.residency.policy.RequestCost;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Executor;
import java.util.stream.Collectors;

/**
 * Echelon's residency policy: forecast → plan → guardrails, every tick and on demand.
 *
 * <p>The plan is the {@link ReactiveCore}'s answer to the demand waiting now, the {@link Prefetcher}'s forecast-driven
 * use of free memory on each planning tick, and — once a minute — a {@link Hindsight} re-solve of the last ten
 * minutes with the exact offline dynamic programme, which says which roles are best left substituted onto their
 * fallback.
 *
 * <ul>
 *   <li>{@link #onTick}: replans at most every {@link PlannerSettings#tickSeconds}.</li>
 *   <li>{@link #onRequest}: counts the arrival, learns the role's typical request size, and replans at once with the
 *       new request counted as waiting — an on-demand load of a cold role, or a promotion of a slow one, that is
 *       still budget-safe and guarded; a role about to be promoted is deferred, so the request waits for it.</li>
 *   <li>{@link #onWeakAnswer}: raises the escalation target's near-term demand (predictive prefetch).</li>
 * </ul>
 *
 * <p>Its {@link TransitionHistory} (dwell, the anti-thrash window, flap damping) books the transitions that
 * <em>started</em>, as seen in successive observations — not the ones it decided, which may wait for a drain or for
 * memory and would otherwise be booked again at every replan. Thread-safe: calls are serialised.
 */
public final class EchelonPlanner implements ResidencyPolicy {

    private final ResidencyModel model;
    private final PlannerSettings settings;
    private final Forecaster forecaster;
    private final PlacementCosts costs;
    private final ReactiveCore core;
    private final Prefetcher prefetcher;
    private final Guardrails guardrails;
    private final TransitionHistory history;
    private final SwapBudget swaps;
    private final Hindsight hindsight;
    /** The request path's overflow rule ({@link Overflow}); empty when the deployment turned it off. */
    private final Optional<Overflow> overflow;
    /** Victims of the core's evictions whose moves have not been seen to start → the role they make room for. */
    private final Map<String, String> displacing = new LinkedHashMap<>();
    /** Moves decided and let through that have not been seen to start: they stand until they do or are re-decided. */
    private final Map<String, RolePlacement> pending = new LinkedHashMap<>();
    /**
     * Busy victims whose queue a pending load waits for → {since, how long that queue should last with its requests
     * still coming}. A victim kept busy by its arrivals may never empty its queue; once it has been waited for longer
     * than that it is drained instead.
     */
    private final Map<String, double[]> awaited = new LinkedHashMap<>();
    /** Busy victims held with their queue while their eviction stands ({@link ReactiveCore.Result#held}). */
    private final Set<String> held = new LinkedHashSet<>();
    /** The reactive core's last answer: its hand-overs still under way ({@link ReactiveCore.Result#handing}). */
    private ReactiveCore.Result lastReactive;
    /**
     * Roles handed over that have landed on their fallback → when they were last asked for: they stay there while
     * they keep being asked for within the horizon ({@link #heldOnFallback}).
     */
    private final Map<String, Double> handedOver = new LinkedHashMap<>();

    private final Map<String, RequestShape> shapes = new HashMap<>();
    private Placement lastSeen;
    private Decision lastDecision;
    private double lastPlanAt = Double.NEGATIVE_INFINITY;
    private Forecast lastForecast;
    private Plan lastPlan;
    private GuardedPlan lastGuarded;
    private String lastCause = "no plan yet";

    public EchelonPlanner(ResidencyModel model, PlannerSettings settings, ForecastSettings forecast,
            GuardrailSettings guardrails) {
        this(model, settings, forecast, guardrails, HindsightSettings.DEFAULTS, Runnable::run,
                Optional.of(Overflow.Settings.DEFAULTS));
    }

    /**
     * @param hindsight       how the recent past is re-solved ({@link Hindsight})
     * @param hindsightSolver where those solves run: {@code Runnable::run} for a deterministic replay, a background
     *                        thread for the live controller (solve times: {@link HindsightSettings#DEFAULTS})
     * @param overflow        the request path's overflow rule; empty: no request is sent to a fallback because its
     *                        own role is busy
     */
    public EchelonPlanner(ResidencyModel model, PlannerSettings settings, ForecastSettings forecast,
            GuardrailSettings guardrails, HindsightSettings hindsight, Executor hindsightSolver,
            Optional<Overflow.Settings> overflow) {
        this.model = model;
        this.overflow = overflow.map(Overflow::new);
        this.settings = settings;
        this.forecaster = new Forecaster(forecast);
        this.costs = new PlacementCosts(model, settings);
        this.core = new ReactiveCore(model, settings, costs);
        this.prefetcher = new Prefetcher(model, settings, costs);
        this.guardrails = new Guardrails(model, guardrails);
        this.history = new TransitionHistory(Math.max(Math.max(guardrails.windowSeconds(),
                guardrails.dwellAfter(guardrails.maxDwellDoublings())), guardrails.flapWindowSeconds()) * 2);
        this.swaps = new SwapBudget(guardrails.maxSwapsPerPair(), guardrails.flapWindowSeconds());
        this.hindsight = new Hindsight(model, hindsight,
                new RequestCost(settings.tpotWeight(), settings.substitutionPenaltySeconds()), hindsightSolver);
    }

    /** With {@link PlannerSettings#DEFAULTS}, {@link ForecastSettings#DEFAULTS}, {@link GuardrailSettings#DEFAULTS}. */
    public EchelonPlanner(ResidencyModel model) {
        this(model, PlannerSettings.DEFAULTS, ForecastSettings.DEFAULTS, GuardrailSettings.DEFAULTS);
    }

    @Override
    public String name() {
        return "planner";
    }

    /** Echelon's request path sends a request stuck behind a busy hot role to its hot fallback ({@link Overflow}). */
    @Override
    public Optional<Overflow> overflow() {
        return overflow;
    }

    @Override
    public synchronized Decision onRequest(Observation now, String role) {
        return request(now, role);
    }

    /**
     * As {@link #onRequest(Observation, String)}, and learns the role's typical request: an exponentially weighted
     * mean of prompt and output tokens per role (the settings' reference request as the prior), which prices the
     * role's placements ({@link PlacementCosts#shape}).
     */
    @Override
    public synchronized Decision onRequest(Observation now, String role, int promptTokens, int maxOutputTokens) {
        if (model.manages(role)) {
            shapes.computeIfAbsent(role, r -> new RequestShape(settings.promptTokens(), settings.outputTokens()))
                    .add(promptTokens, maxOutputTokens);
            RequestShape s = shapes.get(role);
            costs.shape(role, s.prompt, s.output);
        }
        hindsight.request(now.nowSeconds(), role, promptTokens, maxOutputTokens);
        return request(now, role);
    }

    private Decision request(Observation now, String role) {
        observe(now);
        forecaster.arrival(role, now.nowSeconds());
        if (!model.manages(role)) {
            return Decision.keep(now.current(), "request for unmanaged role " + role);
        }
        // every arrival decides at once (tens of microseconds): the request is counted as waiting where it will be
        // served, and the reactive core loads its role if it cannot serve it with all its layers on the GPU
        Map<String, Integer> queued = new HashMap<>(now.queued());
        String server = servedBy(role, now);
        queued.merge(server, 1, Integer::sum);
        if (!server.equals(role)) {
            // and at the substituted role too: the demand is its own, and a load of it is a load for a waiting request
            queued.merge(role, 1, Integer::sum);
        }
        Observation withRequest = new Observation(now.nowSeconds(), now.current(), now.inTransit(), now.inFlight(),
                queued, now.bound());
        boolean cannotServe = !now.inTransit().contains(role) && !guardrails.canServe(role, now.current());
        String why = cannotServe
                ? "request for " + role + " (" + now.current().of(role) + ", cannot serve)"
                : "request for " + role + " (" + (now.queued(role) + 1) + " waiting)";
        return decide(withRequest, why, role, false);
    }

    /**
     * Where a request for {@code role} is served as things stand: a role substituted (settled in S6) hands its
     * requests to its fallback at once (the request path and the simulator route them so), following the chain. The
     * request is counted there, so that the plan does not demote the very role about to serve it.
     */
    private String servedBy(String role, Observation now) {
        String at = role;
        for (int hops = 0; hops <= model.roles().size(); hops++) {
            if (now.inTransit().contains(at) || now.current().of(at).state() != ResidencyState.S6) {
                return at;
            }
            java.util.Optional<String> next = model.role(at).fallback();
            if (next.isEmpty() || !model.manages(next.get())) {
                return at;
            }
            at = next.get();
        }
        return role;
    }

    /**
     * Books the transitions that actually started since the last observation: a role whose placement (the settled
     * one, or for a role in transit the one it moves to) differs from what was seen before has started to move.
     * Recording what happened, not what was decided, keeps a move that must wait (for a drain, for memory) from
     * being booked again at every replan and filling the anti-thrash window with moves that never started.
     */
    private void observe(Observation now) {
        Placement seen = lastSeen;
        lastSeen = now.current();
        if (seen == null) {
            return;
        }
        for (String role : model.roles().keySet()) {
            RolePlacement before = seen.of(role);
            RolePlacement after = now.current().of(role);
            if (before.equals(after) || (!before.running() && !after.running() && before.state() == after.state())) {
                continue;
            }
            String beneficiary = displacing.remove(role);
            if (beneficiary != null && Guardrails.demotes(before, after)) {
                swaps.record(beneficiary, role, now.nowSeconds());
            }
            boolean substitution = (before.state() == ResidencyState.S6) != (after.state() == ResidencyState.S6);
            java.util.Optional<String> fallback = model.role(role).fallback();
            if (substitution && fallback.isPresent() && model.manages(fallback.get())) {
                // handed to its fallback, or taken back from it: a swap of that pair for the budget too
                swaps.record(role, fallback.get(), now.nowSeconds());
            }
            List<Transition> steps = plannedSteps(role, before, after);
            if (!steps.isEmpty()) {
                steps.forEach(t -> history.record(t, now.nowSeconds()));
            } else if (Ladder.legal(before, after)) {
                history.record(model.transition(role, before, after), now.nowSeconds());
            } else {
                history.record(role, now.nowSeconds());
            }
        }
    }

    /**
     * The steps of the last guarded plan that lead {@code role} from {@code before} to {@code after} when there are
     * several — a stop-first detour (S2 → S4 → S2 with fewer layers, {@link Guardrails}) is two transitions for
     * whoever carries out the plan's transitions, though successive observations may show only its two ends; counting
     * it once would let the next plan exceed the anti-thrash window's cap. Empty when the plan has no such chain.
     */
    private List<Transition> plannedSteps(String role, RolePlacement before, RolePlacement after) {
        if (lastGuarded == null) {
            return List.of();
        }
        List<Transition> chain = lastGuarded.transitions().stream().filter(t -> t.role().equals(role)).toList();
        if (chain.size() < 2 || !chain.get(0).from().equals(before)
                || !chain.get(chain.size() - 1).to().equals(after)) {
            return List.of();
        }
        return chain;
    }

    @Override
    public synchronized Decision onTick(Observation now) {
        observe(now);
        // the reactive core runs on every tick (requests waiting for memory get it as soon as it frees); the forecast
        // layer at most every tickSeconds
        boolean prefetch = now.nowSeconds() - lastPlanAt >= settings.tickSeconds();
        return decide(now, "tick", null, prefetch);
    }

    @Override
    public synchronized void onWeakAnswer(double nowSeconds, String role, String likelyNext) {
        forecaster.weakAnswer(role, likelyNext, nowSeconds);
    }

    /**
     * One decision: the standing moves, the reactive core's answer to the demand waiting now, on a planning tick the
     * forecast layer's prefetch into free memory, and the guardrails over all of it.
     */
    private Decision decide(Observation now, String trigger, String requested, boolean prefetch) {
        double t = now.nowSeconds();
        Forecast forecast = forecaster.forecast(t, now.queued());
        Placement wanted = standing(now);
        Set<String> substituted = new LinkedHashSet<>(hindsight.update(t, now.current()));
        substituted.addAll(heldOnFallback(now, requested));
        ReactiveCore.Result reactive = core.serve(now, wanted, forecast, requested,
                role -> history.reversalsSince(role, t - guardrails.settings().flapWindowSeconds()), swaps,
                substituted, lastReactive);
        lastReactive = reactive;
        Placement target = reactive.target();
        Plan plan = null;
        if (prefetch) {
            Set<String> frozen = new HashSet<>(guardrails.constraints(now, history).fixed());
            frozen.addAll(wanted.changedRoles(target));
            plan = prefetcher.plan(now, target, forecast, frozen);
            if (plan.feasible()) {
                target = plan.target();
            }
            lastPlanAt = t;
            lastPlan = plan;
        }
        GuardedPlan guarded = guardrails.apply(target, now, history);
        pending.clear();
        for (String role : now.current().changedRoles(guarded.target())) {
            pending.put(role, guarded.target().of(role));
        }
        displacing.putAll(reactive.evictions());
        displacing.keySet().retainAll(pending.keySet()); // an eviction held back is decided afresh next time
        reactive.awaited().forEach((v, seconds) -> awaited.putIfAbsent(v, new double[] {t, seconds}));
        awaited.keySet().retainAll(pending.keySet()); // the wait lasts while the victim's demotion stands
        held.addAll(reactive.held());
        held.retainAll(pending.keySet()); // so does the hold
        awaited.keySet().removeAll(held);
        lastForecast = forecast;
        lastGuarded = guarded;
        List<String> overdue = drainedOverdue(now);
        List<String> causes = new ArrayList<>(reactive.causes());
        overdue.forEach(v -> causes.add(v + " drained: its queue outlasted the wait expected for it"));
        lastCause = cause(trigger, forecast, now.current(), guarded, causes, plan);
        lastDecision = new Decision(guarded.target(), lastCause, deferred(guarded, reactive, now, overdue));
        return lastDecision;
    }

    /**
     * Roles handed to their fallback for a queue they could not keep up with that stay there: a burst comes in waves,
     * and taking the role back between two of them evicts the fallback that is clearing the next — the per-request
     * price sees only the lull. A handed-over role is held on its fallback (as the {@link Hindsight} holds roles)
     * until it has not been asked for within the horizon, or its fallback left the GPU. A role handed over instead of
     * its own load ({@link ReactiveCore.Result#insteadOfLoad}) is not held: no queue outran it, and its requests are
     * priced afresh as they come (held, its mean regret over ten seeds was 15.1 % on workday; priced, 11.6 %).
     */
    private Set<String> heldOnFallback(Observation now, String requested) {
        double t = now.nowSeconds();
        handing().forEach((role, fallback) -> {
            if (now.current().of(role).state() == ResidencyState.S6 && !now.inTransit().contains(role)
                    && !lastReactive.insteadOfLoad().contains(role)) {
                handedOver.putIfAbsent(role, t); // it has landed on its fallback
            }
        });
        if (requested != null && handedOver.containsKey(requested)) {
            handedOver.put(requested, t);
        }
        handedOver.entrySet().removeIf(e -> t - e.getValue() > settings.horizonSeconds()
                || now.current().of(e.getKey()).state() != ResidencyState.S6);
        return Set.copyOf(handedOver.keySet());
    }

    /** Roles being handed to their fallback while it loads → that fallback. */
    private Map<String, String> handing() {
        return lastReactive == null ? Map.of() : lastReactive.handing();
    }

    /**
     * Running victims whose queue a standing load has waited for longer than expected, while at least as many requests
     * wait for that load as for the victim: draining a long queue for a few requests would only move the wait.
     */
    private List<String> drainedOverdue(Observation now) {
        return awaited.keySet().stream()
                .filter(v -> overdue(v, now.nowSeconds()) && now.current().of(v).running()
                        && displacing.containsKey(v) && now.queued(displacing.get(v)) >= now.queued(v))
                .toList();
    }

    /** Whether a load has waited for {@code victim}'s queue longer than that queue was expected to last. */
    private boolean overdue(String victim, double now) {
        double[] wait = awaited.get(victim);
        return wait != null && now - wait[0] > wait[1];
    }

    /** The current placement with the moves decided earlier that have not started yet. */
    private Placement standing(Observation now) {
        Placement p = now.current();
        for (Map.Entry<String, RolePlacement> e : pending.entrySet()) {
            String role = e.getKey();
            RolePlacement cur = now.current().of(role);
            if (now.inTransit().contains(role) || cur.equals(e.getValue())
                    || (!cur.running() && cur.state() == e.getValue().state())) {
                continue;
            }
            p = p.with(role, e.getValue());
        }
        return p;
    }

    /**
     * Roles whose requests should wait: those the guardrails could not serve; those about to be promoted — a request
     * started at the old, slower placement would run there for its whole length (minutes for a long prompt on the
     * CPU) and hold back the promotion, which waits for requests in flight; and busy holders the core drains on
     * purpose so that a load can have their memory (they finish what is in flight and start nothing new), whose
     * queue a standing load has waited for longer than expected ({@link #drainedOverdue}), or that the core held with
     * their queue ({@link ReactiveCore.Result#held}).
     */
    private Set<String> deferred(GuardedPlan guarded, ReactiveCore.Result reactive, Observation now,
            List<String> overdue) {
        Set<String> out = new LinkedHashSet<>(guarded.deferred());
        for (Transition t : guarded.transitions()) {
            if (t.from().running() && Guardrails.promotes(t.from(), t.to())) {
                out.add(t.role());
            }
        }
        for (Map.Entry<String, RolePlacement> e : pending.entrySet()) {
            // handed to its fallback while running: it starts nothing new (what waits for it moves to the fallback
            // when the substitution lands), or its queue would hold the hand-over back for as long as requests come
            if (e.getValue().state() == ResidencyState.S6 && now.current().of(e.getKey()).running()) {
                out.add(e.getKey());
            }
        }
        // a standing eviction whose victim's queue outlasted its busy period: the victim's requests keep coming, so
        // it finishes what is in flight and starts nothing new (its queue waits for its return); so does a victim
        // held with its queue from the start, for as long as its eviction stands — a hold dropped at the next
        // decision would let it start its queue again, and the load would wait for that after all
        out.addAll(overdue);
        held.stream().filter(v -> now.current().of(v).running()).forEach(out::add);
        for (String role : reactive.deferred()) {
            // a move the guardrails held back this time still stands (the next decision retries): its requests wait
            // for it rather than start on the CPU; a holder drained on purpose starts nothing new
            if (now.current().of(role).running()) {
                out.add(role); // for a role in transit, current() is where it lands
            }
        }
        return out;
    }

    /** e.g. "tick; forecast: coder 0.80/s ↑, frontdoor 0.10/s ↓; coder S3(q4_k_m) → S1(q4_k_m); vetoed: …". */
    private String cause(String trigger, Forecast forecast, Placement current, GuardedPlan guarded,
            List<String> reactive, Plan plan) {
        StringBuilder sb = new StringBuilder(trigger);
        List<String> shown = new ArrayList<>(current.changedRoles(guarded.target()));
        forecast.roles().entrySet().stream()
                .filter(e -> model.manages(e.getKey()) && e.getValue().rate() > 0)
                .sorted(Map.Entry.comparingByValue(Comparator.comparingDouble(RoleForecast::rate).reversed()))
                .limit(3).map(Map.Entry::getKey).filter(r -> !shown.contains(r)).forEach(shown::add);
        if (!shown.isEmpty()) {
            sb.append("; forecast: ").append(shown.stream()
                    .map(r -> describe(r, forecast.of(r))).collect(Collectors.joining(", ")));
        }
        if (!reactive.isEmpty()) {
            sb.append("; ").append(String.join("; ", reactive));
        }
        if (plan != null && !plan.feasible()) {
            sb.append("; no feasible prefetch, keeping placement");
        }
        if (!guarded.transitions().isEmpty()) {
            sb.append("; ").append(guarded.transitions().stream().map(Transition::toString)
                    .collect(Collectors.joining(", ")));
        }
        if (!guarded.vetoes().isEmpty()) {
            sb.append("; vetoed: ").append(guarded.vetoes().stream().map(Veto::toString)
                    .collect(Collectors.joining(", ")));
        }
        if (!guarded.deferred().isEmpty()) {
            sb.append("; deferred: ").append(String.join(", ", guarded.deferred()));
        }
        return sb.toString();
    }

    private static String describe(String role, RoleForecast f) {
        String arrow = f.shifting() > 0 ? " ↑" : f.shifting() < 0 ? " ↓" : "";
        String queued = f.queued() > 0 ? " (" + f.queued() + " queued)" : "";
        return String.format(Locale.ROOT, "%s %.2f/s%s%s", role, f.rate(), arrow, queued);
    }

    /**
     * Per-role forecast at every horizon, the last plan's cost and solve time, its vetoes and deferred roles, the
     * victims waited for, the hand-overs in progress and the roles held on their fallback — JSON friendly (maps,
     * lists, numbers, strings).
     */
    @Override
    public synchronized Map<String, Object> explain() {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("policy", name());
        if (lastForecast != null) {
            Map<String, Object> forecast = new LinkedHashMap<>();
            for (String role : model.roles().keySet()) {
                RoleForecast f = lastForecast.of(role);
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("rate", round(f.rate()));
                m.put("short", round(f.shortRate()));
                m.put("medium", round(f.mediumRate()));
                m.put("long", round(f.longRate()));
                m.put("shifting", f.shifting());
                m.put("pendingEscalations", round(f.pendingEscalations()));
                m.put("queued", f.queued());
                m.put("expectedRequests", round(f.expectedRequests(settings.horizonSeconds())));
                RequestShape shape = shapes.get(role);
                m.put("promptTokens", round(shape != null ? shape.prompt : settings.promptTokens()));
                m.put("outputTokens", round(shape != null ? shape.output : settings.outputTokens()));
                forecast.put(role, m);
            }
            out.put("forecast", forecast);
            out.put("horizonSeconds", settings.horizonSeconds());
        }
        if (lastPlan != null) {
            out.put("planCost", lastPlan.feasible() ? round(lastPlan.objective()) : "infeasible");
            out.put("solveMicros", lastPlan.solveNanos() / 1000);
            out.put("knapsackSolves", lastPlan.solves());
            out.put("planned", lastPlan.target().roles().entrySet().stream()
                    .collect(Collectors.toMap(Map.Entry::getKey, e -> e.getValue().toString(), (a, b) -> a,
                            LinkedHashMap::new)));
            out.put("roleCosts", lastPlan.roleCosts().entrySet().stream()
                    .collect(Collectors.toMap(Map.Entry::getKey, e -> round(e.getValue()), (a, b) -> a,
                            LinkedHashMap::new)));
        }
        if (lastGuarded != null) {
            out.put("vetoes", lastGuarded.vetoes().stream().map(Veto::toString).toList());
            out.put("deferred", lastGuarded.deferred());
        }
        Map<String, Object> waits = new LinkedHashMap<>();
        awaited.forEach((v, w) -> waits.put(v, Map.of("since", round(w[0]), "expectedSeconds", round(w[1]))));
        out.put("awaitedVictims", waits);
        out.put("heldVictims", List.copyOf(held));
        // a hand-over in progress (role → the fallback loading in its place) and the roles that landed on it and are
        // held there while still asked for (role → when it was last asked for, and when the hold lapses without one)
        out.put("handingOver", handing()); // immutable: the core's Result copies it
        Map<String, Object> held = new LinkedHashMap<>();
        handedOver.forEach((role, asked) -> held.put(role, Map.of("fallback", model.role(role).fallback().orElse(""),
                "lastAsked", round(asked), "releasedAfter", round(asked + settings.horizonSeconds()))));
        out.put("heldOnFallback", held);
        out.put("hindsightSubstituted", List.copyOf(hindsight.substituted()));
        out.put("hindsightSolveMs", round(hindsight.lastSolveSeconds() * 1000));
        // -1: the overflow is off (distinct from a rule that has sent nothing yet)
        out.put("overflowed", overflow.map(Overflow::total).orElse(-1L));
        out.put("cause", lastCause);
        return out;
    }

    /** The history the guardrails consult (for tests and for a controller that records its own actions). */
    public TransitionHistory history() {
        return history;
    }

    /** The last plan, or null before the first. */
    public synchronized Plan lastPlan() {
        return lastPlan;
    }

    /** The last guarded plan, or null before the first. */
    public synchronized GuardedPlan lastGuarded() {
        return lastGuarded;
    }

    /** Exponentially weighted mean request size of a role; the prior counts as one request. */
    private static final class RequestShape {
        /** Weight of a new request once the prior has been outweighed: about the last 10 requests count. */
        static final double ALPHA = 0.1;
        double prompt;
        double output;
        int n;

        RequestShape(double prompt, double output) {
            this.prompt = prompt;
            this.output = output;
        }

        void add(int promptTokens, int outputTokens) {
            n++;
            double a = Math.max(ALPHA, 1.0 / (n + 1));
            prompt += a * (Math.max(0, promptTokens) - prompt);
            output += a * (Math.max(1, outputTokens) - output);
        }
    }

    private static double round(double v) {
        return Double.isFinite(v) ? Math.round(v * 1000) / 1000.0 : v;
    }
}
