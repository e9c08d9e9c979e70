package dev.echelon.residency.plan;

import dev.echelon.registry.ResidencyState;
import dev.echelon.residency.Footprint;
import dev.echelon.residency.Ladder;
import dev.echelon.residency.Observation;
import dev.echelon.residency.Placement;
import dev.echelon.residency.ResidencyModel;
import dev.echelon.residency.RolePlacement;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The target placement that minimises expected latency cost over the horizon plus transition cost, within the GPU
 * and host-RAM budgets: an exact multiple-choice knapsack ({@link MultipleChoiceKnapsack}) over roles ×
 * {@link ResidencyModel#options}, priced by {@link PlacementCosts}.
 *
 * <p>Budgets are discretised conservatively: every footprint rounds <em>up</em> to whole cells and each budget rounds
 * <em>down</em>, so whatever the programme picks fits in bytes too (checked again with {@link ResidencyModel#fits});
 * the price of that safety is at most one cell per role and resource of unused memory. Within the grid the optimum is
 * exact (tests compare it with brute force).
 *
 * <p>Substitution (S6) couples a role to its fallback: plans in which a substituted role's fallback does not run
 * are excluded by branching (see {@code solveConsistent}).
 *
 * <p>Roles in transit, and roles the guardrails freeze ({@link PlanConstraints#fixed}), keep their current placement;
 * busy roles ({@link PlanConstraints#noDemotion}) may only stay or rise. A role's current placement is always a
 * candidate (staying is always possible) and comes first, so ties keep it.
 *
 * <p>Not thread-safe: one planner per controller, called from its tick.
 */
public final class Planner {

    private final ResidencyModel model;
    private final PlannerSettings settings;
    private final PlacementCosts costs;
    private final MultipleChoiceKnapsack knapsack = new MultipleChoiceKnapsack();
    private final MemoryCells cells;
    private int solves;

    public Planner(ResidencyModel model, PlannerSettings settings) {
        this.model = model;
        this.settings = settings;
        this.costs = new PlacementCosts(model, settings);
        this.cells = new MemoryCells(model, settings);
    }

    public PlannerSettings settings() {
        return settings;
    }

    public PlacementCosts costs() {
        return costs;
    }

    /** The least-cost placement for the demand in {@code forecast}, starting from {@code now.current()}. */
    public Plan plan(Forecast forecast, Observation now, PlanConstraints constraints) {
        long start = System.nanoTime();
        PlanningProblem problem = problem(forecast, now, constraints);
        int groups = problem.roles().size();
        int[][] gpu = new int[groups][];
        int[][] host = new int[groups][];
        double[][] cost = new double[groups][];
        for (int g = 0; g < groups; g++) {
            List<PlacementOption> opts = problem.roles().get(g).options();
            gpu[g] = new int[opts.size()];
            host[g] = new int[opts.size()];
            cost[g] = new double[opts.size()];
            for (int o = 0; o < opts.size(); o++) {
                gpu[g][o] = opts.get(o).gpuCells();
                host[g][o] = opts.get(o).hostCells();
                cost[g][o] = opts.get(o).cost();
            }
        }
        solves = 0;
        MultipleChoiceKnapsack.Solution solution = solveConsistent(problem, gpu, host, cost, 0,
                new double[] {Double.POSITIVE_INFINITY});
        Placement current = now.current();
        if (solution == null) {
            return new Plan(current, Double.POSITIVE_INFINITY, Map.of(), false, System.nanoTime() - start, solves);
        }
        Map<String, RolePlacement> target = new LinkedHashMap<>(current.roles());
        Map<String, Double> roleCosts = new LinkedHashMap<>();
        for (int g = 0; g < groups; g++) {
            PlanningProblem.RoleOptions ro = problem.roles().get(g);
            PlacementOption chosen = ro.options().get(solution.choice()[g]);
            target.put(ro.role(), chosen.placement());
            roleCosts.put(ro.role(), chosen.cost());
        }
        Placement placement = new Placement(target);
        if (!model.fits(placement)) {
            // cannot happen when footprints round up and budgets down; refuse rather than trust a broken grid
            throw new IllegalStateException("planner grid let through a placement over budget: " + placement
                    + " uses " + model.footprint(placement) + " of " + model.budgets());
        }
        return new Plan(placement, solution.cost(), roleCosts, true, System.nanoTime() - start, solves);
    }

    /**
     * The knapsack's optimum among plans in which every substituted role's fallback runs. Substitution couples two
     * roles, which the per-role knapsack cannot express; a solution that breaks it is split into the two exhaustive
     * cases — the substitute is not substituted, or its fallback runs — each solved the same way (branch and bound:
     * a branch whose relaxed optimum is no better than the best consistent plan found is cut). Every branch removes
     * options, so it ends; beyond {@link #MAX_BRANCH_DEPTH} only the first case is explored, which is feasible but
     * may be dearer.
     *
     * @param incumbent the best consistent cost found so far (one element, updated)
     * @return a consistent solution cheaper than the incumbent, or null
     */
    private MultipleChoiceKnapsack.Solution solveConsistent(PlanningProblem problem, int[][] gpu, int[][] host,
            double[][] cost, int depth, double[] incumbent) {
        solves++;
        MultipleChoiceKnapsack.Solution s = knapsack.solve(gpu, host, cost, cells.gpuCapacity(),
                cells.hostCapacity());
        if (s == null || s.cost() >= incumbent[0]) {
            return null;
        }
        List<PlanningProblem.RoleOptions> roles = problem.roles();
        for (int g = 0; g < roles.size(); g++) {
            RolePlacement chosen = roles.get(g).options().get(s.choice()[g]).placement();
            if (chosen.state() != ResidencyState.S6) {
                continue;
            }
            String fallback = model.role(roles.get(g).role()).fallback().orElseThrow();
            int f = groupOf(roles, fallback);
            if (roles.get(f).options().get(s.choice()[f]).placement().running()) {
                continue;
            }
            final int substitute = g;
            MultipleChoiceKnapsack.Solution a = solveConsistent(problem, gpu, host,
                    without(cost, substitute, o -> roles.get(substitute).options().get(o).placement().state()
                            == ResidencyState.S6), depth + 1, incumbent);
            if (depth >= MAX_BRANCH_DEPTH) {
                return a;
            }
            MultipleChoiceKnapsack.Solution b = solveConsistent(problem, gpu, host,
                    without(cost, f, o -> !roles.get(f).options().get(o).placement().running()), depth + 1,
                    incumbent);
            return b != null ? b : a; // b is returned only when it beat the incumbent a set
        }
        incumbent[0] = s.cost();
        return s;
    }

    /** Branch-and-bound depth on substitution conflicts before only the cheap branch is followed. */
    static final int MAX_BRANCH_DEPTH = 4;

    private static int groupOf(List<PlanningProblem.RoleOptions> roles, String role) {
        for (int g = 0; g < roles.size(); g++) {
            if (roles.get(g).role().equals(role)) {
                return g;
            }
        }
        throw new IllegalStateException("fallback " + role + " is not planned");
    }

    /** A copy of {@code cost} with the options of {@code group} that {@code drop} selects made ineligible. */
    private static double[][] without(double[][] cost, int group, java.util.function.IntPredicate drop) {
        double[][] c = cost.clone();
        c[group] = cost[group].clone();
        for (int o = 0; o < c[group].length; o++) {
            if (drop.test(o)) {
                c[group][o] = Double.POSITIVE_INFINITY;
            }
        }
        return c;
    }

    /** The knapsack {@link #plan} solves: every managed role's admissible, legal candidates, sized and priced. */
    public PlanningProblem problem(Forecast forecast, Observation now, PlanConstraints constraints) {
        Placement current = now.current();
        List<PlanningProblem.RoleOptions> roles = new ArrayList<>(model.roles().size());
        Footprint held = Footprint.ZERO; // what roles that cannot make room now hold
        for (String role : model.roles().keySet()) {
            if (now.inTransit().contains(role) || constraints.fixed().contains(role) || now.busy(role)) {
                held = held.plus(model.footprint(role, current.of(role)));
            }
        }
        for (String role : model.roles().keySet()) {
            Footprint others = now.inTransit().contains(role) || constraints.fixed().contains(role)
                    || now.busy(role) ? minus(held, model.footprint(role, current.of(role))) : held;
            Footprint room = new Footprint(Math.max(0, model.budgets().gpuBytes() - others.gpuBytes()),
                    Math.max(0, model.budgets().hostRamBytes() - others.hostBytes()));
            RolePlacement from = current.of(role);
            List<RolePlacement> candidates = new ArrayList<>();
            candidates.add(from);
            boolean frozen = now.inTransit().contains(role) || constraints.fixed().contains(role);
            if (!frozen) {
                boolean mayDemote = !constraints.noDemotion().contains(role);
                for (RolePlacement o : model.options(role)) {
                    RolePlacement to = sameStillState(from, o) ? from : o;
                    if (!candidates.contains(to) && Ladder.legal(from, to)
                            && (mayDemote || !Guardrails.demotes(from, to))) {
                        candidates.add(to);
                    }
                }
            }
            List<PlacementOption> options = new ArrayList<>(candidates.size());
            for (RolePlacement p : candidates) {
                int[] size = cells.of(role, p);
                options.add(new PlacementOption(p, size[0], size[1], costs.cost(role, p, current, forecast, room)));
            }
            roles.add(new PlanningProblem.RoleOptions(role, options));
        }
        return new PlanningProblem(roles, cells.gpuCellBytes(), cells.gpuCapacity(), cells.hostCellBytes(),
                cells.hostCapacity());
    }

    private static Footprint minus(Footprint a, Footprint b) {
        return new Footprint(a.gpuBytes() - b.gpuBytes(), a.hostBytes() - b.hostBytes());
    }

    /** S4 → S4 or S6 → S6 with another variant name changes nothing that exists: it is staying. */
    private static boolean sameStillState(RolePlacement from, RolePlacement to) {
        return !from.running() && from.state() == to.state();
    }
}
