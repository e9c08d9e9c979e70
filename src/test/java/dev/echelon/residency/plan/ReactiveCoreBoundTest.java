package dev.echelon.residency.plan;

import dev.echelon.registry.ResidencyState;
import dev.echelon.residency.Observation;
import dev.echelon.residency.Placement;
import dev.echelon.residency.ResidencyModel;
import dev.echelon.residency.RolePlacement;
import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The reactive core with a request bound to its role (its fallback's context cannot hold it), on the shipped
 * registry: the architect substituted onto the coder, which serves on the whole GPU, and the recent past
 * ({@link Hindsight}) says the architect is best left there.
 */
class ReactiveCoreBoundTest {

    private static final double NOW = 300;

    private final ResidencyModel model = PlanFixtures.shippedModel();
    private final PlacementCosts costs = new PlacementCosts(model, PlannerSettings.DEFAULTS);
    private final ReactiveCore core = new ReactiveCore(model, PlannerSettings.DEFAULTS, costs);

    private Placement architectOnTheCoder() {
        var coder = model.role("coder").smallestVariant();
        Placement p = model.initialPlacement()
                .with("worker", RolePlacement.cpu("q4_k_m"))
                .with("math", RolePlacement.cpu("q4_k_m"))
                .with("architect", RolePlacement.substituted("q4_k_m"))
                .with("coder", ResidencyModel.placementFor(coder, coder.layers()));
        assertTrue(model.fits(p), p.toString());
        return p;
    }

    private ReactiveCore.Result architectAsked(Map<String, Integer> bound) {
        Placement start = architectOnTheCoder();
        Observation now = new Observation(NOW, start, Set.of(), Map.of("coder", 1),
                Map.of("architect", 1, "coder", 1), bound);
        Forecast forecast = new Forecast(NOW,
                Map.of("architect", new RoleForecast(0.02, 0.02, 0.02, 0.02, 0, 0, 30, 1)), 30);
        return core.serve(now, start, forecast, "architect", r -> 0, new SwapBudget(16, 600), Set.of("architect"),
                null);
    }

    /** The premise: a request the coder can take is left to it, as the hindsight says. */
    @Test
    void aRequestTheFallbackHoldsIsLeftOnItAsTheRecentPastSays() {
        ReactiveCore.Result r = architectAsked(Map.of());
        assertEquals(architectOnTheCoder(), r.target(), r.causes().toString());
    }

    /**
     * A request the coder's context cannot hold waits for the architect itself: staying substituted would serve it
     * never (a 503 once the wait runs out), so the architect leaves substitution for its own load or its CPU copy.
     */
    @Test
    void aRequestTheFallbackCannotHoldTakesTheRoleOffSubstitution() {
        ReactiveCore.Result r = architectAsked(Map.of("architect", 1));
        assertNotEquals(ResidencyState.S6, r.target().of("architect").state(), r.causes().toString());
        assertTrue(r.target().of("architect").running() || r.leavingSubstitution().contains("architect"),
                "on its way to serve it: " + r.causes());
    }
}
