package dev.echelon.residency.plan;

import dev.echelon.registry.ResidencyState;
import dev.echelon.residency.Decision;
import dev.echelon.residency.Observation;
import dev.echelon.residency.Placement;
import dev.echelon.residency.ResidencyModel;
import dev.echelon.residency.RolePlacement;
import dev.echelon.residency.Transition;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The planner on the shipped registry (24 GiB GPU, 64 GiB RAM; the 32B coder nearly fills the GPU on its own). */
class ShippedRegistryPlanTest {

    private final ResidencyModel model = PlanFixtures.shippedModel();

    /** Evenly spaced arrivals per role at the given rates over [from, to). */
    private static List<PolicyDriver.Arrival> traffic(Map<String, Double> rates, double from, double to) {
        List<PolicyDriver.Arrival> out = new ArrayList<>();
        rates.forEach((role, rate) -> {
            for (double t = from; t < to; t += 1 / rate) {
                out.add(new PolicyDriver.Arrival(t, role));
            }
        });
        out.sort(java.util.Comparator.comparingDouble(PolicyDriver.Arrival::t));
        return out;
    }

    /** The launch placement with worker and math staged in host RAM, and the two experts where given; it fits. */
    private Placement workersStaged(RolePlacement architect, RolePlacement coder) {
        Placement p = model.initialPlacement()
                .with("worker", RolePlacement.cpu("q4_k_m"))
                .with("math", RolePlacement.cpu("q4_k_m"))
                .with("architect", architect)
                .with("coder", coder);
        assertTrue(model.fits(p), p.toString());
        return p;
    }

    private RolePlacement wholeGpuSmallest(String role) {
        var v = model.role(role).smallestVariant();
        return ResidencyModel.placementFor(v, v.layers());
    }

    private static boolean fullyOnGpu(RolePlacement p) {
        return p.running() && p.state().ordinal() <= 1;
    }

    @Test
    void promotesCoderWhenCodeDominatesAndDemotesItWhenItStops() {
        // start from a placement where coder is on the CPU and the GPU holds the general worker
        Placement start = model.initialPlacement().with("coder", RolePlacement.cpu("q4_k_m"));
        assertTrue(model.fits(start));
        List<PolicyDriver.Arrival> trace = new ArrayList<>(traffic(Map.of("coder", 0.2, "frontdoor", 0.2), 0, 300));
        trace.addAll(traffic(Map.of("worker", 0.3, "architect", 0.2, "frontdoor", 0.2), 300, 600));
        trace.sort(java.util.Comparator.comparingDouble(PolicyDriver.Arrival::t));

        PolicyDriver d = new PolicyDriver(model, start, PlannerSettings.DEFAULTS, ForecastSettings.DEFAULTS,
                GuardrailSettings.DEFAULTS, 3);
        List<PolicyDriver.Arrival> codePhase = trace.stream().filter(a -> a.t() < 300).toList();
        d.run(codePhase, 60); // one horizon of code traffic
        assertTrue(fullyOnGpu(d.current().of("coder")), "coder promoted to the GPU within the horizon: "
                + d.current());
        assertTrue(model.fits(d.current()));

        PolicyDriver rest = new PolicyDriver(model, start, PlannerSettings.DEFAULTS, ForecastSettings.DEFAULTS,
                GuardrailSettings.DEFAULTS, 3);
        rest.run(trace, 420); // code traffic stops at 300; two horizons later
        RolePlacement coder = rest.current().of("coder");
        assertFalse(fullyOnGpu(coder), "coder demoted when code traffic stopped: " + rest.current());
        assertTrue(fullyOnGpu(rest.current().of("worker")) || fullyOnGpu(rest.current().of("architect")),
                "the GPU went to the new traffic: " + rest.current());
        assertTrue(fullyOnGpu(rest.current().of("frontdoor")), "frontdoor is pinned at S1 or above");
    }

    /**
     * The coder substituted onto the architect, which is half on the GPU; coder requests pile up. Loading the coder
     * evicts the architect, so the coder is first taken off substitution (S4): a request for it must not queue at the
     * leaving architect and run on its CPU copy.
     */
    @Test
    void aSubstitutedRoleLoadedInPlaceOfItsFallbackLeavesSubstitutionFirst() {
        EchelonPlanner p = new EchelonPlanner(model);
        Placement after = coderTakenOffItsFallback(p);
        // the next decision loads it into the room made for it: nobody else took it
        Decision load = p.onTick(new Observation(12, after, Set.of(), Map.of(), Map.of("coder", 7)));
        assertTrue(load.target().of("coder").onGpu(), load.cause());
    }

