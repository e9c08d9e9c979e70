package dev.echelon.residency.plan;

import dev.echelon.cost.CostModel;
import dev.echelon.registry.ResidencyState;
import dev.echelon.residency.Budgets;
import dev.echelon.residency.Observation;
import dev.echelon.residency.Placement;
import dev.echelon.residency.ResidencyModel;
import dev.echelon.residency.RolePlacement;
import dev.echelon.residency.Transition;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Guardrail scenarios on the shipped registry's roles. */
class GuardrailsTest {

    private final ResidencyModel shipped = PlanFixtures.shippedModel();
    private final Guardrails guardrails = new Guardrails(shipped, GuardrailSettings.DEFAULTS);

    private static RolePlacement gpu(ResidencyState s, String variant, int layers) {
        return RolePlacement.gpu(s, variant, layers);
    }

    /** frontdoor S1 (q4); every other role cold (q4). */
    private Placement frontdoorOnly() {
        Placement p = shipped.initialPlacement().with("frontdoor", gpu(ResidencyState.S1, "q4_k_m", 28));
        for (String role : new String[] {"coder", "worker", "math", "architect"}) {
            p = p.with(role, RolePlacement.cold("q4_k_m"));
        }
        return p;
    }

    /** frontdoor S1 (q4), coder S1 (q4): the GPU is full; everyone else cold. */
    private Placement coderOnGpu() {
        return frontdoorOnly().with("coder", gpu(ResidencyState.S1, "q4_k_m", 64));
    }

    /** frontdoor S1 (q4), architect S1 (q4), the coder substituted onto it; worker and math cold. */
    private Placement coderOnArchitect() {
        return frontdoorOnly()
                .with("architect", gpu(ResidencyState.S1, "q4_k_m", 48))
                .with("coder", RolePlacement.substituted("q4_k_m"));
    }

    /** A history in which each of {@code roles} last changed at {@code t}. */
    private static TransitionHistory changedAt(double t, String... roles) {
        TransitionHistory history = new TransitionHistory(600);
        for (String role : roles) {
            history.record(role, t);
        }
        return history;
    }

    @Test
    void aBusyRoleMayBeDemotedItsDrainIsTheActuatorsAndWhatCannotFitIsDeferredLowestPriorityFirst() {
        Placement current = coderOnGpu();
        assertTrue(shipped.fits(current));
        // the coder has a request in flight: the plan may still move it to the CPU (whoever carries the transition
        // out drains it first), which frees the GPU for the worker and the architect
        Placement wanted = current.with("coder", RolePlacement.cpu("q4_k_m"))
                .with("worker", gpu(ResidencyState.S1, "q4_k_m", 28))
                .with("architect", gpu(ResidencyState.S1, "q4_k_m", 48));
        Observation obs = new Observation(100, current, Set.of(), Map.of("coder", 1),
                Map.of("worker", 2, "architect", 1));
        GuardedPlan out = guardrails.apply(wanted, obs, new TransitionHistory(600));
        assertEquals(RolePlacement.cpu("q4_k_m"), out.target().of("coder"), "busy coder planned down");
        assertEquals("coder", out.transitions().get(0).role(), "the demotion that frees the GPU comes first");
        assertTrue(out.deferred().isEmpty(), "everything fits once the coder is off the GPU: " + out.deferred());

        // dwell does not keep the coder there: its demotion makes room for loads that requests wait for
        TransitionHistory recent = new TransitionHistory(600);
        recent.record("coder", 95);
        GuardedPlan room = guardrails.apply(wanted, obs, recent);
        assertEquals(RolePlacement.cpu("q4_k_m"), room.target().of("coder"), "a waiting load makes room past dwell");

        // keep the coder where it is (a transition of it is running): now the worker and the architect do not fit
        Observation moving = new Observation(100, current, Set.of("coder"), Map.of(),
                Map.of("worker", 2, "architect", 1));
        GuardedPlan held = guardrails.apply(wanted, moving, recent);
        assertEquals(current.of("coder"), held.target().of("coder"), "coder in transit stays");
        assertTrue(held.vetoes().stream().anyMatch(v -> v.role().equals("coder")
                && v.reason() == Veto.Reason.IN_TRANSIT));
        assertTrue(held.vetoes().stream().anyMatch(v -> v.role().equals("worker")
                && v.reason() == Veto.Reason.BUDGET));
        assertTrue(held.vetoes().stream().anyMatch(v -> v.role().equals("architect")
                && v.reason() == Veto.Reason.BUDGET));
        assertEquals(List.of("worker", "architect"), held.deferred(), "tier C (priority 1) before tier B (2)");
        assertTrue(held.transitions().isEmpty());
    }

