package dev.echelon.simulate;

import dev.echelon.cost.ServiceCost;
import dev.echelon.registry.ResidencyState;
import dev.echelon.residency.Decision;
import dev.echelon.residency.Footprint;
import dev.echelon.residency.Ladder;
import dev.echelon.residency.Observation;
import dev.echelon.residency.Overflow;
import dev.echelon.residency.Placement;
import dev.echelon.residency.ResidencyModel;
import dev.echelon.residency.ResidencyPolicy;
import dev.echelon.residency.ResidentRole;
import dev.echelon.residency.RolePlacement;
import dev.echelon.residency.Transition;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Set;

/**
 * Replays a trace through a {@link ResidencyPolicy}: a discrete-event simulation in which every time comes from the
 * one {@link dev.echelon.cost.CostModel}, through the {@link ResidencyModel}. The same physics applies to every
 * policy:
 *
 * <ul>
 *   <li><b>Serving.</b> Each role has {@code parallel × instances} slots and a FIFO queue. A request starts when its
 *       role is running (S0–S3, not in transition) and a slot is free; TTFT = waiting (for a slot, a load or a
 *       transition) + prefill; the time per output token is the placement's decode time, slowed by the sequences
 *       decoding beside it when it starts ({@link ResidencyModel#service}'s {@code concurrent}).</li>
 *   <li><b>Policies.</b> The policy is asked on every arrival ({@code onRequest}, before the request is queued) and
 *       on every tick ({@code onTick}, every {@link Settings#tickSeconds}). Its target placement replaces the wanted
 *       placement of every role that is not in transition.</li>
 *   <li><b>Transitions.</b> A wanted change starts when (1) it is legal and admissible (else it is ignored and
 *       counted as a refusal), (2) the memory reserved by all roles, with this role reserving the larger of its old
 *       and new footprint while it moves, stays within both budgets (else the role keeps its placement and waits for
 *       memory, e.g. for another role's eviction to land), and (3) the role is not busy: a promotion (or a
 *       reconfiguration at the same depth) waits for the requests in flight, starting no new one meanwhile (its
 *       queue waits for the better placement); a demotion (a deeper state, or fewer GPU layers) waits until the
 *       role is idle — in flight and queue both empty — and the role keeps serving its queue meanwhile: a busy
 *       role is never demoted.
 *       Changes that shrink a role's footprint are tried before those that grow one; growing ones go by tier
 *       priority. A role in transition is in S5 for {@link ResidencyModel#transitionSeconds} and cannot serve.</li>
 *   <li><b>S4 and S6.</b> A request for a role in S4 waits in its queue until a policy loads the role. A request for
 *       a role settled in S6 is served by its fallback role (following the chain while fallbacks are in S6 too; if
 *       the chain loops it waits for its own role), and counted as served by fallback; when a role lands in S6 its
 *       queue moves to the fallback.</li>
 *   <li><b>Overflow.</b> For a policy with an {@link Overflow} rule (Echelon's planner), an arriving request whose own
 *       role is hot (S0/S1, not moving, promoted or deferred) but whose wait for a slot would take it far past its
 *       tier's TTFT objective goes to the role's fallback when that is hot, settled and free enough to meet the
 *       objective and the wait would land in the tail of the first tokens so far (each counted when it comes); counted
 *       as served by fallback. The waits are exact: the slots' finish times and the queue's service times.</li>
 *   <li><b>Deferral.</b> Roles in a decision's {@code deferred} set start no new request until a later decision
 *       stops deferring them. A deferred role's demotion therefore waits for its requests in flight only, not for
 *       its queue (which it may not serve): the queue follows the role to its new placement, as in the live
 *       {@code Actuator}, which drains requests in flight and never waits for a queue.</li>
 *   <li><b>End.</b> Ticks continue after the last arrival until every request has finished, or
 *       {@link Settings#drainSeconds} after the trace's end; requests still waiting then are reported unserved.</li>
 * </ul>
 */
public final class Simulator {

