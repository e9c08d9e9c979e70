package dev.echelon.residency.plan;

import dev.echelon.cost.ServiceCost;
import dev.echelon.registry.ResidencyState;
import dev.echelon.residency.Placement;
import dev.echelon.residency.ResidencyModel;
import dev.echelon.residency.ResidentRole;
import dev.echelon.residency.RolePlacement;

import java.util.Comparator;
import java.util.HashMap;
import java.util.Map;

/**
 * Prices a role's candidate placement over the planning horizon, in request-seconds, through the one cost model
 * ({@link ResidencyModel#service}, {@link ResidencyModel#transitionSeconds}).
 *
 * <ul>
 *   <li><b>Running (S0–S3)</b>: every expected request (queued now plus arrivals within H) pays the role's typical
 *       request's TTFT ({@link #shape}), a queueing wait, and {@code tpotWeight} × its decode time. The wait is M/M/1-like in the
 *       utilisation ρ = arrival rate × service time / slots — a placement that cannot keep up (a 32B model on the CPU
 *       under steady traffic) is priced by its growing backlog, linear in ρ beyond 0.9 over the horizon.</li>
 *   <li><b>Cold (S4)</b>: the next arrival triggers an on-demand load (to the role's cheapest-to-hold running
 *       placement) and pays it; every request is then served there. Requests already queued at a role that stays
 *       cold are not served within the horizon: each costs H plus the load.</li>
 *   <li><b>Substituted (S6)</b>: requests are served by the fallback role at the fallback's current placement,
 *       loaded by both roles' traffic, plus the quality penalty per request. Not an option (+∞) while the fallback
 *       does not run; the {@link Planner} also rejects plans that stop a fallback its substitutes rely on.</li>
 *   <li><b>Moving</b> from the current placement: a flat switching penalty, queued requests wait the whole transition
 *       and arrivals during it wait half of it on average.</li>
 * </ul>
 *
 * <p>Not thread-safe (caches service costs per placement and concurrency).
 */
public final class PlacementCosts {

    /** Utilisation beyond which the queue is priced as a backlog growing over the horizon. */
    static final double SATURATION = 0.9;

    private final ResidencyModel model;
    private final PlannerSettings settings;
    private final Map<String, Map<RolePlacement, ServiceCost[]>> serviceCache = new HashMap<>();
    private final Map<String, RolePlacement> onDemand = new HashMap<>();
    /** Per role: {prompt tokens, output tokens} of its typical request, as learnt; the settings' reference if absent. */
    private final Map<String, int[]> shapes = new HashMap<>();

    public PlacementCosts(ResidencyModel model, PlannerSettings settings) {
        this.model = model;
        this.settings = settings;
    }

    /**
     * The typical request of {@code role}: prices its placements from now on. A chat role's 150-token prompts and an
     * architecture role's 2,500-token ones differ by more than an order of magnitude in CPU prefill time, so one
     * reference request for all roles underprices CPU and partial-offload placements of the long-prompt roles.
     * The service-time cache of the role is dropped only when the shape moves by more than {@link #SHAPE_STEP}, so
     * a slowly varying average costs no recomputation per request.
     */
    public void shape(String role, double promptTokens, double outputTokens) {
        int prompt = (int) Math.max(0, Math.round(promptTokens));
        int output = (int) Math.max(1, Math.round(outputTokens));
        int[] old = shapes.get(role);
        if (old != null && Math.abs(prompt - old[0]) <= SHAPE_STEP * Math.max(old[0], 64)
                && Math.abs(output - old[1]) <= SHAPE_STEP * Math.max(old[1], 16)) {
            return;
        }
        shapes.put(role, new int[] {prompt, output});
        serviceCache.remove(role);
    }

    /** Relative change of a role's request shape below which its prices are kept. */
    static final double SHAPE_STEP = 0.05;

    private int promptTokens(String role) {
        int[] s = shapes.get(role);
        return s != null ? s[0] : settings.promptTokens();
    }

    private int outputTokens(String role) {
        int[] s = shapes.get(role);
        return s != null ? s[1] : settings.outputTokens();
    }