    @Test
    void demotionsComeFirstAndEveryStepFits() {
        Placement current = coderOnGpu();
        Placement wanted = current.with("coder", RolePlacement.cold("q4_k_m"))
                .with("worker", gpu(ResidencyState.S1, "q4_k_m", 28))
                .with("architect", gpu(ResidencyState.S1, "q4_k_m", 48));
        GuardedPlan out = guardrails.apply(wanted, PlanFixtures.idle(100, current), new TransitionHistory(600));
        assertEquals(wanted, out.target());
        assertEquals("coder", out.transitions().get(0).role(), "the stop frees the GPU first");
        Placement p = current;
        for (Transition t : out.transitions()) {
            p = p.with(t.role(), t.to());
            assertTrue(shipped.fits(p), "fits after " + t);
        }
        assertTrue(out.vetoes().isEmpty());
    }

    @Test
    void aSwapBlockedInBothResourcesGoesThroughAStop() {
        // GPU holds the front door and one of worker / architect; host RAM holds the staged architect or the
        // worker, not both: worker (GPU → RAM) needs the RAM the architect (RAM → GPU) frees, and vice versa
        ResidencyModel tight = new ResidencyModel(List.copyOf(shipped.roles().values()),
                new Budgets(15_000_000_000L, 12_600_000_000L), new CostModel());
        Placement current = shipped.initialPlacement()
                .with("frontdoor", gpu(ResidencyState.S1, "q4_k_m", 28))
                .with("worker", gpu(ResidencyState.S1, "q4_k_m", 28))
                .with("math", RolePlacement.cold("q4_k_m"))
                .with("coder", RolePlacement.cold("q4_k_m"))
                .with("architect", RolePlacement.cpu("q4_k_m"));
        assertTrue(tight.fits(current));
        Placement wanted = current.with("worker", RolePlacement.cpu("q4_k_m"))
                .with("architect", gpu(ResidencyState.S1, "q4_k_m", 48));
        assertTrue(tight.fits(wanted));
        GuardedPlan out = new Guardrails(tight, GuardrailSettings.DEFAULTS)
                .apply(wanted, PlanFixtures.idle(100, current), new TransitionHistory(600));
        assertEquals(wanted, out.target(), "vetoes: " + out.vetoes());
        assertEquals(List.of("worker: S1(q4_k_m) → S4(q4_k_m)", "architect: S3(q4_k_m) → S1(q4_k_m)",
                "worker: S4(q4_k_m) → S3(q4_k_m)"), out.transitions().stream().map(Transition::toString).toList());
        Placement p = current;
        for (Transition t : out.transitions()) {
            p = p.with(t.role(), t.to());
            assertTrue(tight.fits(p), "fits after " + t);
        }
    }

