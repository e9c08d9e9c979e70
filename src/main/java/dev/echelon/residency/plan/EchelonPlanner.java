package dev.echelon.residency.plan;

import dev.echelon.residency.Decision;
import dev.echelon.residency.Observation;
import dev.echelon.residency.Placement;
import dev.echelon.residency.ResidencyModel;
import dev.echelon.residency.ResidencyPolicy;
import dev.echelon.residency.Transition;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Echelon's residency policy: forecast → plan → guardrails, every tick and on demand.
 *
 * <ul>
 *   <li>{@link #onTick}: replans at most every {@link PlannerSettings#tickSeconds}.</li>
 *   <li>{@link #onRequest}: counts the arrival; when the role cannot serve (cold, or substituted by a fallback that
 *       does not run) or requests queue for it, replans at once with the new request counted as waiting — an
 *       on-demand promotion that is still budget-safe and guarded.</li>
 *   <li>{@link #onWeakAnswer}: raises the escalation target's near-term demand (predictive prefetch).</li>
 * </ul>
 *
 * <p>The transitions it decides are recorded in its {@link TransitionHistory} when decided (dwell and the window
 * count from the decision). Thread-safe: calls are serialised.
 */
public final class EchelonPlanner implements ResidencyPolicy {

    private final ResidencyModel model;
    private final PlannerSettings settings;
    private final Forecaster forecaster;
    private final Planner planner;
    private final Guardrails guardrails;
    private final TransitionHistory history;

    private double lastPlanAt = Double.NEGATIVE_INFINITY;
    private Forecast lastForecast;
    private Plan lastPlan;
    private GuardedPlan lastGuarded;
    private String lastCause = "no plan yet";

    public EchelonPlanner(ResidencyModel model, PlannerSettings settings, ForecastSettings forecast,
            GuardrailSettings guardrails) {
        this.model = model;
        this.settings = settings;
        this.forecaster = new Forecaster(forecast);
        this.planner = new Planner(model, settings);
        this.guardrails = new Guardrails(model, guardrails);
        this.history = new TransitionHistory(Math.max(Math.max(guardrails.windowSeconds(),
                guardrails.dwellAfter(guardrails.maxDwellDoublings())), guardrails.flapWindowSeconds()) * 2);
    }

    /** With {@link PlannerSettings#DEFAULTS}, {@link ForecastSettings#DEFAULTS}, {@link GuardrailSettings#DEFAULTS}. */
    public EchelonPlanner(ResidencyModel model) {
        this(model, PlannerSettings.DEFAULTS, ForecastSettings.DEFAULTS, GuardrailSettings.DEFAULTS);
    }

    @Override
    public String name() {
        return "planner";
    }

    @Override
    public synchronized Decision onRequest(Observation now, String role) {
        forecaster.arrival(role, now.nowSeconds());
        if (!model.manages(role)) {
            return Decision.keep(now.current(), "request for unmanaged role " + role);
        }
        boolean cannotServe = !now.inTransit().contains(role) && !guardrails.canServe(role, now.current());
        boolean queueing = now.queued(role) > 0 && now.nowSeconds() - lastPlanAt >= settings.tickSeconds();
        if (!cannotServe && !queueing) {
            return Decision.keep(now.current(), "request for " + role + ": served where it is");
        }
        // the request that just arrived waits too: count it, so that an urgent load is allowed past dwell/window
        Map<String, Integer> queued = new HashMap<>(now.queued());
        queued.merge(role, 1, Integer::sum);
        Observation withRequest = new Observation(now.nowSeconds(), now.current(), now.inTransit(), now.inFlight(),
                queued);
        String why = cannotServe
                ? "request for " + role + " (" + now.current().of(role) + ", cannot serve)"
                : "request for " + role + " (" + now.queued(role) + " queued)";
        return replan(withRequest, why);
    }

    @Override
    public synchronized Decision onTick(Observation now) {
        if (now.nowSeconds() - lastPlanAt < settings.tickSeconds()) {
            return Decision.keep(now.current(), "tick: planned " + String.format(Locale.ROOT, "%.2f",
                    now.nowSeconds() - lastPlanAt) + " s ago");
        }
        return replan(now, "tick");
    }

    @Override
    public synchronized void onWeakAnswer(double nowSeconds, String role, String likelyNext) {
        forecaster.weakAnswer(role, likelyNext, nowSeconds);
    }

    private Decision replan(Observation now, String trigger) {
        Forecast forecast = forecaster.forecast(now.nowSeconds(), now.queued());
        PlanConstraints constraints = guardrails.constraints(now, history);
        Plan plan = planner.plan(forecast, now, constraints);
        if (!plan.feasible()) {
            // what dwell and the window froze does not fit (budgets lowered, a grid cell short): plan with only the
            // hard constraints and let the guardrails sort out what may move now
            Set<String> busy = model.roles().keySet().stream().filter(now::busy).collect(Collectors.toSet());
            plan = planner.plan(forecast, now, new PlanConstraints(now.inTransit(), busy));
        }
        GuardedPlan guarded = guardrails.apply(plan.target(), now, history);
        for (Transition t : guarded.transitions()) {
            history.record(t, now.nowSeconds());
        }
        lastPlanAt = now.nowSeconds();
        lastForecast = forecast;
        lastPlan = plan;
        lastGuarded = guarded;
        lastCause = cause(trigger, forecast, now.current(), guarded, plan);
        return new Decision(guarded.target(), lastCause, Set.copyOf(guarded.deferred()));
    }

    /** e.g. "tick; forecast: coder 0.80/s ↑, frontdoor 0.10/s ↓; coder S3(q4_k_m) → S1(q4_k_m); vetoed: …". */
    private String cause(String trigger, Forecast forecast, Placement current, GuardedPlan guarded, Plan plan) {
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
        if (!plan.feasible()) {
            sb.append("; no feasible plan, keeping placement");
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
     * Per-role forecast at every horizon, the last plan's cost and solve time, its vetoes and deferred roles — JSON
     * friendly (maps, lists, numbers, strings).
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

    private static double round(double v) {
        return Double.isFinite(v) ? Math.round(v * 1000) / 1000.0 : v;
    }
}
