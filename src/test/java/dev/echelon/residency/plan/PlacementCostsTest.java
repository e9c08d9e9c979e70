package dev.echelon.residency.plan;

import dev.echelon.registry.ResidencyState;
import dev.echelon.residency.Placement;
import dev.echelon.residency.ResidencyModel;
import dev.echelon.residency.RolePlacement;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** How cold (S4) and substituted (S6) placements are priced and ranked, on the shipped registry. */
class PlacementCostsTest {

    private final ResidencyModel model = PlanFixtures.shippedModel();

    private static Forecast forecast(String role, double rate, int queued) {
        return new Forecast(0, Map.of(role, new RoleForecast(rate, rate, rate, rate, 0, 0, 30, queued)), 30);
    }

    @Test
    void aSparseLongPromptRoleIsCheaperColdThanOnTheCpu() {
        PlacementCosts costs = new PlacementCosts(model, PlannerSettings.DEFAULTS);
        costs.shape("architect", 2500, 400);
        Placement current = model.initialPlacement().with("architect", RolePlacement.cpu("q4_k_m"));
        Forecast sparse = forecast("architect", 0.5 / PlannerSettings.DEFAULTS.horizonSeconds(), 0);
        double cold = costs.cost("architect", RolePlacement.cold("q4_k_m"), current, sparse);
        double cpu = costs.cost("architect", RolePlacement.cpu("q4_k_m"), current, sparse);
        // one request in two horizons: loading it whole on arrival costs seconds, a CPU prefill of 2,500 tokens minutes
        assertTrue(cold < cpu, "cold " + cold + " < cpu " + cpu);
    }

    @Test
    void stayingColdWithAQueueCostsMoreThanServingIt() {
        PlacementCosts costs = new PlacementCosts(model, PlannerSettings.DEFAULTS);
        Placement current = model.initialPlacement().with("math", RolePlacement.cold("q4_k_m"));
        Forecast waiting = forecast("math", 0.01, 2);
        double cold = costs.cost("math", RolePlacement.cold("q4_k_m"), current, waiting);
        double gpu = costs.cost("math", RolePlacement.gpu(ResidencyState.S1, "q4_k_m", 28), current, waiting);
        assertTrue(gpu < cold, "loading " + gpu + " < staying cold " + cold);
    }

    @Test
    void substitutedRanksAboveCold() {
        RolePlacement cold = RolePlacement.cold("q4_k_m");
        RolePlacement substituted = RolePlacement.substituted("q4_k_m");
        assertTrue(Guardrails.promotes(cold, substituted), "S4 → S6 serves a queue at once");
        assertTrue(Guardrails.demotes(substituted, cold), "S6 → S4 stops serving");
        assertFalse(Guardrails.promotes(substituted, cold));
        assertTrue(Guardrails.promotes(substituted, RolePlacement.cpu("q4_k_m")), "S6 → S3 is still a promotion");
    }

    @Test
    void aRoleIsPricedAgainWhenItsDraftAcceptanceIsMeasuredAnew() {
        var measured = new java.util.concurrent.atomic.AtomicReference<Double>();
        ResidencyModel live = model.withAcceptance(role -> "coder".equals(role) && measured.get() != null
                ? java.util.OptionalDouble.of(measured.get()) : java.util.OptionalDouble.empty());
        PlacementCosts costs = new PlacementCosts(live, PlannerSettings.DEFAULTS);
        RolePlacement gpu = RolePlacement.gpu(ResidencyState.S1, "q4_k_m", 64);
        double unmeasured = costs.requestSeconds("coder", gpu, 0.01);
        measured.set(0.8);
        double speculating = costs.requestSeconds("coder", gpu, 0.01);
        assertTrue(speculating < unmeasured, unmeasured + " → " + speculating);
        measured.set(0.5);
        double lower = costs.requestSeconds("coder", gpu, 0.01);
        assertTrue(speculating < lower && lower < unmeasured, speculating + " < " + lower + " < " + unmeasured);
        measured.set(null);
        assertTrue(unmeasured == costs.requestSeconds("coder", gpu, 0.01), "no figure: priced as before");
    }
}
