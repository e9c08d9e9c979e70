package dev.echelon.residency.policy;

import dev.echelon.cost.ServiceCost;
import dev.echelon.registry.ResidencyState;
import dev.echelon.residency.Decision;
import dev.echelon.residency.Footprint;
import dev.echelon.residency.Observation;
import dev.echelon.residency.Placement;
import dev.echelon.residency.ResidencyModel;
import dev.echelon.residency.ResidencyPolicy;
import dev.echelon.residency.ResidentRole;
import dev.echelon.residency.RolePlacement;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The offline optimum: a policy that knows the whole trace in advance, for measuring every other policy's regret.
 *
 * <p>Time is cut into windows ({@link Settings#windowSeconds}, 10 s by default); the placement is held constant
 * within a window and may change at each window's start. A dynamic programme over the windows picks, from a
 * candidate set of feasible joint placements, the sequence minimising the <em>objective</em>:
 *
 * <pre>Σ over requests {@link RequestCost} (TTFT + ¼ decode time + 30 s if served by a fallback)
 *     + Σ over transitions ε·(seconds + 0.1)</pre>
 *
 * where each window's requests are served FIFO by their role's slots ({@code parallel × instances}) at the
 * window's placement through {@link ResidencyModel#service} (decode slowed by the slots busy at the start). The
 * physics follows the simulator's: a role that stays where it was starts the window with the backlog its slots carry
 * from the previous window; a role that changes placement at the window's start first drains the requests still in
 * flight and serves only after {@link ResidencyModel#transitionSeconds}; a promotion also waits until the roles
 * demoted at the same boundary have drained and stopped (conservatively, all of them); a role still busy at a
 * boundary cannot be demoted there, nor moved at all when it would still be draining at the next boundary (the
 * simulator would then move it on from where it was, not from where the plan put it); a role in S6 has its
 * requests queued with its fallback's own, on the fallback's placement, each paying the substitution penalty; a
 * role left cold (S4) keeps its window's requests queued for the next, where they are served ahead of that window's
 * own if it is loaded at the boundary (the simulator's S4: a request waits in its queue until the role is loaded), so
 * a plan can leave a large role cold while another finishes and load it a few seconds after its request, as an
 * on-demand loader would; a request still unserved then, or to a role whose fallback cannot serve it, costs
 * {@value #UNSERVED_PENALTY_SECONDS} s. The ε term ({@value #TIE_BREAK} per second of transition) only breaks ties
 * between otherwise equal schedules, so idle roles do not churn. Waits caused by other roles' demotions are rounded
 * up to a grid (0.25 s steps at first, coarser later) so they can be tabled.
 *
 * <p>To keep the DP's state a placement, the backlog a role carries into a window is that of the role
 * <em>held</em> at its previous placement (with the substitutes it had in the previous window, or in either window
 * when it stays where it was), computed once per role, placement and substitute set over the whole trace, not that
 * of the exact path that led there. That approximation, and the replay's finer timing (1 s ticks, memory freed role
 * by role), are why the replay of its schedule can lose a little to another policy in places; {@link #decide} also
 * repairs the plan where the replay has fallen behind it. One blind spot of the chain: a role's drain is judged with
 * the substitutes it had in the window before, so a request a substitute handed it windows back and still running
 * (on a CPU copy, minutes) is not seen, and the replay's demotion waits for it (workday seed 2: the replay costs
 * 2.3 % more than the plan).
 *
 * <p>Candidates: per role, only its smallest allowed variant — in the {@link dev.echelon.cost.CostModel} a smaller
 * variant of the same state and GPU layer count takes less memory, loads faster and decodes no slower, so larger
 * variants are dominated for this objective — at all-GPU (S0/S1), at {@link Settings#partialSteps}−1 partial-offload
 * layer counts (S2 at k/steps of the layers; {@code Integer.MAX_VALUE} for every layer count), S3, S4 and S6 when
 * the role has a fallback; pins applied. Joint placements are the combinations that fit the budgets. With the
 * shipped registry and the default 2 steps (S2 at half the layers) that is 495 candidates; the DP is
 * windows × candidates² at worst, pruned by a lower bound (a few seconds for an hour-long trace). With 4 steps
 * (1,753 candidates) the schedule found on the alternating trace was the same, at several times the solve time.
 *
 * <p>As a policy it simply returns the placement of the window that contains {@code now}, so it is replayed through
 * the simulator like any other.
 */
public final class OfflineOptimum implements ResidencyPolicy {

    public static final String NAME = "optimum";
    public static final double UNSERVED_PENALTY_SECONDS = 600;
    public static final double TIE_BREAK = 0.01;

    /** A request the optimum knows in advance. */
    public record KnownRequest(double arrivalSeconds, String role, int promptTokens, int outputTokens) {
    }

    /**
     * @param windowSeconds length of a window; the placement may change only at a window's start
     * @param partialSteps  S2 candidates at k/partialSteps of the layers (k = 1 … steps−1); 1 for none,
     *                      {@code Integer.MAX_VALUE} for every layer count
     * @param cost          what a request costs (the objective's terms)
     * @param coldWaits     whether a request for a role left cold (S4) waits for the next window's placement, as
     *                      in the simulator, rather than counting as unserved at once
     */
    public record Settings(double windowSeconds, int partialSteps, RequestCost cost, boolean coldWaits) {

        public static final Settings DEFAULT = new Settings(10, 2, RequestCost.DEFAULT);

        public Settings {
            if (windowSeconds <= 0 || partialSteps < 1) {
                throw new IllegalArgumentException("window must be > 0 s and partial steps >= 1");
            }
        }

        public Settings(double windowSeconds, int partialSteps, RequestCost cost) {
            this(windowSeconds, partialSteps, cost, true);
        }
    }

    private final ResidencyModel model;
    private final Settings settings;
    private final String[] roles;
    private final int[] fallbackIndex;
    /** Per role f: the roles whose fallback it is (and that may be substituted), in registry order. */
    private final int[][] substitutes;
    /** Per role: its candidate options; the initial placement is appended when it is not one of them. */
    private final List<List<RolePlacement>> options = new ArrayList<>();
    private final int[] candidateCount;
    private final int[] initialIndex;
    /** Per role, per window: the requests routed to it, by arrival. */
    private final List<List<List<KnownRequest>>> requests = new ArrayList<>();
    private final int windows;
    private final List<int[]> candidates = new ArrayList<>();
    /** Per role, option a → candidate b: whether it is a change, a demotion, and its transition seconds. */
    private final boolean[][][] moves;
    private final boolean[][][] demoting;
    private final double[][][] seconds;
    private final List<Placement> schedule;
    private final Placement initial;
    private final double objective;
    private final double solveSeconds;

    public OfflineOptimum(ResidencyModel model, List<KnownRequest> trace, double horizonSeconds) {
        this(model, trace, horizonSeconds, Settings.DEFAULT);
    }

    public OfflineOptimum(ResidencyModel model, List<KnownRequest> trace, double horizonSeconds, Settings settings) {
        this(model, trace, horizonSeconds, settings, model.initialPlacement());
    }

    /**
     * As {@link #OfflineOptimum(ResidencyModel, List, double, Settings)}, starting from {@code initial} instead of the
     * registry's launch placement: a schedule for a stretch of traffic that began with the roles where they were.
     */
    public OfflineOptimum(ResidencyModel model, List<KnownRequest> trace, double horizonSeconds, Settings settings,
            Placement initial) {
        long t0 = System.nanoTime();
        this.model = model;
        this.initial = initial;
        this.settings = settings;
        this.roles = model.roles().keySet().toArray(String[]::new);
        double last = trace.stream().mapToDouble(KnownRequest::arrivalSeconds).max().orElse(0);
        this.windows = Math.max(1, (int) Math.ceil(Math.max(horizonSeconds, last + 1e-9) / settings.windowSeconds()));
        this.fallbackIndex = new int[roles.length];
        this.candidateCount = new int[roles.length];
        this.initialIndex = new int[roles.length];
        for (int r = 0; r < roles.length; r++) {
            ResidentRole role = model.role(roles[r]);
            fallbackIndex[r] = role.fallback().map(f -> Arrays.asList(roles).indexOf(f)).orElse(-1);
            List<RolePlacement> opts = new ArrayList<>(roleCandidates(role));
            candidateCount[r] = opts.size();
            RolePlacement init = initial.of(roles[r]);
            int at = indexOfEquivalent(opts, init);
            if (at < 0) {
                opts.add(init);
                at = opts.size() - 1;
            }
            initialIndex[r] = at;
            options.add(List.copyOf(opts));
            List<List<KnownRequest>> perWindow = new ArrayList<>();
            for (int w = 0; w < windows; w++) {
                perWindow.add(new ArrayList<>());
            }
            requests.add(perWindow);
        }
        this.substitutes = new int[roles.length][];
        for (int f = 0; f < roles.length; f++) {
            final int fi = f;
            substitutes[f] = java.util.stream.IntStream.range(0, roles.length).filter(r -> fallbackIndex[r] == fi)
                    .filter(r -> options.get(r).stream().anyMatch(o -> o.state() == ResidencyState.S6)).toArray();
        }
        List<String> roleList = Arrays.asList(roles);
        trace.stream().sorted(Comparator.comparingDouble(KnownRequest::arrivalSeconds)).forEach(q -> {
            int r = roleList.indexOf(q.role());
            if (r >= 0) {
                requests.get(r).get(window(q.arrivalSeconds())).add(q);
            }
        });
        moves = new boolean[roles.length][][];
        demoting = new boolean[roles.length][][];
        seconds = new double[roles.length][][];
        for (int r = 0; r < roles.length; r++) {
            List<RolePlacement> opts = options.get(r);
            moves[r] = new boolean[opts.size()][candidateCount[r]];
            demoting[r] = new boolean[opts.size()][candidateCount[r]];
            seconds[r] = new double[opts.size()][candidateCount[r]];
            for (int a = 0; a < opts.size(); a++) {
                for (int b = 0; b < candidateCount[r]; b++) {
                    RolePlacement from = opts.get(a);
                    RolePlacement to = opts.get(b);
                    moves[r][a][b] = !same(from, to);
                    demoting[r][a][b] = demotes(from, to);
                    seconds[r][a][b] = moves[r][a][b] ? model.transitionSeconds(roles[r], from, to) : 0;
                }
            }
        }
        enumerate(0, new int[roles.length], Footprint.ZERO);
        if (candidates.isEmpty()) {
            throw new IllegalStateException("no joint placement fits the budgets " + model.budgets());
        }
        int[][] back = new int[windows][];
        double[] value = solve(back);
        int best = 0;
        for (int c = 1; c < value.length; c++) {
            if (value[c] < value[best]) {
                best = c;
            }
        }
        this.objective = value[best];
        Placement[] out = new Placement[windows];
        for (int w = windows - 1, c = best; w >= 0; w--) {
            out[w] = placement(candidates.get(c));
            c = back[w][c];
        }
        this.schedule = List.of(out);
        this.solveSeconds = (System.nanoTime() - t0) / 1e9;
    }

    // ---- candidates --------------------------------------------------------------------------------------------

    private List<RolePlacement> roleCandidates(ResidentRole role) {
        String name = role.name();
        var v = role.smallestVariant();
        List<RolePlacement> out = new ArrayList<>();
        out.add(ResidencyModel.placementFor(v, v.layers()));
        int steps = Math.min(settings.partialSteps(), v.layers());
        for (int i = steps - 1; i >= 1; i--) {
            int k = Math.max(1, (int) Math.round((double) v.layers() * i / steps));
            RolePlacement p = RolePlacement.gpu(ResidencyState.S2, v.name(), k);
            if (k < v.layers() && !out.contains(p)) {
                out.add(p);
            }
        }
        out.add(RolePlacement.cpu(v.name()));
        out.add(RolePlacement.cold(v.name()));
        out.add(RolePlacement.substituted(v.name()));
        return out.stream().filter(p -> model.admissible(name, p)).toList();
    }

    private void enumerate(int r, int[] pick, Footprint used) {
        if (r == roles.length) {
            candidates.add(pick.clone());
            return;
        }
        for (int o = 0; o < candidateCount[r]; o++) {
            Footprint next = used.plus(model.footprint(roles[r], options.get(r).get(o)));
            if (next.within(model.budgets())) {
                pick[r] = o;
                enumerate(r + 1, pick, next);
            }
        }
    }

    private Placement placement(int[] pick) {
        Map<String, RolePlacement> m = new LinkedHashMap<>();
        for (int r = 0; r < roles.length; r++) {
            m.put(roles[r], options.get(r).get(pick[r]));
        }
        return new Placement(m);
    }

    // ---- the dynamic programme ---------------------------------------------------------------------------------

    private double[] solve(int[][] back) {
        int n = candidates.size();
        int[][] cand = candidates.toArray(int[][]::new);
        int[][] masks = new int[n][];
        for (int c = 0; c < n; c++) {
            masks[c] = masks(cand[c]);
        }
        int[] initialMasks = masks(initialIndex);
        double[] value = new double[n];
        for (int w = 0; w < windows; w++) {
            Tables t = new Tables(w);
            double[] next = new double[n];
            int[] from = new int[n];
            double[] current = value;
            int[] byValue = java.util.stream.IntStream.range(0, n).boxed()
                    .sorted(Comparator.comparingDouble(i -> current[i])).mapToInt(Integer::intValue).toArray();
            for (int q = 0; q < n; q++) {
                if (w == 0) {
                    next[q] = t.step(initialIndex, cand[q], masks[q], initialMasks);
                    from[q] = -1;
                    continue;
                }
                // coupling only delays promotions, so the cheapest way into q role by role is a lower bound of the
                // step from any p: scanning p by increasing value, nothing after value[p] + bound >= best can win
                double bound = t.lowerBound(cand[q], masks[q]);
                double best = Double.POSITIVE_INFINITY;
                int arg = 0;
                for (int i = 0; i < n && value[byValue[i]] + bound < best; i++) {
                    int p = byValue[i];
                    double s = value[p] + t.step(cand[p], cand[q], masks[q], masks[p]);
                    if (s < best) {
                        best = s;
                        arg = p;
                    }
                }
                next[q] = best;
                from[q] = arg;
            }
            back[w] = from;
            value = next;
        }
        return value;
    }

    /** Per role f: which of its substitutes (roles falling back to it) are in S6 in {@code pick}, as a bit mask. */
    private int[] masks(int[] pick) {
        int[] m = new int[roles.length];
        for (int f = 0; f < roles.length; f++) {
            for (int i = 0; i < substitutes[f].length; i++) {
                int r = substitutes[f][i];
                if (options.get(r).get(pick[r]).state() == ResidencyState.S6) {
                    m[f] |= 1 << i;
                }
            }
        }
        return m;
    }

    private int mask(int f, Placement p) {
        int m = 0;
        for (int i = 0; i < substitutes[f].length; i++) {
            if (p.stateOf(roles[substitutes[f][i]]) == ResidencyState.S6) {
                m |= 1 << i;
            }
        }
        return m;
    }

    /**
     * One window's costs as tables over option indices, so that a step between two candidates is a handful of
     * look-ups. {@code cost[f][m][a][b]}: role f going from option a to candidate b with substitutes m, ignoring the
     * wait for other roles' demotions; {@code costAt[f][m][c][b][k]}: the same for a promotion whose service starts at
     * grid offset k into the window, for when other roles' demotions are what it waits for, with (c = 1) or without
     * the requests the role carries from a window in which it was cold.
     */
    private final class Tables {

        private final int w;
        private final double start;
        private final double[][][][][] cost;
        private final double[][][][][] costAt;
        private final double[][][] drainedAt;

        Tables(int w) {
            this.w = w;
            this.start = w * settings.windowSeconds();
            int n = roles.length;
            cost = new double[n][][][][];
            costAt = new double[n][][][][];
            drainedAt = new double[n][][];
            for (int f = 0; f < n; f++) {
                List<RolePlacement> opts = options.get(f);
                int masks = 1 << substitutes[f].length;
                cost[f] = new double[masks][masks][opts.size()][candidateCount[f]];
                costAt[f] = new double[masks][2][candidateCount[f]][];
                drainedAt[f] = new double[masks][opts.size()];
                for (int m = 0; m < masks; m++) {
                    for (int a = 0; a < opts.size(); a++) {
                        drainedAt[f][m][a] = drained(f, m, w, opts.get(a));
                        for (int mp = 0; mp < masks; mp++) {
                            for (int b = 0; b < candidateCount[f]; b++) {
                                cost[f][m][mp][a][b] = roleCost(f, m, mp, w, opts.get(a), opts.get(b),
                                        Double.NEGATIVE_INFINITY);
                            }
                        }
                    }
                    for (int b = 0; b < candidateCount[f]; b++) {
                        costAt[f][m][0][b] = gridCosts(f, m, opts.get(b), List.of());
                        List<KnownRequest> waiting = waitingFromACold(f, w);
                        costAt[f][m][1][b] = waiting.isEmpty() ? costAt[f][m][0][b]
                                : gridCosts(f, m, opts.get(b), waiting);
                    }
                }
            }
        }

        /**
         * Role f at {@code b} with substitutes m, its service starting at each grid offset (penalty included), with
         * the requests {@code carried} from the last window, where the role was cold, in front of its own.
         */
        private double[] gridCosts(int f, int m, RolePlacement b, List<KnownRequest> carried) {
            double[] out = new double[GRID.length];
            List<KnownRequest> served = withCarried(carried, served(f, m, w));
            if (!b.running() || served.isEmpty()) {
                return out; // never read for a placement that does not run; no requests cost nothing
            }
            double penalty = substitutionPenalty(f, m, w);
            for (int k = 0; k < GRID.length; k++) {
                Served s = serve(roles[f], b, served, slotsFreeAt(f, start + GRID[k]));
                out[k] = outlastsTheChain(f, m, w, b, carried, s.free()) ? Double.POSITIVE_INFINITY
                        : s.cost() + penalty;
            }
            return out;
        }

        double lowerBound(int[] q, int[] m) {
            double bound = 0;
            for (int f = 0; f < q.length; f++) {
                double min = Double.POSITIVE_INFINITY;
                for (double[][] byFrom : cost[f][m[f]]) {
                    for (double[] row : byFrom) {
                        min = Math.min(min, row[q[f]]);
                    }
                }
                bound += min;
            }
            return bound;
        }

        /**
         * The step from option indices {@code p} (window w − 1, substitute masks {@code mp}) to candidate {@code q}
         * (window w, substitute masks {@code m}).
         */
        double step(int[] p, int[] q, int[] m, int[] mp) {
            double freed = start;
            for (int f = 0; f < q.length; f++) {
                if (moves[f][p[f]][q[f]] && demoting[f][p[f]][q[f]] && options.get(f).get(p[f]).running()) {
                    freed = Math.max(freed, drainedAt[f][mp[f]][p[f]] + seconds[f][p[f]][q[f]]);
                }
            }
            double s = 0;
            for (int f = 0; f < q.length; f++) {
                int a = p[f];
                int b = q[f];
                boolean waits = moves[f][a][b] && !demoting[f][a][b] && options.get(f).get(b).running()
                        && freed > drainedAt[f][mp[f]][a];
                if (waits && freed >= start + settings.windowSeconds()) {
                    return Double.POSITIVE_INFINITY; // the move would not have begun by the next boundary
                }
                if (!waits) {
                    s += cost[f][m[f]][mp[f]][a][b];
                    continue;
                }
                int carry = carries(options.get(f).get(a)) ? 1 : 0;
                s += TIE_BREAK * (seconds[f][a][b] + 0.1)
                        + costAt[f][m[f]][carry][b][grid(freed + seconds[f][a][b] - start)];
            }
            return s;
        }
    }

    /** Offsets (s) into a window at which a moved role's service may start; a wait is rounded up to the next. */
    private static final double[] GRID = {0, 0.25, 0.5, 0.75, 1, 1.5, 2, 2.5, 3, 4, 5, 6, 7, 8, 10, 12, 15, 18, 22,
        26, 30, 36, 42, 50, 60, 75, 90, 110, 130, 160, 200, 250, 300, 400, 500, 650, 800, 1000, 1300, 1600, 2000, 2600,
        3300, 4200, 5400, 7200, 10000, 15000, 25000, 50000, 100000};

    /** The grid index for a wait of {@code offset} seconds into the window (rounded up). */
    private static int grid(double offset) {
        int hi = GRID.length - 1;
        if (offset >= GRID[hi]) {
            return hi;
        }
        int lo = 0;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (GRID[mid] >= offset - 1e-9) {
                hi = mid;
            } else {
                lo = mid + 1;
            }
        }
        return lo;
    }

    // ---- the objective, one role and one window at a time ------------------------------------------------------

    /**
     * Every role's step from {@code from} (held in window w − 1) to {@code to} in window w. Demotions free their
     * memory once the demoted role has drained and stopped; promotions start after their own drain and after those
     * demotions (conservatively: all of them), then take their transition time.
     */
    private double stepCost(int w, Placement from, Placement to) {
        double freed = w * settings.windowSeconds();
        for (int f = 0; f < roles.length; f++) {
            RolePlacement a = from.of(roles[f]);
            RolePlacement b = to.of(roles[f]);
            if (!same(a, b) && demotes(a, b) && a.running()) {
                freed = Math.max(freed, drained(f, mask(f, from), w, a) + model.transitionSeconds(roles[f], a, b));
            }
        }
        double total = 0;
        for (int f = 0; f < roles.length; f++) {
            total += roleCost(f, mask(f, to), mask(f, from), w, from.of(roles[f]), to.of(roles[f]), freed);
        }
        return total;
    }

    /**
     * Role f in window w going from {@code a} (held in window w − 1) to {@code b}, serving its own requests and
     * those of its substitutes m (roles in S6 that fall back to it, each paying the substitution penalty), when
     * other roles' demotions have freed memory at {@code freed}. Staying carries the slots' backlog over; moving
     * waits for the requests still in flight under {@code a} (and, for a promotion, for {@code freed}), then for the
     * transition; a busy role cannot be demoted. In S6 its own requests are charged to its fallback; in S4 they wait
     * for the next window, served there ahead of its own if {@code b} runs and unserved if not (in the last window,
     * unserved at once); the substitutes' requests of a role in S4 or S6 are unserved.
     */
    private double roleCost(int f, int m, int mp, int w, RolePlacement a, RolePlacement b, double freed) {
        if (same(a, b) && b.running()) {
            if (m == mp || w == 0) {
                return held(f, m, b).cost[w]; // the same substitutes on both sides: the chain's own window
            }
            // the backlog is that of the role held with the substitutes it has in either window (so that a
            // substitute parked in S4 for a window does not hide the backlog it leaves), the requests m's
            double[] from = carried(held(f, m | mp, b).free[w - 1], w * settings.windowSeconds());
            return serve(roles[f], b, served(f, m, w), from).cost() + substitutionPenalty(f, m, w);
        }
        boolean moves = !same(a, b);
        if (moves && demotes(a, b) && a.running() && drained(f, mp, w, a) > w * settings.windowSeconds()) {
            // the simulator never demotes a busy role; a plan that did would forget the backlog it left behind
            return Double.POSITIVE_INFINITY;
        }
        double seconds = moves ? model.transitionSeconds(roles[f], a, b) : 0;
        double tie = moves ? TIE_BREAK * (seconds + 0.1) : 0;
        List<KnownRequest> carried = carries(a) ? waitingFromACold(f, w) : List.of();
        if (b.running()) {
            double begin = demotes(a, b) ? drained(f, mp, w, a) : Math.max(drained(f, mp, w, a), freed);
            if (begin >= (w + 1) * settings.windowSeconds()) {
                // still draining at the next boundary: the simulator would then move the role on from a, not from
                // b, so the plan must not count on it; it can move once the role has drained
                return Double.POSITIVE_INFINITY;
            }
            double at = w * settings.windowSeconds() + GRID[grid(begin + seconds - w * settings.windowSeconds())];
            Served s = serve(roles[f], b, withCarried(carried, served(f, m, w)), slotsFreeAt(f, at));
            if (outlastsTheChain(f, m, w, b, carried, s.free())) {
                return Double.POSITIVE_INFINITY;
            }
            return tie + s.cost() + substitutionPenalty(f, m, w);
        }
        int own = requests.get(f).get(w).size();
        // in S6 its own requests are its fallback's to serve; left cold with a window to go, they wait for that
        // window, where they are costed (carried) if the role is loaded then and unserved if not
        boolean waits = b.state() == ResidencyState.S6 || (carries(b) && w < windows - 1);
        int unserved = served(f, m, w).size() - (waits ? own : 0) + carried.size();
        return tie + UNSERVED_PENALTY_SECONDS * unserved;
    }

    /**
     * Whether a role at {@code p} for a window keeps that window's requests for the next: in S4 nothing runs, so they
     * queue until a policy loads it (the simulator's S4), which the schedule may do at the next boundary.
     */
    private boolean carries(RolePlacement p) {
        return settings.coldWaits() && p.state() == ResidencyState.S4;
    }

    /** The requests role f carries into window w if it was cold in the window before: that window's own. */
    private List<KnownRequest> waitingFromACold(int f, int w) {
        return w > 0 && settings.coldWaits() ? requests.get(f).get(w - 1) : List.of();
    }

    /**
     * Whether a role loaded at {@code b} in window w with requests {@code carried} from a cold window (none: never)
     * is still busy at the window's end later than {@link #held} — the role held at {@code b} throughout, serving each
     * request on arrival — says. The next windows take the role's drain and backlog from that chain (the programme's
     * state is the placement, not the path to it), so such a path would be costed as if its late requests had
     * finished: the plan would demote a role still busy, which the replay cannot (workday seed 2 at 847 s: a coder
     * request loaded for at the boundary ran 7 s past the time its chain had it done, and the replay cost 11 % more
     * than the plan). So a cold window is only planned where the carried requests are done as the chain says.
     */
    private boolean outlastsTheChain(int f, int m, int w, RolePlacement b, List<KnownRequest> carried,
            double[] free) {
        if (carried.isEmpty()) {
            return false;
        }
        double end = (w + 1) * settings.windowSeconds();
        double[] path = free.clone();
        double[] chain = held(f, m, b).free[w].clone();
        Arrays.sort(path);
        Arrays.sort(chain);
        for (int i = 0; i < path.length; i++) {
            if (Math.max(path[i], end) > Math.max(chain[i], end) + 1e-9) {
                return true;
            }
        }
        return false;
    }

    /** The requests carried from the last window, then this window's own, by arrival. */
    private static List<KnownRequest> withCarried(List<KnownRequest> carried, List<KnownRequest> own) {
        if (carried.isEmpty()) {
            return own;
        }
        List<KnownRequest> out = new ArrayList<>(carried);
        out.addAll(own);
        return out;
    }

    /** The requests role f serves in window w: its own and those of its substitutes in mask m, by arrival. */
    private List<KnownRequest> served(int f, int m, int w) {
        if (m == 0) {
            return requests.get(f).get(w);
        }
        List<KnownRequest> out = new ArrayList<>(requests.get(f).get(w));
        for (int i = 0; i < substitutes[f].length; i++) {
            if ((m & (1 << i)) != 0) {
                out.addAll(requests.get(substitutes[f][i]).get(w));
            }
        }
        out.sort(Comparator.comparingDouble(KnownRequest::arrivalSeconds));
        return out;
    }

    private double substitutionPenalty(int f, int m, int w) {
        int n = 0;
        for (int i = 0; i < substitutes[f].length; i++) {
            if ((m & (1 << i)) != 0) {
                n += requests.get(substitutes[f][i]).get(w).size();
            }
        }
        return settings.cost().substitutionPenaltySeconds() * n;
    }

    /** Down the ladder: to a deeper state, or fewer GPU layers in the same state (as the simulator judges it). */
    static boolean demotes(RolePlacement from, RolePlacement to) {
        return to.depth() > from.depth() || (to.depth() == from.depth() && to.gpuLayers() < from.gpuLayers());
    }

    /**
     * When role f, held at {@code a} (with substitutes m) through window w − 1, has no request left in flight —
     * window w's start at least.
     */
    private double drained(int f, int m, int w, RolePlacement a) {
        double start = w * settings.windowSeconds();
        if (w == 0 || !a.running()) {
            return start;
        }
        double last = start;
        for (double t : held(f, m, a).free[w - 1]) {
            last = Math.max(last, t);
        }
        return last;
    }

    /** When each slot is free in a window starting at {@code start}, given when it was free after the last. */
    private static double[] carried(double[] previous, double start) {
        double[] from = previous.clone();
        for (int i = 0; i < from.length; i++) {
            from[i] = Math.max(start, from[i]);
        }
        return from;
    }

    private double[] slotsFreeAt(int r, double t) {
        double[] free = new double[model.role(roles[r]).slots()];
        Arrays.fill(free, t);
        return free;
    }

    /**
     * Role f held at {@code p} with substitutes m through every window: per window, the cost of the requests it
     * serves (penalties included) and when its slots free up. Staying is costed from this chain, so a long
     * CPU-speed request or a backlog in one window delays the next.
     */
    private record Held(double[] cost, double[][] free) {
    }

    private final Map<String, Held> heldCache = new java.util.HashMap<>();

    private Held held(int f, int m, RolePlacement p) {
        String key = f + "/" + m + "/" + p;
        Held h = heldCache.get(key);
        if (h == null) {
            double[] cost = new double[windows];
            double[][] free = new double[windows][];
            for (int w = 0; w < windows; w++) {
                double start = w * settings.windowSeconds();
                double[] from = w > 0 ? carried(free[w - 1], start) : slotsFreeAt(f, start);
                Served s = serve(roles[f], p, served(f, m, w), from);
                cost[w] = s.cost() + substitutionPenalty(f, m, w);
                free[w] = s.free();
            }
            h = new Held(cost, free);
            heldCache.put(key, h);
        }
        return h;
    }

    /** What serving a window's requests cost, and when each slot is free afterwards. */
    private record Served(double cost, double[] free) {
    }

    /** FIFO over the role's slots, starting from slot free times {@code free}; the sum of the requests' costs. */
    private Served serve(String role, RolePlacement p, List<KnownRequest> queue, double[] free) {
        double total = 0;
        for (KnownRequest q : queue) {
            int slot = 0;
            for (int i = 1; i < free.length; i++) {
                if (free[i] < free[slot]) {
                    slot = i;
                }
            }
            double start = Math.max(q.arrivalSeconds(), free[slot]);
            int busy = 1;
            for (int i = 0; i < free.length; i++) {
                if (i != slot && free[i] > start) {
                    busy++;
                }
            }
            ServiceCost c = model.service(role, p, q.promptTokens(), busy);
            free[slot] = start + c.totalSeconds(q.outputTokens());
            total += settings.cost().of(start - q.arrivalSeconds() + c.ttftSeconds(), c.tpotSeconds(),
                    q.outputTokens(), false);
        }
        return new Served(total, free);
    }

    /** Same placement for the objective: equal, or both not running in the same state (S4/S6 hold nothing). */
    private static boolean same(RolePlacement a, RolePlacement b) {
        return a.equals(b) || (!a.running() && !b.running() && a.state() == b.state());
    }

    private static int indexOfEquivalent(List<RolePlacement> opts, RolePlacement p) {
        for (int i = 0; i < opts.size(); i++) {
            if (same(opts.get(i), p)) {
                return i;
            }
        }
        return -1;
    }

    private int window(double t) {
        return Math.min(windows - 1, Math.max(0, (int) Math.floor(t / settings.windowSeconds())));
    }

    // ---- results -----------------------------------------------------------------------------------------------

    /** The objective of the schedule found (lower is better); see the class comment. */
    public double objective() {
        return objective;
    }

    /**
     * The objective of any schedule (one placement per window, starting from the initial placement), costed exactly
     * as the DP costs its candidates; infinite if a placement does not fit the budgets.
     */
    public double objectiveOf(List<Placement> perWindow) {
        if (perWindow.size() != windows) {
            throw new IllegalArgumentException("need " + windows + " placements, one per window, not "
                    + perWindow.size());
        }
        double total = 0;
        Placement from = initial;
        for (int w = 0; w < windows; w++) {
            Placement to = perWindow.get(w);
            if (!model.fits(to)) {
                return Double.POSITIVE_INFINITY;
            }
            total += stepCost(w, from, to);
            from = to;
        }
        return total;
    }

    public List<Placement> schedule() {
        return schedule;
    }

    /** The joint placements the DP chooses from. */
    public List<Placement> candidates() {
        return candidates.stream().map(this::placement).toList();
    }

    public int candidateCount() {
        return candidates.size();
    }

    public int windows() {
        return windows;
    }

    public Settings settings() {
        return settings;
    }

    /** Wall-clock seconds the constructor spent solving. */
    public double solveSeconds() {
        return solveSeconds;
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Decision onRequest(Observation now, String role) {
        return decide(now);
    }

    @Override
    public Decision onTick(Observation now) {
        return decide(now);
    }

    /**
     * The window's placement, repaired where the replay has fallen behind the plan: a role that still has requests
     * queued is not left cold (S4) unless the next window loads it — it keeps its current placement if that runs,
     * else it gets the placement the schedule last ran it at — so that no request is stranded by a plan that expected
     * it to be served already; a queued role that cannot serve and is planned into S6 is deferred, so that its move
     * (a demotion, which would otherwise wait for a queue that cannot drain) starts and its queue follows it to its
     * fallback.
     */
    private Decision decide(Observation now) {
        int w = window(now.nowSeconds());
        Placement target = schedule.get(w);
        Set<String> deferred = new HashSet<>();
        for (String role : roles) {
            if (now.queued(role) == 0 || target.of(role).running()) {
                continue;
            }
            RolePlacement current = now.current().of(role);
            if (target.stateOf(role) == ResidencyState.S6 && !current.running()) {
                // a queued role that cannot serve, planned into S6: its queue should follow it to its fallback, as
                // the plan costs it; deferring it lets the move start now instead of waiting for a queue that
                // cannot drain
                deferred.add(role);
            } else if (target.stateOf(role) == ResidencyState.S4 && !(w + 1 < windows
                    && schedule.get(w + 1).of(role).running())) {
                // left cold with no load planned next: the plan expected its queue served already. (Cold until a
                // load at the next boundary is a plan of its own: the programme costs those requests' wait for it.)
                target = target.with(role, current.running() ? current : lastRunning(role, w));
            }
        }
        return new Decision(target, "optimum: window " + w + " of the precomputed schedule", deferred);
    }

    private RolePlacement lastRunning(String role, int w) {
        for (int k = w; k >= 0; k--) {
            if (schedule.get(k).of(role).running()) {
                return schedule.get(k).of(role);
            }
        }
        for (Placement p : schedule) {
            if (p.of(role).running()) {
                return p.of(role);
            }
        }
        return ResidencyModel.placementFor(model.role(role).smallestVariant(),
                model.role(role).smallestVariant().layers());
    }

    @Override
    public Map<String, Object> explain() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("windows", windows);
        m.put("window_s", settings.windowSeconds());
        m.put("candidates", candidates.size());
        m.put("objective", objective);
        m.put("solve_s", solveSeconds);
        return m;
    }
}