    /**
     * As above, but by the next decision no request of the coder's waits any more (workday seed 2 at 1,320 s: the
     * load was decided for the coder's forecast, its one request in flight on the architect). The load the architect
     * left the GPU for still starts — before, nothing asked for it once the coder was cold: the GPU stood empty but for
     * the front door, and the next coder request waited for a load.
     */
    @Test
    void theLoadARoleLeftSubstitutionForStartsThoughNoRequestOfItsOwnWaitsAnyMore() {
        EchelonPlanner p = new EchelonPlanner(model);
        Placement after = coderTakenOffItsFallback(p);
        Decision load = p.onTick(new Observation(12, after, Set.of(), Map.of(), Map.of()));
        assertTrue(model.wholeGpu("coder", load.target().of("coder")), load.cause());
    }

    /**
     * Six coder requests waiting for the coder, substituted onto the architect half on the GPU, at 10 s: {@code p}
     * takes the coder off substitution and evicts the architect. The placement once both moves happened.
     */
    private Placement coderTakenOffItsFallback(EchelonPlanner p) {
        Placement start = workersStaged(RolePlacement.gpu(ResidencyState.S2, "q4_k_m", 24),
                RolePlacement.substituted("q4_k_m"));
        Decision d = p.onRequest(new Observation(10, start, Set.of(), Map.of(), Map.of("coder", 6)), "coder",
                1000, 300);
        assertFalse(d.target().of("architect").onGpu(), "the coder's load evicts the architect: " + d.cause());
        assertEquals(RolePlacement.cold("q4_k_m"), d.target().of("coder"), d.cause());
        assertTrue(d.cause().contains("coder leaves substitution first"), d.cause());
        return start.with("coder", d.target().of("coder")).with("architect", d.target().of("architect"));
    }

    /**
     * The coder on the GPU, busy with a queue; architect requests wait on its CPU copy. The architect (the coder's
     * fallback, and faster) is loaded by handing the coder to it: the coder is substituted and starts nothing new, so
     * its queue moves to the architect instead of holding the load back for as long as coder requests come.
     */
    @Test
    void aBusyVictimIsHandedToItsFasterFallbackInsteadOfWaitedFor() {
        Placement start = coderBusyOnTheGpu();
        EchelonPlanner p = new EchelonPlanner(model);
        Decision d = p.onRequest(coderBusyArchitectWaiting(start, Map.of()), "architect", 2000, 500);
        assertTrue(d.target().of("architect").onGpu(), d.cause());
        assertEquals(ResidencyState.S6, d.target().of("coder").state(), d.cause());
        assertTrue(d.deferred().contains("coder"), "the coder drains: " + d.deferred());
        // the next decision still holds it: the hand-over waits only for the request in flight
        Decision next = p.onTick(new Observation(11, start, Set.of(), Map.of("coder", 1), Map.of("coder", 3,
                "architect", 3)));
        assertTrue(next.deferred().contains("coder"), next.cause());
    }

    /**
     * As above, but one of the coder's queued requests is one its fallback's context cannot hold (bound to the coder):
     * handing the coder over would leave that request nobody to serve it, so the coder is not substituted.
     */
    @Test
    void aVictimWithARequestItsFallbackCannotHoldIsNotHandedOver() {
        Observation busy = coderBusyArchitectWaiting(coderBusyOnTheGpu(), Map.of("coder", 1));
        Decision d = new EchelonPlanner(model).onRequest(busy, "architect", 2000, 500);
        assertTrue(d.target().of("coder").running(), d.cause());
    }

    /** The coder on the whole GPU, the architect on its CPU copy, the workers staged. */
    private Placement coderBusyOnTheGpu() {
        return workersStaged(RolePlacement.cpu("q4_k_m"), RolePlacement.gpu(ResidencyState.S1, "q4_k_m", 64));
    }

    /** At 10 s: the coder serving one request with two queued, three architect requests waiting. */
    private static Observation coderBusyArchitectWaiting(Placement start, Map<String, Integer> bound) {
        return new Observation(10, start, Set.of(), Map.of("coder", 1, "architect", 0),
                Map.of("coder", 2, "architect", 3), bound);
    }

    /**
     * The coder fills the GPU, busy with a queue; a worker request needs the room. The worker's load waits for the
     * coder's queue — but coder requests keep coming, so that queue may never empty: once the wait has outlasted the
     * queue's expected busy period, the coder is drained (it finishes what is in flight and starts nothing new) and
     * the load goes ahead. Before, the worker waited as long as coder traffic lasted (six minutes in a seed-11 drift
     * replay).
     */
    @Test
    void aVictimWhoseQueueOutlastsItsBusyPeriodIsDrained() {
        Placement start = workersStaged(RolePlacement.cpu("q4_k_m"),
                RolePlacement.gpu(ResidencyState.S1, "q4_k_m", 64));
        EchelonPlanner p = new EchelonPlanner(model);
        Decision d = p.onRequest(new Observation(10, start, Set.of(), Map.of("coder", 1), Map.of("coder", 1)),
                "worker", 500, 300);
        assertTrue(d.target().of("worker").onGpu(), d.cause());
        assertFalse(d.target().of("coder").onGpu(), d.cause());
        assertTrue(d.cause().contains("wait for [coder]"), d.cause());
        assertFalse(d.deferred().contains("coder"), "at first the coder serves its queue: " + d.deferred());
        Map<?, ?> awaited = (Map<?, ?>) p.explain().get("awaitedVictims");
        assertEquals(Set.of("coder"), awaited.keySet(), "the wait is shown on /admin/residency: " + awaited);

        Decision soon = p.onTick(new Observation(12, start, Set.of(), Map.of("coder", 1),
                Map.of("coder", 1, "worker", 1)));
        assertFalse(soon.deferred().contains("coder"), "its queue is not overdue yet: " + soon.cause());

        // five minutes on, the coder is still busy with a queue (new requests): the wait has outlasted its busy period
        Decision late = p.onTick(new Observation(310, start, Set.of(), Map.of("coder", 1),
                Map.of("coder", 2, "worker", 3)));
        assertTrue(late.target().of("worker").onGpu() && !late.target().of("coder").onGpu(), late.cause());
        assertTrue(late.deferred().contains("coder"), "the coder is drained: " + late.deferred());
        assertTrue(late.cause().contains("coder drained"), late.cause());
    }