    @Test
    void dwellHoldsExceptForWaitingRequests() {
        Placement current = coderOnGpu().with("math", RolePlacement.cpu("q4_k_m"));
        TransitionHistory history = changedAt(95, "math", "coder");
        Placement wanted = current.with("math", gpu(ResidencyState.S2, "q4_k_m", 4))
                .with("coder", gpu(ResidencyState.S2, "q4_k_m", 56));
        // nobody waits: both changed 5 s ago, so neither moves within the dwell
        GuardedPlan idle = guardrails.apply(wanted, PlanFixtures.idle(100, current), history);
        assertEquals(current, idle.target(), idle.vetoes().toString());
        assertTrue(idle.vetoes().stream().anyMatch(v -> v.role().equals("coder") && v.reason() == Veto.Reason.DWELL),
                idle.vetoes().toString());
        assertTrue(idle.vetoes().stream().anyMatch(v -> v.role().equals("math") && v.reason() == Veto.Reason.DWELL),
                idle.vetoes().toString());
        // math has a queue: its promotion may go now, and the idle coder's demotion that makes room for it too
        Observation obs = new Observation(100, current, Set.of(), Map.of(), Map.of("math", 3));
        GuardedPlan out = guardrails.apply(wanted, obs, history);
        assertEquals(wanted, out.target(), out.vetoes().toString());
        assertTrue(out.vetoes().isEmpty(), out.vetoes().toString());
        // a demotion that makes room for nobody's waiting request still waits for the dwell
        Placement alone = current.with("coder", gpu(ResidencyState.S2, "q4_k_m", 56));
        GuardedPlan held = guardrails.apply(alone, obs, history);
        assertEquals(current.of("coder"), held.target().of("coder"));
        assertTrue(held.vetoes().stream().anyMatch(v -> v.role().equals("coder") && v.reason() == Veto.Reason.DWELL),
                held.vetoes().toString());
    }

    /**
     * The coder substituted onto the architect (on the GPU); both changed 5 s ago. The architect's demotion goes
     * (it makes room for math's waiting requests) and the coder follows it off substitution despite its dwell, after
     * it in the plan; when the architect's move is held back, the coder stays substituted with it.
     */
    @Test
    void aSubstitutedRoleFollowsItsFallbackOffTheGpuAndOnlyWithIt() {
        Placement current = coderOnArchitect();
        assertTrue(shipped.fits(current));
        TransitionHistory history = changedAt(95, "architect", "coder");
        Placement wanted = current.with("architect", RolePlacement.cpu("q4_k_m"))
                .with("coder", RolePlacement.cold("q4_k_m"))
                .with("math", gpu(ResidencyState.S1, "q4_k_m", 28));
        Observation mathWaits = new Observation(100, current, Set.of(), Map.of(), Map.of("math", 2));
        GuardedPlan out = guardrails.apply(wanted, mathWaits, history);
        assertEquals(wanted, out.target(), out.vetoes().toString());
        List<String> order = out.transitions().stream().map(Transition::role).toList();
        assertTrue(order.indexOf("coder") > order.indexOf("architect"), "the coder follows its fallback: " + order);

        // nobody waits: the architect dwells, and the coder stays substituted onto it
        Placement idleWanted = current.with("architect", RolePlacement.cpu("q4_k_m"))
                .with("coder", RolePlacement.cold("q4_k_m"));
        GuardedPlan held = guardrails.apply(idleWanted, PlanFixtures.idle(100, current), history);
        assertEquals(current, held.target(), held.vetoes().toString());

        // the architect already left the GPU: the coder may leave S6 at once, dwell or not
        Placement stranded = current.with("architect", RolePlacement.cpu("q4_k_m"));
        GuardedPlan free = guardrails.apply(stranded.with("coder", RolePlacement.cold("q4_k_m")),
                PlanFixtures.idle(100, stranded), history);
        assertEquals(RolePlacement.cold("q4_k_m"), free.target().of("coder"), free.vetoes().toString());
    }

