package dev.echelon.residency.plan;

import dev.echelon.registry.ResidencyState;
import dev.echelon.residency.Footprint;
import dev.echelon.residency.Ladder;
import dev.echelon.residency.Observation;
import dev.echelon.residency.Placement;
import dev.echelon.residency.ResidencyModel;
import dev.echelon.residency.RolePlacement;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The forecast layer: on a tick, moves roles <em>ahead</em> of their demand, using only memory nobody needs — free
 * memory, and memory held by idle roles whose forecast demand is about nil. It promotes roles whose forecast (EWMA
 * horizons, predicted escalations) says requests are coming into free GPU memory, and stages likely roles in host
 * RAM (S3: a later load is an upload from the page cache). It never demotes a role with demand: that is the
 * {@link ReactiveCore}'s job, when a request needs the memory, priced by what the victim will miss.
 *
 * <p>An exact two-resource multiple-choice knapsack ({@link MultipleChoiceKnapsack}) over roles × their allowed
 * placements, on a grid over the budgets (footprints round up, budgets down, so what it picks fits in bytes too).
 * A role that is busy or has demand may only stay or rise (or take a variant that dominates, below); a role in
 * transit, frozen by the guardrails (dwell, window), with a move still pending, or the fallback of a substituted role
 * stays. A role in S4, S3 or partial offload is priced as what its next request will cost: the reactive core loads it
 * then, so the first request pays the load from where the role is (less from S3 than from S4) and every request is
 * served at its best whole-GPU placement. A prefetch therefore wins by saving that first load, and only when the
 * expected requests make it worth the flat switching penalty.
 *
 * <p>A role running with all its layers on the GPU may also change variant, to one that <em>dominates</em> where it is:
 * all its layers on the GPU still, in no more GPU memory, and no slower per request (a role launched at Q8 whose Q4
 * file no precision floor forbids). Such a move pays its own time but not the switching penalty: that penalty damps
 * moves that may have to be undone, and the way back is dominated, so never taken. The memory it frees can let one
 * more role stay on the GPU beside the others (on the shipped registry, the architect, worker and math fit beside the
 * front door only with the front door at Q4).
 *
 * <p>A promotion onto the whole GPU into memory that is free — left over by the wanted placement, evicting no one —
 * is waived the switching penalty too, while no other role with demand waits outside the GPU. Loading into free
 * memory undoes nothing, and in a quiet spell a prefetch saves only the next request's load (a fraction of a
 * second to a few seconds), so it would never clear the penalty: the GPU would sit half empty through a long idle
 * stretch and the next request, whichever role it is for, pays its load. The condition that no one else waits keeps
 * a role filled in, still within its dwell, from standing in the way of a role that is asked for (on a drifting mix
 * filling without it doubled the p95).
 *
 * <p>In a <em>quiet spell</em> — nobody busy or moving, and less than one request expected over the horizon, all roles
 * together, once traffic has been seen — requests expected within the horizon say nothing useful: the next request most
 * likely comes after it, and what counts is which role it will be for. Each role is then priced by its share of the
 * next request ({@link #QUIET_PRIOR_RATE}): the load that request would pay, weighted by that share, with no switching
 * penalty (nobody waits, and nothing a request paid for is undone). So an idle large role that crowds out several
 * smaller ones is staged in host RAM for them when they are together likelier to be asked next (on sporadic traffic to
 * random roles, the 32B coder gives the GPU back to the architect, worker and math), and keeps it when its own recent
 * traffic makes it the likelier one.
 *
 * <p>Not thread-safe: one per planner, called from its tick.
 */
public final class Prefetcher {

    /** Expected requests over the horizon below which a role counts as idle: its memory may be given away. */
    static final double IDLE_REQUESTS = 0.1;

    /** Expected requests over the horizon, all roles together, at or below which an idle tick is a quiet spell. */
    static final double QUIET_REQUESTS = 1;

    /**
     * In a quiet spell each role counts as asked this often (3 requests per 10 minutes) before any evidence, added to
     * its long-horizon rate to weigh its share of the next request. A role asked once or twice in the last minutes is
     * no likelier to be asked next than the others (on sporadic traffic to random roles, weighting by recent traffic
     * alone kept the coder on the GPU after every coder request, and the next request, usually for another role, paid
     * a load); a role asked steadily for the last ten minutes is.
     */
    static final double QUIET_PRIOR_RATE = 3.0 / 600;

    /** What a move costs in a quiet spell, nobody waiting: only enough that a tie keeps the placement. */
    static final double QUIET_MOVE_SECONDS = 0.02;

    private final ResidencyModel model;
    private final PlannerSettings settings;
    private final PlacementCosts costs;
    private final MultipleChoiceKnapsack knapsack = new MultipleChoiceKnapsack();
    private final MemoryCells cells;

    public Prefetcher(ResidencyModel model, PlannerSettings settings, PlacementCosts costs) {
        this.model = model;
        this.settings = settings;
        this.costs = costs;
        this.cells = new MemoryCells(model, settings);
    }

    /**
     * The least-cost placement reachable from {@code wanted} by prefetching and staging only.
     *
     * @param frozen roles the guardrails hold where they are (in transit, within dwell, window used up)
     */
    public Plan plan(Observation now, Placement wanted, Forecast forecast, Set<String> frozen) {
        long start = System.nanoTime();
        List<String> roles = new ArrayList<>(model.roles().keySet());
        Spare spare = spare(wanted, forecast);
        Map<String, Double> nextShare = quietSpell(now, forecast);
        int groups = roles.size();
        List<List<RolePlacement>> candidates = new ArrayList<>(groups);
        int[][] gpu = new int[groups][];
        int[][] host = new int[groups][];
        double[][] cost = new double[groups][];
        for (int g = 0; g < groups; g++) {
            String role = roles.get(g);
            List<RolePlacement> c = candidates(role, now, wanted, forecast, frozen, !nextShare.isEmpty());
            candidates.add(c);
            gpu[g] = new int[c.size()];
            host[g] = new int[c.size()];
            cost[g] = new double[c.size()];
            for (int o = 0; o < c.size(); o++) {
                int[] size = cells.of(role, c.get(o));
                gpu[g][o] = size[0];
                host[g][o] = size[1];
                cost[g][o] = nextShare.isEmpty() ? cost(role, c.get(o), wanted, forecast, spare)
                        : quietCost(role, c.get(o), wanted, forecast, spare, nextShare.get(role));
            }
        }
        MultipleChoiceKnapsack.Solution s = knapsack.solve(gpu, host, cost, cells.gpuCapacity(),
                cells.hostCapacity());
        if (s == null) {
            return new Plan(wanted, Double.POSITIVE_INFINITY, Map.of(), false, System.nanoTime() - start, 1);
        }
        Map<String, RolePlacement> target = new LinkedHashMap<>(wanted.roles());
        Map<String, Double> roleCosts = new LinkedHashMap<>();
        for (int g = 0; g < groups; g++) {
            target.put(roles.get(g), candidates.get(g).get(s.choice()[g]));
            roleCosts.put(roles.get(g), cost[g][s.choice()[g]]);
        }
        Placement placement = new Placement(target);
        if (!model.fits(placement)) {
            // footprints round up and budgets down, so this cannot happen; keep the standing placement if it does
            return new Plan(wanted, Double.POSITIVE_INFINITY, Map.of(), false, System.nanoTime() - start, 1);
        }
        return new Plan(placement, s.cost(), roleCosts, true, System.nanoTime() - start, 1);
    }

    /**
     * What the wanted placement leaves: the memory free in both budgets, and the roles with demand (the forecast's
     * demand counts a role's queue) that it does not serve on the whole GPU — substituted roles aside, their fallback
     * serves them.
     */
    private record Spare(Footprint free, Set<String> waitingOutside) {

        /** Whether a load of {@code role} into free memory would overtake no other role that is asked for. */
        boolean quietFor(String role) {
            return waitingOutside.isEmpty() || waitingOutside.equals(Set.of(role));
        }
    }

    private Spare spare(Placement wanted, Forecast forecast) {
        Footprint used = model.footprint(wanted);
        Footprint free = new Footprint(model.budgets().gpuBytes() - used.gpuBytes(),
                model.budgets().hostRamBytes() - used.hostBytes());
        Set<String> outside = new HashSet<>();
        for (String r : model.roles().keySet()) {
            RolePlacement w = wanted.of(r);
            if (!model.wholeGpu(r, w) && w.state() != ResidencyState.S6 && demand(forecast.of(r)) >= IDLE_REQUESTS) {
                outside.add(r);
            }
        }
        return new Spare(free, outside);
    }

    /**
     * Each role's share of the next request in a quiet spell (its long-horizon rate plus {@link #QUIET_PRIOR_RATE},
     * normalised), or empty when this is no quiet spell or no request has been seen yet.
     */
    private Map<String, Double> quietSpell(Observation now, Forecast forecast) {
        double expected = 0;
        double seen = 0;
        for (String role : model.roles().keySet()) {
            if (now.busy(role) || now.inTransit().contains(role)) {
                return Map.of();
            }
            RoleForecast f = forecast.of(role);
            expected += f.expectedRequests(settings.horizonSeconds());
            seen += f.longRate();
        }
        // before the first request there is nothing to weigh: the launch placement is the operator's
        if (seen <= 0 || expected > QUIET_REQUESTS) {
            return Map.of();
        }
        double weights = seen + QUIET_PRIOR_RATE * model.roles().size();
        Map<String, Double> share = new LinkedHashMap<>();
        for (String role : model.roles().keySet()) {
            share.put(role, (forecast.of(role).longRate() + QUIET_PRIOR_RATE) / weights);
        }
        return share;
    }

    /** The placements {@code role} may take in a prefetch; its wanted one first (ties keep it). */
    private List<RolePlacement> candidates(String role, Observation now, Placement wanted, Forecast forecast,
            Set<String> frozen, boolean quiet) {
        RolePlacement at = wanted.of(role);
        List<RolePlacement> out = new ArrayList<>();
        out.add(at);
        if (frozen.contains(role) || now.inTransit().contains(role) || !at.equals(now.current().of(role))
                || substitutesRelyOn(role, wanted)) {
            return out;
        }
        boolean idle = !now.busy(role) && (quiet || demand(forecast.of(role)) < IDLE_REQUESTS);
        for (RolePlacement o : model.options(role)) {
            if (out.contains(o) || !Ladder.legal(at, o) || o.state() == ResidencyState.S6
                    || o.state() == ResidencyState.S2) {
                continue;
            }
            boolean staging = o.state() == ResidencyState.S3;
            if (idle) {
                if (model.wholeGpu(role, o) || staging || o.state() == ResidencyState.S4) {
                    out.add(o);
                }
            } else if (Guardrails.promotes(at, o) && (model.wholeGpu(role, o) || (staging && !at.running()))) {
                out.add(o);
            } else if (dominates(role, o, at, forecast.of(role).arrivalRate(settings.horizonSeconds()))) {
                out.add(o);
            }
        }
        return out;
    }

    /** Requests a role may see over the horizon by any of the forecast's horizons, escalations included. */
    private double demand(RoleForecast f) {
        double h = settings.horizonSeconds();
        return Math.max(f.rate(), Math.max(f.shortRate(), f.longRate())) * h + f.pendingEscalations() + f.queued();
    }

    private boolean substitutesRelyOn(String role, Placement wanted) {
        for (String r : model.roles().keySet()) {
            if (wanted.of(r).state() == ResidencyState.S6 && model.role(r).fallback().map(role::equals)
                    .orElse(false)) {
                return true;
            }
        }
        return false;
    }

    /**
     * Expected cost over the horizon: at a whole-GPU placement, every expected request served there; elsewhere, the
     * reactive load the next request triggers (from here to the role's best whole-GPU placement) and every request
     * served there; a substituted role as {@link PlacementCosts} prices it. Moving costs the flat switching penalty
     * (waived for a dominating variant and for a quiet fill of free memory) and, for requests waiting, the move's
     * time.
     */
    private double cost(String role, RolePlacement o, Placement wanted, Forecast forecast, Spare spare) {
        RoleForecast f = forecast.of(role);
        double h = settings.horizonSeconds();
        double n = f.expectedRequests(h);
        double rate = f.arrivalRate(h);
        RolePlacement at = wanted.of(role);
        double serve = o.state() == ResidencyState.S6 ? costs.cost(role, o, wanted, forecast)
                : serving(role, o, n, rate);
        if (o.equals(at)) {
            return serve;
        }
        double move = costs.moveSeconds(role, at, o, f.queued(), rate);
        boolean waived = dominates(role, o, at, rate) || (fillsFreeMemory(role, o, at, spare.free())
                && spare.quietFor(role));
        return serve + (waived ? move - settings.switchingPenaltySeconds() : move);
    }

    /**
     * Expected cost in a quiet spell: {@code share} of the next request, served at {@code o} if it is on the whole
     * GPU, otherwise after the reactive load to the role's best whole-GPU placement. A substituted role, or a
     * substitution, is priced as outside one: its fallback serves it now, whoever is asked next.
     */
    private double quietCost(String role, RolePlacement o, Placement wanted, Forecast forecast, Spare spare,
            double share) {
        RolePlacement at = wanted.of(role);
        if (o.state() == ResidencyState.S6 || at.state() == ResidencyState.S6) {
            return cost(role, o, wanted, forecast, spare);
        }
        return share * serving(role, o, 1, 0) + (o.equals(at) ? 0 : QUIET_MOVE_SECONDS);
    }

    /**
     * What {@code n} requests at {@code rate} cost with the role at {@code o} (not substituted): served there on the
     * whole GPU; elsewhere, the first one pays the reactive load to the role's best whole-GPU placement, and all are
     * served there.
     */
    private double serving(String role, RolePlacement o, double n, double rate) {
        if (model.wholeGpu(role, o)) {
            return n * costs.requestSeconds(role, o, rate);
        }
        RolePlacement best = bestWholeGpu(role, rate);
        if (best == null) {
            return o.running() ? n * costs.requestSeconds(role, o, rate) : n * settings.horizonSeconds();
        }
        return Math.min(1, n) * model.transitionSeconds(role, o, best) + n * costs.requestSeconds(role, best, rate);
    }

    /** Whether {@code o} puts a role not on the whole GPU there, within the memory the wanted placement leaves free. */
    private boolean fillsFreeMemory(String role, RolePlacement o, RolePlacement at, Footprint free) {
        if (!model.wholeGpu(role, o) || model.wholeGpu(role, at)) {
            return false;
        }
        Footprint to = model.footprint(role, o);
        Footprint from = model.footprint(role, at);
        return to.gpuBytes() - from.gpuBytes() <= free.gpuBytes()
                && to.hostBytes() - from.hostBytes() <= free.hostBytes();
    }

    /**
     * Whether {@code o} is another variant of a role running on the whole GPU at {@code at} that is as good in every
     * way that counts here: whole-GPU too, no more GPU memory, no slower per request at {@code rate}.
     */
    private boolean dominates(String role, RolePlacement o, RolePlacement at, double rate) {
        return !o.variant().equals(at.variant()) && model.wholeGpu(role, at) && model.wholeGpu(role, o)
                && model.footprint(role, o).gpuBytes() <= model.footprint(role, at).gpuBytes()
                && costs.requestSeconds(role, o, rate) <= costs.requestSeconds(role, at, rate);
    }

    private RolePlacement bestWholeGpu(String role, double rate) {
        RolePlacement best = null;
        double bestCost = Double.POSITIVE_INFINITY;
        for (RolePlacement p : model.options(role)) {
            if (!model.wholeGpu(role, p)) {
                continue;
            }
            double c = model.transitionSeconds(role, RolePlacement.cold(p.variant()), p)
                    + costs.requestSeconds(role, p, rate);
            if (c < bestCost) {
                bestCost = c;
                best = p;
            }
        }
        return best;
    }
}