    /**
     * The coder fills the GPU with one long request in flight and nothing queued when a worker request needs the room.
     * The decision that loads the worker drains the coder, and it is timed like a victim with a queue: the hold lasts
     * only for that decision, so when the coder's own requests keep coming, a coder still busy past its expected
     * drain is drained again instead of starting each new one while the worker's load waits (a drift replay, seed 3,
     * 1694 s: the worker waited 131 s, a coder request every 5–39 s).
     */
    @Test
    void aVictimDrainedWithNothingQueuedIsTimedAndDrainedAgainOnceItOutlastsThat() {
        Placement start = workersStaged(RolePlacement.cpu("q4_k_m"),
                RolePlacement.gpu(ResidencyState.S1, "q4_k_m", 64));
        EchelonPlanner p = new EchelonPlanner(model);
        Decision d = p.onRequest(new Observation(10, start, Set.of(), Map.of("coder", 1), Map.of()), "worker", 500,
                300);
        assertTrue(d.cause().contains("wait for [coder]"), d.cause());
        assertTrue(d.target().of("worker").onGpu() && !d.target().of("coder").onGpu(), d.cause());
        assertTrue(d.deferred().contains("coder"), "the coder is drained by this decision: " + d.deferred());
        Map<?, ?> awaited = (Map<?, ?>) p.explain().get("awaitedVictims");
        assertEquals(Set.of("coder"), awaited.keySet(), "and the wait for it is timed: " + awaited);

        Decision next = p.onTick(new Observation(11, start, Set.of(), Map.of("coder", 1), Map.of("worker", 1)));
        assertFalse(next.deferred().contains("coder"), "not overdue yet: " + next.cause());

        // twenty seconds on, the coder is on the GPU still, busy with a request of its own that came meanwhile
        Decision late = p.onRequest(new Observation(30, start, Set.of(), Map.of("coder", 1), Map.of("worker", 1)),
                "coder", 2000, 500);
        assertTrue(late.target().of("worker").onGpu() && !late.target().of("coder").onGpu(), late.cause());
        assertTrue(late.deferred().contains("coder"), "drained again: " + late.deferred());
        assertTrue(late.cause().contains("coder drained"), late.cause());
    }

    /**
     * A worker request waits for the worker's load onto the GPU, which has not begun, when a coder request takes the
     * room for the coder's own load. The worker stays on its CPU copy; its queued request waits for the next decision
     * instead of starting there, where it would hold the worker's next promotion for as long as it runs at CPU speed
     * (a workday replay, seed 29: the next two worker requests waited 35–39 s behind such a start).
     */
    @Test
    void aRoleWhoseLoadIsTakenBackDoesNotStartItsQueueOnTheCpu() {
        Placement start = workersStaged(RolePlacement.cpu("q4_k_m"), RolePlacement.cold("q4_k_m"));
        EchelonPlanner p = new EchelonPlanner(model);
        Decision d = p.onRequest(new Observation(10, start, Set.of(), Map.of(), Map.of()), "worker", 500, 300);
        assertTrue(d.target().of("worker").onGpu(), "the worker's load is decided: " + d.cause());
        assertTrue(d.deferred().contains("worker"), d.cause());

        Decision taken = p.onRequest(new Observation(10.5, start, Set.of(), Map.of(), Map.of("worker", 1)), "coder",
                2000, 500);
        assertTrue(taken.target().of("coder").onGpu(), "the coder's load takes the room: " + taken.cause());
        assertFalse(taken.target().of("worker").onGpu(), taken.cause());
        assertTrue(taken.deferred().contains("worker"), "the worker's request waits: " + taken.cause());
        assertTrue(taken.cause().contains("worker waits: its load was taken back"), taken.cause());
    }

