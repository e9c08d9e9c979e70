package dev.echelon.residency.policy;

import dev.echelon.residency.Observation;
import dev.echelon.residency.Placement;
import dev.echelon.residency.ResidencyModel;
import dev.echelon.residency.RolePlacement;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.Set;

import static dev.echelon.registry.ResidencyState.S0;
import static dev.echelon.registry.ResidencyState.S1;
import static dev.echelon.registry.ResidencyState.S2;
import static dev.echelon.registry.ResidencyState.S3;
import static dev.echelon.registry.ResidencyState.S4;
import static dev.echelon.residency.policy.PolicyFixtures.GIB;
import static dev.echelon.residency.policy.PolicyFixtures.MODEL;
import static dev.echelon.residency.policy.PolicyFixtures.idle;
import static dev.echelon.residency.policy.PolicyFixtures.running;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PeerPoliciesTest {

    private static final Placement INITIAL = MODEL.initialPlacement();

    @Test
    void staticNeverMoves() {
        StaticPolicy p = new StaticPolicy(MODEL);
        assertEquals(INITIAL, p.onTick(idle(0, INITIAL)).target());
        assertEquals(INITIAL, p.onRequest(idle(5, INITIAL), "coder").target());
        assertEquals(INITIAL, p.onTick(idle(9999, INITIAL)).target());
    }

    @Test
    void countLruUnloadsTheLeastRecentlyUsedBeyondTheCount() {
        CountLruPolicy p = new CountLruPolicy(MODEL, 3);
        Placement t = p.onTick(idle(0, INITIAL)).target();
        assertEquals(List.of("frontdoor"), runningRoles(t), "the router starts empty; the pin keeps the front door");
        t = p.onRequest(idle(1, t), "architect").target();
        assertEquals(MODEL.role("architect").initial(), t.of("architect"), "loaded with its launch settings");
        t = p.onRequest(idle(2, t), "worker").target();
        t = p.onRequest(idle(3, t), "coder").target();
        assertEquals(List.of("frontdoor", "worker", "coder"), runningRoles(t), "the architect (t=1) was the LRU");
        t = p.onRequest(idle(4, t), "math").target();
        assertEquals(List.of("frontdoor", "math", "coder"), runningRoles(t), "then the worker (t=2)");
        assertTrue(MODEL.fits(t));
    }

    @Test
    void countLruUnloadsMoreWhenTheLoadWouldNotFit() {
        ResidencyModel small = PolicyFixtures.withGpu(22 * GIB);
        CountLruPolicy p = new CountLruPolicy(small);
        Placement t = p.onRequest(idle(1, small.initialPlacement()), "worker").target();
        t = p.onRequest(idle(2, t), "coder").target();
        assertTrue(small.fits(t), "the count would allow both, memory does not: " + small.footprint(t));
        assertEquals(S4, t.stateOf("worker"), "the LRU model that frees GPU memory goes");
        assertEquals(MODEL.role("coder").initial(), t.of("coder"));
    }

    @Test
    void ttlLruExpiresIdleModelsAfterTheKeepAlive() {
        TtlLruPolicy p = new TtlLruPolicy(MODEL);
        Placement t = p.onTick(idle(0, INITIAL)).target();
        assertEquals(List.of("frontdoor"), runningRoles(t), "Ollama starts empty; the pin keeps the front door");
        t = p.onRequest(idle(10, t), "worker").target();
        t = p.onRequest(idle(20, t), "architect").target();
        assertEquals(S1, t.stateOf("worker"));
        assertEquals(S1, t.stateOf("architect"), "Ollama puts every layer on the GPU when it fits");
        t = p.onTick(idle(309, t)).target();
        assertTrue(t.of("worker").running(), "idle 299 s < 5 min");
        t = p.onTick(idle(310, t)).target();
        assertEquals(S4, t.stateOf("worker"), "idle 5 min");
        assertTrue(t.of("architect").running(), "used at t=20");
        Observation busy = new Observation(330, t, Set.of(), Map.of("architect", 1), Map.of());
        t = p.onTick(busy).target();
        t = p.onTick(idle(629, t)).target();
        assertTrue(t.of("architect").running(), "in flight at t=330: the timer restarted");
        t = p.onTick(idle(630, t)).target();
        assertEquals(S4, t.stateOf("architect"));
        assertTrue(t.of("frontdoor").running(), "pinned: never unloaded");
    }

    @Test
    void ttlLruOffloadsPartiallyWhatDoesNotFitTheGpu() {
        ResidencyModel small = PolicyFixtures.withGpu(22 * GIB);
        TtlLruPolicy p = new TtlLruPolicy(small);
        Placement t = p.onRequest(idle(1, small.initialPlacement()), "coder").target();
        RolePlacement coder = t.of("coder");
        assertEquals(S2, coder.state(), "23 GB of coder does not fit beside the front door in 22 GiB");
        assertTrue(small.fits(t));
        RolePlacement oneMore = RolePlacement.gpu(S2, coder.variant(), coder.gpuLayers() + 1);
        assertFalse(small.fits(t.with("coder", oneMore)), "as many layers as fit");
    }

    @Test
    void ttlLruKeepsAtMostThreeLoaded() {
        TtlLruPolicy p = new TtlLruPolicy(MODEL);
        Placement t = p.onTick(idle(0, INITIAL)).target(); // the launch placement has five: the tick enforces 3
        double now = 1;
        for (String role : List.of("worker", "math", "coder", "architect", "worker", "math")) {
            t = p.onRequest(idle(now++, t), role).target();
            assertTrue(running(t) <= 3, t.toString());
            assertTrue(t.of(role).running());
            assertTrue(MODEL.fits(t));
        }
    }

    @Test
    void swapOneRunsOneModelBesideThePersistentFrontDoor() {
        SwapOnePolicy p = new SwapOnePolicy(MODEL);
        Placement t = p.onTick(idle(0, INITIAL)).target();
        assertEquals(List.of("frontdoor"), runningRoles(t));
        assertEquals(Set.of("frontdoor"), p.persistent());
        double now = 1;
        for (String role : List.of("coder", "architect", "math", "math", "worker", "coder")) {
            t = p.onRequest(idle(now++, t), role).target();
            assertEquals(List.of("frontdoor", role), runningRoles(t).stream().sorted((a, b) -> a.equals("frontdoor")
                    ? -1 : b.equals("frontdoor") ? 1 : 0).toList());
            assertEquals(t.of(role).gpuLayers(), MODEL.role(role).requireVariant(t.of(role).variant()).layers(),
                    role + " gets every layer: alone beside the front door it fits");
            assertTrue(MODEL.fits(t));
        }
    }

    @Test
    void aRequestWhoseModelWasUnloadedBeforeItRanIsServedOnceTheModelThatTookItsPlaceIsIdle() {
        // count-lru's launch placements fit together: with --models-max 2 it is the count that unloads the worker
        for (var p : List.of(new TtlLruPolicy(MODEL), new CountLruPolicy(MODEL, 2), new SwapOnePolicy(MODEL))) {
            Placement t = p.onTick(idle(0, INITIAL)).target();
            // the worker's request and the coder's arrive together: the coder's load unloads the worker
            t = p.onRequest(idle(1, t), "worker").target();
            t = p.onRequest(new Observation(1, t, Set.of(), Map.of(), Map.of("worker", 1)), "coder").target();
            assertEquals(S4, t.stateOf("worker"), p.name() + ": the coder's load unloads the worker");
            Observation coderBusy = new Observation(2, t, Set.of(), Map.of("coder", 1), Map.of("worker", 1));
            t = p.onTick(coderBusy).target();
            assertEquals(S4, t.stateOf("worker"), p.name() + ": never unloads a model serving a request");
            assertTrue(t.of("coder").running());
            Observation coderDone = new Observation(30, t, Set.of(), Map.of(), Map.of("worker", 1));
            t = p.onTick(coderDone).target();
            assertTrue(t.of("worker").running(), p.name() + ": the waiting request gets its model: " + t);
            assertTrue(MODEL.fits(t));
        }
    }

    @Test
    void rbMapsScoresToBands() {
        RbPolicy p = new RbPolicy(MODEL);
        assertEquals(S0, p.band(1.6, "coder"));
        assertEquals(S1, p.band(1.0, "coder"));
        assertEquals(S2, p.band(0.5, "coder"));
        assertEquals(S3, p.band(0.2, "coder"));
        assertEquals(S4, p.band(0.1, "coder"));
        assertEquals(S1, p.band(0.1, "frontdoor"), "the pin raises the band");
    }

    @Test
    void rbPlacesByScoreWithinTheBudget() {
        RbPolicy p = new RbPolicy(MODEL);
        Placement t = p.onTick(idle(10, INITIAL)).target();
        // nothing used yet: only tier priority and size speak
        assertEquals(S0, t.stateOf("frontdoor"), "tiny and tier A: top band, full precision");
        assertEquals(S4, t.stateOf("coder"), "big, slow to load and idle: bottom band");
        assertEquals(S3, t.stateOf("architect"));
        for (int i = 0; i < 10; i++) {
            p.onRequest(idle(20 + i, t), "math");
        }
        t = p.onTick(idle(30, t)).target();
        assertTrue(p.score(idle(30, t), "math") >= RbPolicy.BAND_S1);
        assertEquals(S1, t.stateOf("math"), "busy: top band; no full-precision variant, so S1");
        assertTrue(MODEL.fits(t));
    }

    private static List<String> runningRoles(Placement p) {
        return p.roles().entrySet().stream().filter(e -> e.getValue().running()).map(Map.Entry::getKey).toList();
    }
}