    /**
     * @param tickSeconds  period of {@code onTick}
     * @param drainSeconds how long after the trace's end the replay keeps going so that queued requests finish
     */
    public record Settings(double tickSeconds, double drainSeconds) {

        public static final Settings DEFAULT = new Settings(1.0, 1800);

        public Settings {
            if (tickSeconds <= 0 || drainSeconds < 0) {
                throw new IllegalArgumentException("tick must be > 0 s and drain >= 0 s");
            }
        }
    }

    private final ResidencyModel model;
    private final Settings settings;

    public Simulator(ResidencyModel model, Settings settings) {
        this.model = model;
        this.settings = settings;
        if (!model.fits(model.initialPlacement())) {
            throw new IllegalArgumentException("the registry's launch placement does not fit the budgets: "
                    + model.footprint(model.initialPlacement()) + " vs " + model.budgets());
        }
    }

    public Simulator(ResidencyModel model) {
        this(model, Settings.DEFAULT);
    }

    public ResidencyModel model() {
        return model;
    }

    public RunResult run(ResidencyPolicy policy, Trace trace) {
        long t0 = System.nanoTime();
        Run run = new Run(policy, trace);
        run.execute();
        return run.result((System.nanoTime() - t0) / 1e9);
    }

    private static final int COMPLETE = 0;
    private static final int LAND = 1;
    private static final int TICK = 2;
    private static final int ARRIVAL = 3;

    /** Same time: completions free slots, then transitions land, then the tick, then arrivals. */
    private record Event(double time, int kind, long seq, int role, Request request) {
    }

    private record Job(Request request) {
    }

    /** The mutable state of one replay. */
    private final class Run {

        private final ResidencyPolicy policy;
        private final Trace trace;
        private final String[] roles;
        private final Map<String, Integer> index = new HashMap<>();
        private final int[] fallback;
        private final int[] slots;
        private final RolePlacement[] settled;
        private final Transition[] transit;
        private final RolePlacement[] wanted;
        private final boolean[] draining;
        /** The role's wanted change is a promotion within a feasible target: new requests wait for it. */
        private final boolean[] promoting;
        private final Footprint[] reserved;
        private final int[] inFlight;
        /** Per role, when each request in flight finishes: what the overflow rule's wait estimate starts from. */
        private final List<PriorityQueue<Double>> finishes = new ArrayList<>();
        private final Overflow overflow;
        private final List<ArrayDeque<Job>> queues = new ArrayList<>();
        private final PriorityQueue<Event> events = new PriorityQueue<>(Comparator.comparingDouble(Event::time)
                .thenComparingInt(Event::kind).thenComparingLong(Event::seq));
        private final RequestOutcome[] outcomes;
        private final Timeline timeline;
        private final double hardEnd;
        private Set<String> deferred = Set.of();
        private long seq;
        private double now;
        private int transitions;
        private long bytesMoved;
        private int refusals;
        private int decisions;
        private int finished;
        private int arrived;
        private long policyNanos;

        Run(ResidencyPolicy policy, Trace trace) {
            this.policy = policy;
            this.trace = trace;
            this.overflow = policy.overflow().orElse(null);
            this.roles = model.roles().keySet().toArray(String[]::new);
            int n = roles.length;
            for (int i = 0; i < n; i++) {
                index.put(roles[i], i);
            }
            fallback = new int[n];
            slots = new int[n];
            settled = new RolePlacement[n];
            transit = new Transition[n];
            wanted = new RolePlacement[n];
            draining = new boolean[n];
            promoting = new boolean[n];
            reserved = new Footprint[n];
            inFlight = new int[n];
            timeline = new Timeline(List.of(roles));
            Placement start = model.initialPlacement();
            for (int i = 0; i < n; i++) {
                ResidentRole r = model.role(roles[i]);
                fallback[i] = r.fallback().map(index::get).orElse(-1);
                slots[i] = r.slots();
                settled[i] = start.of(roles[i]);
                reserved[i] = model.footprint(roles[i], settled[i]);
                queues.add(new ArrayDeque<>());
                finishes.add(new PriorityQueue<>());
                timeline.state(0, roles[i], settled[i].state(), settled[i]);
            }
            timeline.pressure(0, occupancy());
            outcomes = new RequestOutcome[trace.requests().size()];
            hardEnd = trace.durationSeconds() + settings.drainSeconds();
            for (Request q : trace.requests()) {
                if (!index.containsKey(q.role())) {
                    throw new IllegalArgumentException("request " + q.id() + " names role '" + q.role()
                            + "', which the residency controller does not manage");
                }
                push(q.arrivalSeconds(), ARRIVAL, -1, q);
            }
            push(0, TICK, -1, null);
        }