    /**
     * The coder fills the GPU through a run of its own traffic (a request every 10 s for five minutes, one queued
     * behind the one in flight) when a worker request arrives, the worker staged in host RAM. The coder can be
     * demoted only once its queue is empty, and its arrivals keep refilling it: a load waiting for it would wait the
     * queue's whole busy period, not just the time the queued request takes (a seed-11 bursts replay had workers
     * wait 2–3 minutes; priced that way since round 16, the worker was served on its CPU copy instead). Cheaper
     * still is to hold the coder: it finishes the request in flight and starts nothing new, the worker loads and
     * serves, and the one queued coder request waits for that round trip. The hold lasts as long as the coder's
     * eviction stands — dropped at the next decision, the coder would start its queue again and the worker's load
     * would wait for it after all.
     */
    @Test
    void aLoadIsNotWaitedForBehindARoleItsArrivalsKeepBusy() {
        Placement start = workersStaged(RolePlacement.cpu("q4_k_m"),
                RolePlacement.gpu(ResidencyState.S1, "q4_k_m", 64));
        EchelonPlanner p = new EchelonPlanner(model);
        for (double t = 0; t < 300; t += 10) {
            p.onRequest(new Observation(t, start, Set.of(), Map.of("coder", 1), Map.of("coder", 1)), "coder",
                    2000, 500);
        }
        Decision d = p.onRequest(new Observation(300, start, Set.of(), Map.of("coder", 1), Map.of("coder", 1)),
                "worker", 500, 300);
        assertFalse(d.cause().contains("wait for [coder]"), "no wait for the coder's busy period: " + d.cause());
        assertTrue(d.cause().contains("hold [coder]"), d.cause());
        assertTrue(d.target().of("worker").onGpu() && !d.target().of("coder").onGpu(), d.cause());
        assertTrue(d.deferred().containsAll(Set.of("coder", "worker")),
                "the coder starts nothing new, the worker waits for its load: " + d.deferred());

        Decision next = p.onTick(new Observation(303, start, Set.of(), Map.of("coder", 1),
                Map.of("coder", 2, "worker", 1)));
        assertEquals(d.target().of("coder"), next.target().of("coder"), next.cause());
        assertEquals(d.target().of("worker"), next.target().of("worker"), next.cause());
        assertTrue(next.deferred().contains("coder"), "the hold stands with the eviction: " + next.deferred());
        assertEquals(List.of("coder"), p.explain().get("heldVictims"), "and shows in GET /admin/residency");
    }

    private Placement coderOnTheGpuWorkersStaged() {
        return workersStaged(RolePlacement.cpu("q4_k_m"), RolePlacement.gpu(ResidencyState.S1, "q4_k_m", 64));
    }

    /** A planner that saw the worker asked steadily for 300 s, served on the GPU where the coder is in {@code now}. */
    private EchelonPlanner workerAskedSteadilyUntilTheCoderTookItsPlace(Placement now) {
        Placement before = now.with("coder", RolePlacement.cpu("q4_k_m"))
                .with("worker", RolePlacement.gpu(ResidencyState.S1, "q4_k_m", 28));
        assertTrue(model.fits(before), before.toString());
        EchelonPlanner p = new EchelonPlanner(model);
        for (double t = 0; t < 300; t += 30) {
            p.onRequest(new Observation(t, before, Set.of(), Map.of(), Map.of()), "worker", 600, 800);
        }
        return p;
    }

    /**
     * The coder is landing on the GPU (from host RAM, with its request waiting for it) when a worker request arrives,
     * the worker pushed to host RAM by that very load. A role in transit cannot be evicted, so the only placement the
     * worker has now is the CPU — where an 800-token answer would hold its one slot for a minute and a half, and the
     * worker could not move while it runs. It waits instead: once the coder has landed and served its request, the
     * worker is loaded in its place (a seed-1 steady replay had four worker requests wait 85–141 s behind two CPU
     * answers).
     */
    @Test
    void aRequestWaitsForALandingRoleRatherThanStartingOnTheCpu() {
        Placement start = coderOnTheGpuWorkersStaged();
        EchelonPlanner p = workerAskedSteadilyUntilTheCoderTookItsPlace(start);
        Decision d = p.onRequest(new Observation(300, start, Set.of("coder"), Map.of(), Map.of("coder", 1)),
                "worker", 669, 832);
        assertEquals(start, d.target(), "nothing moves while the coder lands: " + d.cause());
        assertTrue(d.deferred().contains("worker"), "the worker's request waits: " + d.cause());
        assertTrue(d.cause().contains("worker waits for [coder]"), d.cause());

        Decision landed = p.onTick(new Observation(302, start, Set.of(), Map.of("coder", 1),
                Map.of("worker", 1)));
        assertTrue(landed.target().of("worker").onGpu(), "then it takes the coder's place: " + landed.cause());
        assertFalse(landed.target().of("coder").onGpu(), landed.cause());
        assertTrue(landed.deferred().contains("worker"), "still waiting for the coder's request: " + landed.cause());
    }