    /**
     * The architect substituted onto the coder (one slot, half the architect's speed), with a request of its own
     * waiting; both changed 5 s ago. Taking the architect off substitution is the first step of its load, so dwell
     * holds neither it nor the coder's demotion that makes room: its requests would otherwise stay parked on the
     * slower coder. The mirror case — the coder substituted onto the faster architect — stays under dwell: its
     * requests are served meanwhile.
     */
    @Test
    void aWaitingRoleLeavesASlowerFallbackDespiteDwellButNotAFasterOne() {
        Placement onCoder = coderOnGpu().with("architect", RolePlacement.substituted("q4_k_m"));
        TransitionHistory history = changedAt(95, "architect", "coder");
        Placement leave = offSubstitution(onCoder, "architect", "coder");
        GuardedPlan out = guardrails.apply(leave, bothWaiting(onCoder, "coder"), history);
        assertEquals(leave, out.target(), out.vetoes().toString());
        // nobody of its own waits: the substitution dwells as before
        GuardedPlan idle = guardrails.apply(leave, PlanFixtures.idle(100, onCoder), history);
        assertEquals(onCoder, idle.target(), idle.vetoes().toString());

        Placement onArchitect = coderOnArchitect();
        Placement back = offSubstitution(onArchitect, "coder", "architect");
        GuardedPlan held = guardrails.apply(back, bothWaiting(onArchitect, "architect"), history);
        assertEquals(onArchitect, held.target(), held.vetoes().toString());
        assertTrue(held.vetoes().stream().anyMatch(v -> v.role().equals("coder") && v.reason() == Veto.Reason.DWELL),
                held.vetoes().toString());
    }

    /**
     * The coder taken off substitution for its own load (S6 → S4) 1 s ago, its fallback the architect gone from the
     * GPU since: its load is the second half of that move, and the dwell the first half started does not hold it back,
     * though no request of its own waits (the load was decided for its forecast, or its request went elsewhere).
     * A cold role that got there any other way still dwells.
     */
    @Test
    void theLoadThatCompletesLeavingSubstitutionIsNotHeldByTheDwellItsFirstStepStarted() {
        Placement cold = frontdoorOnly().with("architect", RolePlacement.cpu("q4_k_m"))
                .with("coder", RolePlacement.cold("q4_k_m"));
        Placement load = cold.with("coder", gpu(ResidencyState.S1, "q4_k_m", 64));
        assertTrue(shipped.fits(load));

        TransitionHistory leftSubstitution = new TransitionHistory(600);
        leftSubstitution.record(shipped.transition("coder", RolePlacement.substituted("q4_k_m"),
                RolePlacement.cold("q4_k_m")), 99);
        GuardedPlan out = guardrails.apply(load, PlanFixtures.idle(100, cold), leftSubstitution);
        assertEquals(load, out.target(), out.vetoes().toString());

        TransitionHistory stopped = new TransitionHistory(600);
        stopped.record(shipped.transition("coder", gpu(ResidencyState.S1, "q4_k_m", 64),
                RolePlacement.cold("q4_k_m")), 99);
        GuardedPlan held = guardrails.apply(load, PlanFixtures.idle(100, cold), stopped);
        assertEquals(cold, held.target(), held.vetoes().toString());
        assertTrue(held.vetoes().stream().anyMatch(v -> v.role().equals("coder") && v.reason() == Veto.Reason.DWELL),
                held.vetoes().toString());
    }

    /**
     * The architect on its CPU copy with a request waiting that the coder's context cannot hold (bound to it): a plan
     * that substitutes it onto the coder is refused, whatever policy asks, since nobody would serve that request. The
     * same plan with a request the coder holds goes through.
     */
    @Test
    void aRoleIsNotSubstitutedWhileARequestItsFallbackCannotHoldWaitsForIt() {
        Placement at = coderOnGpu().with("architect", RolePlacement.cpu("q4_k_m"));
        Placement substitute = at.with("architect", RolePlacement.substituted("q4_k_m"));
        Observation bound = new Observation(100, at, Set.of(), Map.of(), Map.of("architect", 2),
                Map.of("architect", 1));
        GuardedPlan refused = guardrails.apply(substitute, bound, new TransitionHistory(600));
        assertEquals(at, refused.target(), refused.vetoes().toString());
        assertTrue(refused.vetoes().stream().anyMatch(v -> v.role().equals("architect")
                && v.reason() == Veto.Reason.BOUND), refused.vetoes().toString());

        Observation free = new Observation(100, at, Set.of(), Map.of(), Map.of("architect", 2));
        GuardedPlan out = guardrails.apply(substitute, free, new TransitionHistory(600));
        assertEquals(substitute, out.target(), out.vetoes().toString());
    }