        void execute() {
            while (!events.isEmpty()) {
                Event e = events.poll();
                if (e.time() > hardEnd) {
                    now = hardEnd;
                    break;
                }
                now = e.time();
                switch (e.kind()) {
                    case COMPLETE -> {
                        inFlight[e.role()]--;
                        finishes.get(e.role()).remove(e.time());
                        finished++;
                    }
                    case LAND -> land(e.role());
                    case TICK -> {
                        adopt(ask(() -> policy.onTick(observation())));
                        if (now + settings.tickSeconds() <= hardEnd && workLeft()) {
                            push(now + settings.tickSeconds(), TICK, -1, null);
                        }
                    }
                    case ARRIVAL -> {
                        arrived++;
                        Request q = e.request();
                        adopt(ask(() -> policy.onRequest(observation(), q.role(), q.promptTokens(), q.outputTokens())));
                        applyTransitions();
                        int at = route(index.get(q.role()));
                        if (overflow != null) {
                            overflow.arrival(now);
                            at = overflow(at, q);
                        }
                        queues.get(at).add(new Job(q));
                    }
                    default -> throw new IllegalStateException("event kind " + e.kind());
                }
                applyTransitions();
                dispatchAll();
            }
        }

        private boolean workLeft() {
            return now < trace.durationSeconds() || arrived < outcomes.length || finished < arrived;
        }

        private Decision ask(java.util.function.Supplier<Decision> call) {
            long t = System.nanoTime();
            Decision d = call.get();
            policyNanos += System.nanoTime() - t;
            decisions++;
            return d;
        }

        // ---- decisions and transitions ------------------------------------------------------------------------

        private void adopt(Decision d) {
            Placement target = d.target();
            boolean feasible = model.fits(target);
            if (!feasible) {
                refusals++;
            }
            for (int i = 0; i < roles.length; i++) {
                RolePlacement w = target.of(roles[i]);
                RolePlacement from = transit[i] != null ? transit[i].to() : settled[i];
                if (same(from, w)) {
                    wanted[i] = null;
                } else if (transit[i] == null && (!Ladder.legal(from, w) || !model.admissible(roles[i], w))) {
                    refusals++;
                    wanted[i] = null;
                } else {
                    wanted[i] = w; // for a role in transition: applied when it lands, if still wanted
                }
                promoting[i] = feasible && wanted[i] != null && !demotes(from, wanted[i]);
            }
            deferred = d.deferred();
        }

        private void applyTransitions() {
            Arrays.fill(draining, false);
            boolean progress = true;
            while (progress) {
                progress = false;
                for (int i : changeOrder()) {
                    if (transit[i] != null || wanted[i] == null) {
                        continue;
                    }
                    if (!Ladder.legal(settled[i], wanted[i]) || !model.admissible(roles[i], wanted[i])) {
                        refusals++;
                        wanted[i] = null;
                        promoting[i] = false;
                        continue;
                    }
                    Footprint during = max(reserved[i], model.footprint(roles[i], wanted[i]));
                    Footprint total = minus(occupancy(), reserved[i]).plus(during);
                    if (!total.within(model.budgets())) {
                        continue; // waits for memory
                    }
                    boolean demotes = demotes(settled[i], wanted[i]);
                    // a deferred role starts nothing from its queue, so waiting for the queue to empty would wait
                    // for ever: its demotion waits for the requests in flight only, and the queue follows the role
                    boolean servesQueue = demotes && !deferred.contains(roles[i]);
                    if (inFlight[i] > 0 || (servesQueue && !queues.get(i).isEmpty())) {
                        // drain first. A promotion starts no new request, so the queue waits for the better
                        // placement; a demotion keeps serving the queue and moves once the role is idle
                        draining[i] = !demotes;
                        continue;
                    }
                    start(i, during);
                    progress = true;
                }
            }
        }