    /**
     * As above, but the decision after the landing is made for a coder request that arrives just then. The order
     * reaches the coder first and settles it on the GPU; priced after it, the worker could only stay on the CPU —
     * whose request would then run there for a minute and a half, and hold the next worker requests behind it, only
     * because the coder's request came last. It is priced as if reached first instead: loaded in the coder's place
     * once the coder has served what it holds, as the decision on a tick would.
     */
    @Test
    void whichRoleGetsTheGpuDoesNotDependOnWhoseRequestCameLast() {
        Placement start = coderOnTheGpuWorkersStaged();
        EchelonPlanner p = workerAskedSteadilyUntilTheCoderTookItsPlace(start);
        Decision held = p.onRequest(new Observation(300, start, Set.of("coder"), Map.of(), Map.of("coder", 1)),
                "worker", 669, 832);
        assertTrue(held.deferred().contains("worker"), held.cause());

        Decision d = p.onRequest(new Observation(302, start, Set.of(), Map.of("coder", 1), Map.of("worker", 1)),
                "coder", 1677, 397);
        assertTrue(d.target().of("worker").onGpu(), "the worker is loaded in the coder's place: " + d.cause());
        assertFalse(d.target().of("coder").onGpu(), d.cause());
        assertTrue(d.deferred().contains("worker"), "its request does not start on the CPU: " + d.cause());
        Decision tick = p.onTick(new Observation(302, start, Set.of(), Map.of("coder", 1), Map.of("worker", 1)));
        for (String role : List.of("worker", "coder")) {
            assertEquals(d.target().of(role), tick.target().of(role),
                    "as a tick decides, reaching the worker first: " + tick.cause());
        }
    }

    /**
     * A burst for the one-slot 32B coder builds a queue it cannot keep up with; the architect, its fallback, clears
     * coder requests faster on two slots. The coder is handed to it — atomically for the requests: first the coder
     * starts nothing new and leaves the GPU while the architect loads; its queue waits, not on the architect's CPU copy
     * but for the architect to land; only then is the coder substituted and its queue moved. After that it stays on
     * the architect while it keeps being asked for (a bursts replay, seed 11, 56 → 27 % regret).
     */
    @Test
    void aQueueTheCoderCannotKeepUpWithIsHandedToTheArchitectOnceItHasLanded() {
        RolePlacement coderOnGpu = wholeGpuSmallest("coder");
        Placement start = workersStaged(RolePlacement.cpu("q4_k_m"), coderOnGpu);
        EchelonPlanner p = new EchelonPlanner(model);
        for (double t = 0; t < 100; t += 10) { // coder requests every 10 s, long prompts, one served at a time
            p.onRequest(new Observation(t, start, Set.of(), Map.of("coder", 1), Map.of()), "coder", 3000, 500);
        }
        Decision d = p.onRequest(new Observation(100, start, Set.of(), Map.of("coder", 1), Map.of("coder", 7)),
                "coder", 3000, 500);
        assertTrue(d.cause().contains("hand over to architect"), d.cause());
        assertTrue(fullyOnGpu(d.target().of("architect")), "the architect loads: " + d.cause());
        assertEquals(ResidencyState.S3, d.target().of("coder").state(), "the coder leaves for host RAM: " + d.cause());
        assertTrue(d.deferred().contains("coder"), "and starts nothing new: " + d.deferred());

        Placement landing = start.with("coder", RolePlacement.cpu("q4_k_m"))
                .with("architect", d.target().of("architect"));
        Decision waiting = p.onTick(new Observation(108, landing, Set.of("architect"), Map.of(),
                Map.of("coder", 8)));
        assertEquals(ResidencyState.S3, waiting.target().of("coder").state(),
                "not substituted while the architect lands: " + waiting.cause());
        assertTrue(waiting.deferred().contains("coder"), "its queue waits, off the CPU: " + waiting.cause());
        assertEquals(Map.of("coder", "architect"), p.explain().get("handingOver"), "the admin view shows it");

        Decision handed = p.onTick(new Observation(110, landing, Set.of(), Map.of(), Map.of("coder", 8)));
        assertEquals(ResidencyState.S6, handed.target().of("coder").state(), handed.cause());
        assertTrue(handed.cause().contains("coder handed to architect"), handed.cause());

        Placement substituted = landing.with("coder", RolePlacement.substituted("q4_k_m"));
        Decision held = p.onRequest(new Observation(140, substituted, Set.of(), Map.of("architect", 2),
                Map.of("architect", 1)), "coder", 3000, 500);
        assertEquals(ResidencyState.S6, held.target().of("coder").state(),
                "still asked for, it stays on the architect: " + held.cause());
        assertTrue(fullyOnGpu(held.target().of("architect")), held.cause());
        @SuppressWarnings("unchecked")
        Map<String, Map<String, Object>> onFallback = (Map<String, Map<String, Object>>) p.explain()
                .get("heldOnFallback");
        assertEquals("architect", onFallback.get("coder").get("fallback"), "held there: " + onFallback);
        assertEquals(140.0, ((Number) onFallback.get("coder").get("lastAsked")).doubleValue(), 1e-9);
        assertEquals(200.0, ((Number) onFallback.get("coder").get("releasedAfter")).doubleValue(), 1e-9,
                "a horizon without a request lets it go: " + onFallback);
    }

