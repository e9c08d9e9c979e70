package dev.echelon.residency.plan;

import dev.echelon.cost.ServiceCost;
import dev.echelon.registry.ResidencyState;
import dev.echelon.residency.Footprint;
import dev.echelon.residency.Placement;
import dev.echelon.residency.ResidencyModel;
import dev.echelon.residency.ResidentRole;
import dev.echelon.residency.RolePlacement;

import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
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
    /** Per serving role: the draft acceptance its cached service times were priced with (−1: none). */
    private final Map<String, Double> pricedAlpha = new HashMap<>();
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
        serviceCache.keySet().removeIf(k -> k.equals(role) || k.endsWith("|" + role));
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
        return cost(role, option, current, forecast, new Footprint(model.budgets().gpuBytes(),
                model.budgets().hostRamBytes()));
    }

    /**
     * As {@link #cost(String, RolePlacement, Placement, Forecast)}, with the memory an on-demand load of a cold role
     * can count on: what the roles that cannot make room at once (frozen by the guardrails, in transit, busy) leave
     * of the budgets.
     */
    public double cost(String role, RolePlacement option, Placement current, Forecast forecast, Footprint room) {
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
            double substituted = substitutedSeconds(role, current, forecast, queued + arrivals, rate);
            if (Double.isInfinite(substituted)) {
                return substituted; // not an option, however little traffic
            }
            serve = substituted + (queued + arrivals) * settings.substitutionPenaltySeconds();
        } else {
            serve = coldSeconds(role, queued, arrivals, rate, room);
        }
        return serve + moveSeconds(role, from, option, queued, rate);
    }

    /**
     * Expected cost of the requests of a role that stays cold (S4). A request that arrives at a cold role is not
     * left there: it triggers a replan at once ({@link EchelonPlanner#onRequest}), so the first arrival pays a load
     * and every request is then served where it was loaded.
     *
     * <p>Where that load goes depends on how much traffic follows. A <em>sparse</em> role (at most one request
     * expected over the horizon) needs the memory only for that request: the replan can make room by demoting idle
     * roles for a moment, so the load is priced at the role's best admissible placement (least load + service) within
     * {@code room}, the memory that the roles which cannot give it up at once leave (a role within dwell stays) — a
     * single 2,000-token prompt is far cheaper loaded onto the GPU in seconds than prefilled on the CPU for minutes.
     * A role with steady traffic needs the memory for the whole horizon, which the roles holding it now would have to
     * give up for as long; that is what its running options price, so its cold option keeps the conservative load to
     * {@link #onDemandPlacement} (what fits beside whatever holds the GPU) — pricing it at the best placement would
     * make two busy roles each look cheap to evict for the other, and they would trade the GPU back and forth.
     *
     * <p>With requests already queued, staying cold is a replan that declined to load: nobody serves within the
     * horizon — the queued requests wait all of it and the arrivals half of it on average, plus the load.
     */
    private double coldSeconds(String role, int queued, double arrivals, double rate, Footprint room) {
        double h = settings.horizonSeconds();
        boolean sparse = room != null && queued + arrivals <= 1;
        double best = Double.POSITIVE_INFINITY;
        for (RolePlacement load : sparse ? model.options(role) : List.of(onDemandPlacement(role))) {
            if (!load.running() || (sparse && !fitsIn(model.footprint(role, load), room))) {
                continue;
            }
            double cold = model.transitionSeconds(role, RolePlacement.cold(load.variant()), load);
            double served = requestSeconds(role, load, rate);
            double c = queued > 0
                    ? queued * (h + cold + served) + arrivals * (h / 2 + cold + served)
                    : Math.min(arrivals, 1) * cold + arrivals * served;
            best = Math.min(best, c);
        }
        if (Double.isInfinite(best)) {
            return coldSeconds(role, queued, arrivals, rate, null);
        }
        return best;
    }

    private static boolean fitsIn(Footprint f, Footprint room) {
        return room == null || (f.gpuBytes() <= room.gpuBytes() && f.hostBytes() <= room.hostBytes());
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
     * Expected seconds one typical request of the role ({@link #shape}) costs at a running placement when requests
     * arrive at {@code rate}/s: TTFT + queueing wait + tpotWeight × decode time.
     */
    public double requestSeconds(String role, RolePlacement p, double rate) {
        Stream s = stream(role, role, p, rate, rate);
        return s.ttft + wait(role, List.of(s)) + settings.tpotWeight() * s.decodeSeconds;
    }

    /**
     * What one typical request of {@code shapeOf} costs served by {@code server} at {@code p} once it has a slot, with
     * every slot busy (as behind a queue): TTFT + tpotWeight × decode time, no queueing wait.
     */
    public double servedSeconds(String server, String shapeOf, RolePlacement p) {
        Stream s = stream(server, shapeOf, p, 0, Double.POSITIVE_INFINITY);
        return s.ttft + settings.tpotWeight() * s.decodeSeconds;
    }

    /**
     * One role's typical requests served by {@code server} at {@code p}: TTFT and decode time at the concurrency the
     * server's total arrival rate keeps busy.
     */
    private record Stream(double rate, double ttft, double decodeSeconds) {
        double serviceSeconds() {
            return ttft + decodeSeconds;
        }
    }

    /**
     * Seconds per request of {@code shapeOf}'s typical shape that {@code server} at {@code p} clears with all its
     * slots busy: a single request's service time divided by the slots (its throughput's inverse).
     */
    public double clearingSeconds(String server, String shapeOf, RolePlacement p) {
        return stream(server, shapeOf, p, 0, 0).serviceSeconds() / model.role(server).slots();
    }

    private Stream stream(String server, String shapeOf, RolePlacement p, double rate, double totalRate) {
        ResidentRole r = model.role(server);
        int slotsPerInstance = Math.max(1, r.parallel());
        int instances = Math.max(1, r.instances());
        int decoded = outputTokens(shapeOf) - 1;
        ServiceCost single = service(server, shapeOf, p, 1, slotsPerInstance);
        double singleSeconds = single.ttftSeconds() + single.tpotSeconds() * decoded;
        int concurrent = (int) Math.max(1,
                Math.min(slotsPerInstance, Math.ceil(totalRate * singleSeconds / instances)));
        ServiceCost s = concurrent == 1 ? single : service(server, shapeOf, p, concurrent, slotsPerInstance);
        return new Stream(rate, s.ttftSeconds(), s.tpotSeconds() * decoded);
    }

    /**
     * Queueing wait at {@code server} fed by {@code streams}: M/M/1-like in the utilisation ρ = Σ rate × service
     * time / slots, with the mean service time of the mix — a long-prompt stream raises every stream's wait. Beyond
     * {@link #SATURATION} the queue is a backlog growing over the horizon.
     */
    private double wait(String server, List<Stream> streams) {
        int slots = model.role(server).slots();
        double rate = 0;
        double work = 0;
        for (Stream s : streams) {
            rate += s.rate;
            work += s.rate * s.serviceSeconds();
        }
        if (rate <= 0) {
            return 0;
        }
        double perSlot = work / rate / slots;
        double rho = work / slots;
        return rho < SATURATION
                ? perSlot * rho / (1 - rho)
                : perSlot * SATURATION / (1 - SATURATION) + (rho - SATURATION) * settings.horizonSeconds() / 2;
    }

    /**
     * Total seconds, over the horizon, that substituting {@code role} (S6) costs: its {@code requests} are served by
     * the fallback at the fallback's current placement — at the fallback's speed but with the substituted role's own
     * request shape (an architecture prompt stays long on the coder) — and they build a backlog there: the
     * fallback's own requests wait longer too, which is priced as their extra wait. Infinite when the fallback does
     * not run.
     */
    private double substitutedSeconds(String role, Placement current, Forecast forecast, double requests,
            double rate) {
        String fallback = model.role(role).fallback().orElseThrow();
        RolePlacement fp = current.of(fallback);
        if (!fp.running()) {
            // the fallback does not serve either: nobody would answer, so this is no option
            return Double.POSITIVE_INFINITY;
        }
        double h = settings.horizonSeconds();
        RoleForecast fd = forecast.of(fallback);
        double ownRequests = Math.max(fd.queued(), fd.expectedRequests(h));
        double ownRate = Math.max(0, fd.expectedRequests(h) - fd.queued()) / h;
        double total = ownRate + rate;
        Stream own = stream(fallback, fallback, fp, ownRate, total);
        Stream guest = stream(fallback, role, fp, rate, total);
        double waitAlone = wait(fallback, List.of(own));
        double waitShared = wait(fallback, List.of(own, guest));
        double guestEach = guest.ttft + waitShared + settings.tpotWeight() * guest.decodeSeconds;
        return requests * guestEach + ownRequests * (waitShared - waitAlone);
    }

    /**
     * Where an on-demand load of a cold role goes, as priced here: the admissible running placement with
     * the least GPU footprint (the CPU when allowed) — what fits beside whatever holds the GPU.
     */
    public RolePlacement onDemandPlacement(String role) {
        return onDemand.computeIfAbsent(role, r -> model.options(r).stream().filter(RolePlacement::running)
                .min(Comparator.comparingLong((RolePlacement p) -> model.footprint(r, p).gpuBytes())
                        .thenComparingLong(p -> model.footprint(r, p).hostBytes()))
                .orElseThrow(() -> new IllegalStateException("role " + r + " has no running placement")));
    }

    private ServiceCost service(String server, String shapeOf, RolePlacement p, int concurrent, int maxConcurrent) {
        double alpha = model.acceptance().alpha(server).orElse(-1);
        Double priced = pricedAlpha.put(server, alpha);
        if (priced != null && priced != alpha) {
            // the server's draft acceptance was measured anew: its service times change with it
            serviceCache.keySet().removeIf(k -> k.equals(server) || k.startsWith(server + "|"));
        }
        ServiceCost[] byConcurrency = serviceCache.computeIfAbsent(cacheKey(server, shapeOf), r -> new HashMap<>())
                .computeIfAbsent(p, k -> new ServiceCost[maxConcurrent + 1]);
        ServiceCost s = byConcurrency[concurrent];
        if (s == null) {
            s = model.service(server, p, promptTokens(shapeOf), concurrent);
            byConcurrency[concurrent] = s;
        }
        return s;
    }

    private static String cacheKey(String server, String shapeOf) {
        return server.equals(shapeOf) ? server : server + "|" + shapeOf;
    }
}
