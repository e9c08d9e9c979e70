package dev.echelon.residency.plan;

import dev.echelon.residency.Observation;
import dev.echelon.residency.Placement;
import dev.echelon.residency.ResidencyModel;
import dev.echelon.residency.RolePlacement;
import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The reactive core against a spent swap budget, on the shipped registry: the coder on the whole GPU, idle; the
 * architect on its CPU copy with a long request queued.
 */
class ReactiveCoreSwapBudgetTest {

    private static final double NOW = 300;

    private final ResidencyModel model = PlanFixtures.shippedModel();
    private final PlacementCosts costs = new PlacementCosts(model, PlannerSettings.DEFAULTS);
    private final ReactiveCore core = new ReactiveCore(model, PlannerSettings.DEFAULTS, costs);

    private Placement coderOnTheGpu() {
        var coder = model.role("coder").smallestVariant();
        Placement p = model.initialPlacement()
                .with("worker", RolePlacement.cpu("q4_k_m"))
                .with("math", RolePlacement.cpu("q4_k_m"))
                .with("architect", RolePlacement.cpu("q4_k_m"))
                .with("coder", ResidencyModel.placementFor(coder, coder.layers()));
        assertTrue(model.fits(p), p.toString());
        return p;
    }

    private ReactiveCore.Result architectAsked(SwapBudget swaps) {
        costs.shape("architect", 2246, 834);
        Placement start = coderOnTheGpu();
        Observation now = new Observation(NOW, start, Set.of(), Map.of(), Map.of("architect", 1));
        Forecast forecast = new Forecast(NOW,
                Map.of("architect", new RoleForecast(0.02, 0.02, 0.02, 0.02, 0, 0, 30, 1)), 30);
        return core.serve(now, start, forecast, "architect", r -> 0, swaps, Set.of(), null);
    }

    /** The premise: with the budget free, the architect is loaded in the coder's place. */
    @Test
    void withTheBudgetFreeTheArchitectIsLoaded() {
        ReactiveCore.Result r = architectAsked(new SwapBudget(3, 600));
        assertTrue(model.wholeGpu("architect", r.target().of("architect")), r.causes().toString());
        assertFalse(r.target().of("coder").onGpu(), r.causes().toString());
    }

    /**
     * With a budget of three swaps per pair (the default is sixteen; three keeps the history short), the architect
     * and the coder swapped three times within the flap window, so neither may be evicted for the other
     * before the oldest of those swaps leaves it. Its request does not start on the CPU — 2,246 tokens of prompt and
     * 834 of answer would hold the architect there for five minutes, unable to move — but waits for the budget; the
     * coder stays, so the bound on swaps holds.
     */
    @Test
    void aSpentSwapBudgetHoldsTheRequestRatherThanStartingItOnTheCpu() {
        SwapBudget spent = new SwapBudget(3, 600);
        spent.record("coder", "architect", 0);
        spent.record("architect", "coder", 100);
        spent.record("coder", "architect", 280);
        assertEquals(600, spent.allowsAgainAt("architect", "coder", NOW), "the swap at 0 s leaves the window at 600 s");

        ReactiveCore.Result r = architectAsked(spent);

        assertEquals(coderOnTheGpu(), r.target(), "nothing moves: " + r.causes());
        assertTrue(r.deferred().contains("architect"), "its request waits: " + r.causes());
        assertTrue(r.causes().stream().anyMatch(c -> c.contains("architect waits 300 s for the swap budget of "
                + "[coder]")), r.causes().toString());
    }
}