    /**
     * The coder fills the GPU, asked every 20 s, when a worker request comes: the worker's load waits for the coder's
     * queue. Two worker requests wait for that load when the next coder request makes the coder's queue four long.
     * Served on the coder, that queue is cheaper than on the architect at the substitution's penalty, but it keeps
     * the worker off the GPU for as long as it lasts; handed to the architect, which fits beside the worker, the coder
     * leaves once its request in flight is done. Counted with the worker's wait, the hand-over is chosen; the same
     * queue with nobody waiting for its room stays (a workday replay, seed 31, 1566 s: a worker request waited 93 s
     * behind a coder queue of four to six, whose requests of 1589–1605 s reached the architect after 77–89 s).
     */
    @Test
    void aQueueThatKeepsALoadWaitingIsHandedOverSooner() {
        Placement start = workersStaged(RolePlacement.cpu("q4_k_m"),
                RolePlacement.gpu(ResidencyState.S1, "q4_k_m", 64));
        EchelonPlanner p = new EchelonPlanner(model);
        EchelonPlanner alone = new EchelonPlanner(model);
        for (double t = 0; t < 100; t += 20) {
            for (EchelonPlanner planner : List.of(p, alone)) {
                planner.onRequest(new Observation(t, start, Set.of(), Map.of("coder", 1), Map.of()), "coder", 2000,
                        500);
            }
        }
        Decision d = p.onRequest(new Observation(100, start, Set.of(), Map.of("coder", 1), Map.of("coder", 1)),
                "worker", 500, 300);
        assertTrue(d.cause().contains("wait for [coder]"), d.cause());

        Decision next = p.onRequest(new Observation(105, start, Set.of(), Map.of("coder", 1),
                Map.of("coder", 3, "worker", 2)), "coder", 2000, 500);
        assertTrue(next.cause().contains("hand over to architect (its queue outruns it, 2 waiting for its room"),
                next.cause());
        assertTrue(fullyOnGpu(next.target().of("architect")) && fullyOnGpu(next.target().of("worker")),
                "the architect loads beside the worker: " + next.cause());
        assertEquals(ResidencyState.S3, next.target().of("coder").state(), next.cause());
        assertTrue(next.deferred().contains("coder"), "the coder starts nothing new: " + next.deferred());

        Decision stays = alone.onRequest(new Observation(105, start, Set.of(), Map.of("coder", 1),
                Map.of("coder", 3)), "coder", 2000, 500);
        assertFalse(stays.cause().contains("hand over"), "nobody waits for its room: " + stays.cause());
        assertTrue(fullyOnGpu(stays.target().of("coder")), stays.cause());
    }

    /**
     * The worker holds the GPU beside the front door, busy with a queue, when a coder request arrives; the coder and
     * the architect wait on their CPU copies in host RAM. Loading the 32B coder would wait for the worker's queue and
     * then evict it, and the worker's next request would wait for the coder's in turn (workday seed 11 traded the
     * GPU between the two every few seconds). The architect, the coder's fallback, fits beside the worker: it is
     * loaded for the coder's request, which waits for it to land — not on the coder's CPU copy — and then moves to
     * it. Unlike a role handed over for a queue it cannot keep up with, the coder is not held there.
     */
    @Test
    void aLargeRoleIsHandedToItsFallbackLoadedBesideABusyRoleInsteadOfLoadedItself() {
        Placement start = workersStaged(RolePlacement.cpu("q4_k_m"), RolePlacement.cpu("q4_k_m"))
                .with("worker", wholeGpuSmallest("worker"));
        assertTrue(model.fits(start), start.toString());
        EchelonPlanner p = new EchelonPlanner(model);
        Decision d = p.onRequest(new Observation(10, start, Set.of(), Map.of("worker", 1),
                Map.of("worker", 2)), "coder", 1500, 400);
        assertTrue(d.cause().contains("load architect and hand over to it"), d.cause());
        assertTrue(fullyOnGpu(d.target().of("architect")), "the architect loads: " + d.cause());
        assertEquals(start.of("worker"), d.target().of("worker"), "the busy worker stays: " + d.cause());
        assertFalse(d.target().of("coder").onGpu(), d.cause());
        assertTrue(d.deferred().contains("coder"), "its request waits for the architect: " + d.deferred());
        assertEquals(Map.of("coder", "architect"), p.explain().get("handingOver"));

        Placement landed = start.with("architect", d.target().of("architect"));
        Decision handed = p.onTick(new Observation(12, landed, Set.of(), Map.of("worker", 1),
                Map.of("worker", 1, "coder", 1)));
        assertEquals(ResidencyState.S6, handed.target().of("coder").state(), handed.cause());
        assertTrue(handed.cause().contains("coder handed to architect"), handed.cause());
        assertEquals(start.of("worker"), handed.target().of("worker"), handed.cause());

        p.onTick(new Observation(13, landed.with("coder", RolePlacement.substituted("q4_k_m")), Set.of(),
                Map.of("architect", 1), Map.of()));
        assertEquals(Map.of(), p.explain().get("heldOnFallback"), "not held on the architect once there");
    }