        /** Roles with a wanted change: shrinking ones first, then growing ones by tier priority. */
        private List<Integer> changeOrder() {
            List<Integer> out = new ArrayList<>();
            for (int i = 0; i < roles.length; i++) {
                if (wanted[i] != null && transit[i] == null) {
                    out.add(i);
                }
            }
            out.sort(Comparator.comparing((Integer i) -> grows(i))
                    .thenComparingInt(i -> -model.role(roles[i]).priority()).thenComparingInt(i -> i));
            return out;
        }

        private boolean grows(int i) {
            Footprint to = model.footprint(roles[i], wanted[i]);
            return to.gpuBytes() > reserved[i].gpuBytes() || to.hostBytes() > reserved[i].hostBytes();
        }

        private void start(int i, Footprint during) {
            Transition tr = model.transition(roles[i], settled[i], wanted[i]);
            wanted[i] = null;
            promoting[i] = false;
            transitions++;
            bytesMoved += tr.bytesMoved();
            transit[i] = tr;
            reserved[i] = during;
            timeline.change(now, tr);
            timeline.state(now, roles[i], ResidencyState.S5, tr.to());
            timeline.pressure(now, occupancy());
            if (tr.seconds() <= 0) {
                land(i);
            } else {
                push(now + tr.seconds(), LAND, i, null);
            }
        }

        private void land(int i) {
            settled[i] = transit[i].to();
            transit[i] = null;
            reserved[i] = model.footprint(roles[i], settled[i]);
            timeline.state(now, roles[i], settled[i].state(), settled[i]);
            timeline.pressure(now, occupancy());
            if (settled[i].state() == ResidencyState.S6) {
                int to = route(i);
                if (to != i) {
                    queues.get(to).addAll(queues.get(i));
                    queues.get(i).clear();
                }
            }
        }

        // ---- serving ------------------------------------------------------------------------------------------

        /** Where a request for role i queues: i itself, or the first fallback not in S6 when i is in S6. */
        private int route(int i) {
            int at = i;
            for (int hops = 0; hops <= roles.length; hops++) {
                if (transit[at] != null || settled[at].state() != ResidencyState.S6 || fallback[at] < 0) {
                    return at;
                }
                at = fallback[at];
            }
            return i; // the fallbacks loop through S6 roles: wait for the role itself to be loaded
        }

        /**
         * Where the {@link Overflow} rule sends a request routed to role {@code i}: {@code i}, or its fallback when
         * {@code i} is the request's own role, hot and settled, and the fallback is too (not moving, promoted, drained
         * or deferred — placement stays the policy's), and the rule takes it.
         */
        private int overflow(int i, Request q) {
            int f = fallback[i];
            if (f < 0 || i != index.get(q.role()) || !servesNow(i) || !servesNow(f) || draining[f]) {
                return i;
            }
            return overflow.take(now, expectedTtft(i, q), expectedTtft(f, q), model.role(q.role()).tier()) ? f : i;
        }

        private boolean servesNow(int i) {
            return transit[i] == null && Overflow.hot(settled[i]) && !promoting[i] && !deferred.contains(roles[i]);
        }

        /** When {@code q} would see its first token on role {@code i}: FIFO after its queue, from its slots' ends. */
        private double expectedTtft(int i, Request q) {
            double[] free = new double[slots[i]];
            Arrays.fill(free, now);
            int k = 0;
            for (double end : finishes.get(i)) {
                if (k < free.length) {
                    free[k++] = Math.max(now, end);
                }
            }
            for (Job j : queues.get(i)) {
                Arrays.sort(free);
                free[0] += model.service(roles[i], settled[i], j.request().promptTokens(), 1)
                        .totalSeconds(j.request().outputTokens());
            }
            Arrays.sort(free);
            return free[0] - now + model.service(roles[i], settled[i], q.promptTokens(), 1).ttftSeconds();
        }

