package dev.echelon.residency.plan;

import dev.echelon.residency.Decision;
import dev.echelon.residency.Placement;
import dev.echelon.residency.ResidencyModel;
import dev.echelon.residency.RolePlacement;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

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
                "deferred", "cause")) {
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