    /**
     * The front door launches at Q8; its Q4 file is smaller and decodes faster, and no precision floor forbids it. With
     * the front door at Q4 the architect, the worker and math fit on the GPU together (at Q8 they do not), so under
     * traffic for all four the front door moves to Q4 and the three stay resident beside it.
     */
    @Test
    void theFrontDoorTakesTheVariantThatDominatesItsOwnAndMakesRoomForAThirdRole() {
        RolePlacement q8 = model.initialPlacement().of("frontdoor");
        RolePlacement q4 = wholeGpuSmallest("frontdoor");
        assertEquals(ResidencyState.S0, q8.state(), "launched at Q8");
        assertEquals(ResidencyState.S1, q4.state());
        Placement fourAtQ8 = model.initialPlacement().with("math", wholeGpuSmallest("math"))
                .with("architect", wholeGpuSmallest("architect")).with("coder", RolePlacement.cold("q4_k_m"));
        assertFalse(model.fits(fourAtQ8), "at Q8 the front door leaves no room for a third role");
        assertTrue(model.fits(fourAtQ8.with("frontdoor", q4)), "at Q4 it does");

        PolicyDriver d = new PolicyDriver(model, model.initialPlacement(), PlannerSettings.DEFAULTS,
                ForecastSettings.DEFAULTS, GuardrailSettings.DEFAULTS, 3);
        d.run(traffic(Map.of("frontdoor", 0.2, "worker", 0.05, "math", 0.05, "architect", 0.05), 0, 600), 600);
        Placement end = d.current();
        assertEquals("q4_k_m", end.of("frontdoor").variant(), "the front door moved to Q4: " + end);
        assertTrue(fullyOnGpu(end.of("frontdoor")), end.toString());
        for (String role : List.of("worker", "math", "architect")) {
            assertTrue(fullyOnGpu(end.of(role)), role + " resident beside it: " + end);
        }
    }

    /**
     * The architect is asked for once, then the coder takes the whole GPU, then math needs room and the coder (idle)
     * leaves. The memory the coder left is free in a quiet spell: the architect, whose forecast still expects a
     * little traffic, is loaded into it ahead of its next request instead of waiting in host RAM for it; the coder,
     * which no longer fits beside the others, is not.
     */
    @Test
    void aQuietSpellFillsFreeGpuMemoryWithARoleStillExpected() {
        PolicyDriver d = new PolicyDriver(model, model.initialPlacement(), PlannerSettings.DEFAULTS,
                ForecastSettings.DEFAULTS, GuardrailSettings.DEFAULTS, 3);
        List<PolicyDriver.Arrival> trace = List.of(new PolicyDriver.Arrival(10, "architect"),
                new PolicyDriver.Arrival(60, "coder"), new PolicyDriver.Arrival(200, "math"));
        d.run(trace, 600);
        Placement end = d.current();
        assertTrue(fullyOnGpu(end.of("architect")), "filled into the free GPU memory: " + end);
        assertFalse(fullyOnGpu(end.of("coder")), "math's load sent the coder away: " + end);
        int demoted = -1;
        int refilled = -1;
        for (int i = 0; i < d.transitions().size(); i++) {
            Transition t = d.transitions().get(i);
            if (t.role().equals("architect") && fullyOnGpu(t.from()) && !fullyOnGpu(t.to())) {
                demoted = i;
            } else if (t.role().equals("architect") && !fullyOnGpu(t.from()) && fullyOnGpu(t.to())) {
                refilled = i;
            }
        }
        assertTrue(demoted >= 0 && refilled > demoted, "the coder's load sent the architect to host RAM, and it came "
                + "back with no request: " + d.transitions());
        assertTrue(d.transitionTimes().get(refilled) > 200, "after math's load freed the coder's memory: "
                + d.transitionTimes());
        assertTrue(model.fits(end), end.toString());
    }

    /** A driver starting with the coder alone on the whole GPU and the architect, worker and math in host RAM. */
    private PolicyDriver coderHoldingTheGpu() {
        Placement start = workersStaged(RolePlacement.cpu("q4_k_m"), wholeGpuSmallest("coder"));
        return new PolicyDriver(model, start, PlannerSettings.DEFAULTS, ForecastSettings.DEFAULTS,
                GuardrailSettings.DEFAULTS, 3);
    }