        private void dispatchAll() {
            for (int i = 0; i < roles.length; i++) {
                if (transit[i] != null || !settled[i].running() || draining[i] || promoting[i]
                        || deferred.contains(roles[i])) {
                    continue;
                }
                ArrayDeque<Job> q = queues.get(i);
                while (inFlight[i] < slots[i] && !q.isEmpty()) {
                    serve(i, q.poll().request());
                }
            }
        }

        private void serve(int i, Request q) {
            ServiceCost c = model.service(roles[i], settled[i], q.promptTokens(), inFlight[i] + 1);
            double finish = now + c.totalSeconds(q.outputTokens());
            outcomes[q.id()] = new RequestOutcome(q, roles[i], settled[i], now,
                    now - q.arrivalSeconds() + c.ttftSeconds(), c.tpotSeconds(), finish);
            if (overflow != null) {
                overflow.firstToken(now + c.ttftSeconds(), now - q.arrivalSeconds() + c.ttftSeconds());
            }
            inFlight[i]++;
            finishes.get(i).add(finish);
            push(finish, COMPLETE, i, null);
        }

        // ---- bookkeeping --------------------------------------------------------------------------------------

        private Observation observation() {
            Map<String, RolePlacement> current = new LinkedHashMap<>();
            Map<String, Integer> flying = new HashMap<>();
            Map<String, Integer> queued = new HashMap<>();
            java.util.Set<String> moving = new java.util.HashSet<>();
            for (int i = 0; i < roles.length; i++) {
                current.put(roles[i], transit[i] != null ? transit[i].to() : settled[i]);
                if (transit[i] != null) {
                    moving.add(roles[i]);
                }
                if (inFlight[i] > 0) {
                    flying.put(roles[i], inFlight[i]);
                }
                if (!queues.get(i).isEmpty()) {
                    queued.put(roles[i], queues.get(i).size());
                }
            }
            return new Observation(now, new Placement(current), moving, flying, queued);
        }

        private Footprint occupancy() {
            Footprint f = Footprint.ZERO;
            for (Footprint r : reserved) {
                f = f.plus(r);
            }
            return f;
        }

        private void push(double time, int kind, int role, Request q) {
            events.add(new Event(time, kind, seq++, role, q));
        }

        RunResult result(double wallSeconds) {
            List<RequestOutcome> out = new ArrayList<>(outcomes.length);
            for (int k = 0; k < outcomes.length; k++) {
                RequestOutcome o = outcomes[k];
                // a request that started but whose last token came after the replay's end still counts as served
                out.add(o != null ? o : RequestOutcome.unserved(trace.requests().get(k), now));
            }
            return new RunResult(policy.name(), trace, out, timeline, transitions, bytesMoved, refusals, decisions,
                    now, 0, wallSeconds, policyNanos / 1e9);
        }
    }

    /** Equal, or both not running in the same state (S4/S6 hold nothing, whatever variant they name). */
    static boolean same(RolePlacement a, RolePlacement b) {
        return a.equals(b) || (!a.running() && !b.running() && a.state() == b.state());
    }

    /** Down the ladder: to a deeper state, or fewer GPU layers in the same state. */
    static boolean demotes(RolePlacement from, RolePlacement to) {
        return to.depth() > from.depth() || (to.depth() == from.depth() && to.gpuLayers() < from.gpuLayers());
    }

    private static Footprint max(Footprint a, Footprint b) {
        return new Footprint(Math.max(a.gpuBytes(), b.gpuBytes()), Math.max(a.hostBytes(), b.hostBytes()));
    }

    private static Footprint minus(Footprint a, Footprint b) {
        return new Footprint(a.gpuBytes() - b.gpuBytes(), a.hostBytes() - b.hostBytes());
    }
}