    /** The plan that takes {@code substituted} off its fallback (to be loaded next) and demotes the fallback. */
    private static Placement offSubstitution(Placement at, String substituted, String fallback) {
        return at.with(substituted, RolePlacement.cold("q4_k_m")).with(fallback, RolePlacement.cpu("q4_k_m"));
    }

    /** At 100 s: the fallback serving one request, one request each of the architect and the coder waiting. */
    private static Observation bothWaiting(Placement at, String fallback) {
        return new Observation(100, at, Set.of(), Map.of(fallback, 1), Map.of("architect", 1, "coder", 1));
    }

    @Test
    void flapDampingDoublesTheDwellPerReversal() {
        TransitionHistory h = new TransitionHistory(1200);
        Placement current = coderOnGpu();
        RolePlacement up = current.of("coder");
        RolePlacement down = RolePlacement.cpu("q4_k_m");
        h.record(shipped.transition("coder", up, down), 0);
        h.record(shipped.transition("coder", down, up), 40);
        h.record(shipped.transition("coder", up, down), 120);
        assertEquals(2, h.reversalsSince("coder", 0));
        assertEquals(120.0, guardrails.dwell("coder", 130, h), 1e-9, "two reversals: 4 × 30 s");
        assertEquals(30.0, guardrails.dwell("coder", 800, h), 1e-9, "reversals older than the flap window");
    }

    @Test
    void pinsAndPrecisionFloorsAreEnforcedEvenIfThePlannerAsks() {
        Placement current = coderOnGpu();
        Placement wanted = current.with("frontdoor", RolePlacement.cpu("q4_k_m"))
                .with("worker", gpu(ResidencyState.S1, "no_such_variant", 28));
        GuardedPlan out = guardrails.apply(wanted, PlanFixtures.idle(100, current), new TransitionHistory(600));
        assertEquals(current, out.target());
        assertTrue(out.vetoes().stream().anyMatch(v -> v.role().equals("frontdoor") && v.reason() == Veto.Reason.PIN));
        assertTrue(out.vetoes().stream().anyMatch(v -> v.role().equals("worker")
                && v.reason() == Veto.Reason.PRECISION_FLOOR));
    }

    @Test
    void theWindowCapsNonUrgentTransitionsButNotUrgentLoads() {
        Placement current = coderOnGpu();
        TransitionHistory history = new TransitionHistory(600);
        for (int i = 0; i < GuardrailSettings.DEFAULTS.maxTransitionsPerWindow(); i++) {
            history.record("someone" + i, 90);
        }
        Placement wanted = current.with("math", RolePlacement.cpu("q4_k_m"))
                .with("architect", RolePlacement.cpu("q4_k_m"));
        Observation obs = new Observation(100, current, Set.of(), Map.of(), Map.of("math", 1));
        GuardedPlan out = guardrails.apply(wanted, obs, history);
        assertEquals(RolePlacement.cpu("q4_k_m"), out.target().of("math"), "urgent: cold with a queue");
        assertEquals(current.of("architect"), out.target().of("architect"));
        assertTrue(out.vetoes().stream().anyMatch(v -> v.role().equals("architect")
                && v.reason() == Veto.Reason.WINDOW));
        PlanConstraints c = guardrails.constraints(obs, history);
        assertTrue(c.fixed().contains("architect") && !c.fixed().contains("math"), c.toString());
    }
}