    /**
     * One request for the front door, then nothing, and the idle coder holds the GPU with the architect, worker and
     * math staged in host RAM. With no traffic to tell them apart each is as likely as the others to be asked next,
     * so the GPU is better spent on the three that fit together: the coder is staged, and they are loaded, ahead of
     * any request for them. Before that first request none of them moves: the launch placement is the operator's.
     */
    @Test
    void inAQuietSpellTheGpuHoldsTheRolesLikeliestToBeAskedNext() {
        PolicyDriver d = coderHoldingTheGpu();
        d.run(List.of(new PolicyDriver.Arrival(60, "frontdoor")), 240);
        for (int i = 0; i < d.transitions().size(); i++) {
            assertTrue(d.transitions().get(i).role().equals("frontdoor") || d.transitionTimes().get(i) >= 60,
                    "nothing weighed before the first request: " + d.transitions() + " at " + d.transitionTimes());
        }
        Placement end = d.current();
        assertEquals(ResidencyState.S3, end.stateOf("coder"), "staged in host RAM: " + end);
        for (String role : List.of("architect", "worker", "math")) {
            assertTrue(fullyOnGpu(end.of(role)), role + " loaded with no request: " + end);
        }
        assertTrue(model.fits(end), end.toString());
    }

    /**
     * The same placement after ten minutes of steady coder traffic: in the lull that follows, the coder is the
     * likeliest role to be asked next, and it keeps the GPU.
     */
    @Test
    void aRoleAskedSteadilyKeepsTheGpuThroughALull() {
        PolicyDriver d = coderHoldingTheGpu();
        d.run(traffic(Map.of("coder", 1 / 30.0), 0, 600), 900);
        Placement end = d.current();
        assertTrue(fullyOnGpu(end.of("coder")), "300 s into the lull: " + end);
        assertTrue(d.transitions().stream().noneMatch(t -> t.role().equals("coder")), d.transitions().toString());
    }

    @Test
    void aColdRoleIsLoadedOnItsFirstRequest() {
        Placement start = model.initialPlacement().with("math", RolePlacement.cold("q4_k_m"));
        EchelonPlanner p = new EchelonPlanner(model);
        Decision d = p.onRequest(PlanFixtures.idle(10, start), "math");
        assertTrue(d.target().of("math").running(), "on-demand load: " + d.cause());
        assertTrue(d.cause().contains("request for math") && d.cause().contains("cannot serve"), d.cause());
        assertTrue(d.deferred().isEmpty());
        assertTrue(model.fits(d.target()));
    }

    @Test
    void aRequestForAServingRoleMovesNothingAndItsSizeIsLearnt() {
        EchelonPlanner p = new EchelonPlanner(model);
        Placement start = model.initialPlacement();
        Decision d = p.onRequest(PlanFixtures.idle(10, start), "frontdoor", 2000, 600);
        assertEquals(start, d.target(), d.cause());
        @SuppressWarnings("unchecked")
        Map<String, Object> frontdoor = (Map<String, Object>) ((Map<String, Object>) p.explain().get("forecast"))
                .get("frontdoor");
        double prompt = ((Number) frontdoor.get("promptTokens")).doubleValue();
        assertTrue(prompt > PlannerSettings.DEFAULTS.promptTokens() && prompt < 2000,
                "the prior moves towards the request seen: " + frontdoor);
    }

    @Test
    void weakAnswersPrefetchTheEscalationTarget() {
        // coder is cold; a burst of weak front-door answers on code questions should stage it before it is asked
        Placement start = model.initialPlacement().with("coder", RolePlacement.cold("q4_k_m"));
        EchelonPlanner p = new EchelonPlanner(model);
        for (int i = 0; i < 4; i++) {
            p.onWeakAnswer(100 + i, "frontdoor", "coder");
        }
        Decision d = p.onTick(PlanFixtures.idle(104, start));
        assertTrue(d.target().of("coder").running(), "prefetched: " + d.cause());
        @SuppressWarnings("unchecked")
        Map<String, Object> coder = (Map<String, Object>) ((Map<String, Object>) p.explain().get("forecast"))
                .get("coder");
        assertTrue((Double) coder.get("pendingEscalations") > 1.5, "explain shows the prefetch signal: " + coder);
    }

    @Test
    void explainIsJsonFriendly() {
        EchelonPlanner p = new EchelonPlanner(model);
        p.onTick(PlanFixtures.idle(1, model.initialPlacement()));
        Map<String, Object> e = p.explain();
        assertEquals("planner", e.get("policy"));
        for (String key : List.of("forecast", "planCost", "solveMicros", "knapsackSolves", "planned", "vetoes",
                "deferred", "awaitedVictims", "heldVictims", "handingOver", "heldOnFallback", "cause")) {
            assertTrue(e.containsKey(key), key + " in " + e.keySet());
        }
        assertJson(e);
    }

    private static void assertJson(Object o) {
        if (o instanceof Map<?, ?> m) {
            m.forEach((k, v) -> {
                assertTrue(k instanceof String);
                assertJson(v);
            });
        } else if (o instanceof List<?> l) {
            l.forEach(ShippedRegistryPlanTest::assertJson);
        } else {
            assertTrue(o instanceof String || o instanceof Number || o instanceof Boolean, "JSON value: " + o);
            if (o instanceof Double dbl) {
                assertTrue(Double.isFinite(dbl), "finite number");
            }
        }
    }
}