    /**
     * Cost of choosing {@code option} for {@code role} now.
     *
     * @param current  where every role is (the fallback's placement prices S6)
     * @param forecast demand per role
     */
    public double cost(String role, RolePlacement option, Placement current, Forecast forecast) {
        double h = settings.horizonSeconds();
        RoleForecast demand = forecast.of(role);
        int queued = demand.queued();
        double arrivals = Math.max(0, demand.expectedRequests(h) - queued);
        double rate = arrivals / h;
        RolePlacement from = current.of(role);

        double serve;
        if (option.running()) {
            serve = (queued + arrivals) * requestSeconds(role, option, rate);
        } else if (option.state() == ResidencyState.S6) {
            double substituted = substitutedSeconds(role, current, forecast, rate);
            if (Double.isInfinite(substituted)) {
                return substituted; // not an option, however little traffic
            }
            serve = (queued + arrivals) * (substituted + settings.substitutionPenaltySeconds());
        } else {
            RolePlacement load = onDemandPlacement(role);
            double cold = model.transitionSeconds(role, RolePlacement.cold(load.variant()), load);
            double served = requestSeconds(role, load, rate);
            serve = queued * (h + cold + served) + Math.min(arrivals, 1) * cold + arrivals * served;
        }
        return serve + moveSeconds(role, from, option, queued, rate);
    }

    /** Cost of the move itself: 0 when staying. */
    public double moveSeconds(String role, RolePlacement from, RolePlacement to, int queued, double rate) {
        if (to.equals(from)) {
            return 0;
        }
        double t = model.transitionSeconds(role, from, to);
        return settings.switchingPenaltySeconds() + queued * t + rate * t * t / 2;
    }

    /**
     * Expected seconds one typical request of the role ({@link #shape}) costs at a running placement when requests arrive at {@code rate}/s:
     * TTFT + queueing wait + tpotWeight × decode time.
     */
    public double requestSeconds(String role, RolePlacement p, double rate) {
        ResidentRole r = model.role(role);
        int slotsPerInstance = Math.max(1, r.parallel());
        int instances = Math.max(1, r.instances());
        int decoded = outputTokens(role) - 1;
        ServiceCost single = service(role, p, 1, slotsPerInstance);
        double singleSeconds = single.ttftSeconds() + single.tpotSeconds() * decoded;
        int concurrent = (int) Math.max(1, Math.min(slotsPerInstance, Math.ceil(rate * singleSeconds / instances)));
        ServiceCost s = concurrent == 1 ? single : service(role, p, concurrent, slotsPerInstance);
        double serviceSeconds = s.ttftSeconds() + s.tpotSeconds() * decoded;
        int slots = slotsPerInstance * instances;
        double rho = rate * serviceSeconds / slots;
        double perSlot = serviceSeconds / slots;
        double wait = rho < SATURATION
                ? perSlot * rho / (1 - rho)
                : perSlot * SATURATION / (1 - SATURATION) + (rho - SATURATION) * settings.horizonSeconds() / 2;
        return s.ttftSeconds() + wait + settings.tpotWeight() * s.tpotSeconds() * decoded;
    }

    /** Per-request seconds when {@code role} is substituted by its fallback at the fallback's current placement. */
    private double substitutedSeconds(String role, Placement current, Forecast forecast, double rate) {
        String fallback = model.role(role).fallback().orElseThrow();
        RolePlacement fp = current.of(fallback);
        double fallbackRate = forecast.of(fallback).arrivalRate(settings.horizonSeconds());
        if (fp.running()) {
            return requestSeconds(fallback, fp, fallbackRate + rate);
        }
        // the fallback does not serve either: nobody would answer, so this is no option
        return Double.POSITIVE_INFINITY;
    }

    /**
     * Where an on-demand load of a cold role goes, as priced here: the admissible running placement with the least
     * GPU footprint (the CPU when allowed) — what fits beside whatever holds the GPU. Conservative: the planner may
     * later find a faster one.
     */
    public RolePlacement onDemandPlacement(String role) {
        return onDemand.computeIfAbsent(role, r -> model.options(r).stream().filter(RolePlacement::running)
                .min(Comparator.comparingLong((RolePlacement p) -> model.footprint(r, p).gpuBytes())
                        .thenComparingLong(p -> model.footprint(r, p).hostBytes()))
                .orElseThrow(() -> new IllegalStateException("role " + r + " has no running placement")));
    }

    private ServiceCost service(String role, RolePlacement p, int concurrent, int maxConcurrent) {
        ServiceCost[] byConcurrency = serviceCache.computeIfAbsent(role, r -> new HashMap<>())
                .computeIfAbsent(p, k -> new ServiceCost[maxConcurrent + 1]);
        ServiceCost s = byConcurrency[concurrent];
        if (s == null) {
            s = model.service(role, p, promptTokens(role), concurrent);
            byConcurrency[concurrent] = s;
        }
        return s;
    }
}
