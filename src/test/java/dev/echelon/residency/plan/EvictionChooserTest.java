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

/** Victim sets on the shipped registry (24 GiB GPU; the 32B coder at Q4 needs about 20 GB of it). */
class EvictionChooserTest {

    private final ResidencyModel model = PlanFixtures.shippedModel();
    private final EvictionChooser chooser = new EvictionChooser(model, PlannerSettings.DEFAULTS.horizonSeconds());

    private RolePlacement wholeGpu(String role) {
        var v = model.role(role).smallestVariant();
        return ResidencyModel.placementFor(v, v.layers());
    }

    private static Forecast quiet(double now) {
        return new Forecast(now, Map.of(), 30);
    }

    /**
     * The coder substituted onto the architect, which is on the GPU beside the worker; the coder is to be loaded.
     * The architect's eviction sends the roles substituted onto it cold with it — but not the coder itself, which is
     * the one loading: counting its own S6 → S4 as room made, the chooser once evicted the architect alone, and the
     * coder's load did not fit beside the worker (workday seed 42 at 1931 s, with the coder's speculation priced:
     * the coder then went to a partial offload and its 2,131-token prompt spent 60 s prefilling on the CPU).
     */
    @Test
    void aRoleLoadedInPlaceOfItsFallbackIsNotCountedAsItsFallbacksDependent() {
        Placement wanted = model.initialPlacement()
                .with("worker", wholeGpu("worker"))
                .with("math", RolePlacement.cpu("q4_k_m"))
                .with("architect", wholeGpu("architect"))
                .with("coder", RolePlacement.substituted("q4_k_m"));
        assertTrue(model.fits(wanted), wanted.toString());
        RolePlacement load = wholeGpu("coder");
        assertFalse(model.fits(wanted.with("architect", RolePlacement.cpu("q4_k_m")).with("coder", load)),
                "the premise: the architect's room alone is not enough for the coder");

        var eviction = chooser.choose("coder", load, wanted, PlanFixtures.idle(10, wanted), quiet(10), Set.of(),
                false, r -> 0);

        assertTrue(eviction.isPresent());
        Map<String, RolePlacement> moves = eviction.get().moves();
        assertFalse(moves.containsKey("coder"), "the loading role is no victim of its own load: " + moves);
        assertEquals(Set.of("architect", "worker"), moves.keySet(), moves.toString());
        Placement after = wanted;
        for (var e : moves.entrySet()) {
            after = after.with(e.getKey(), e.getValue());
        }
        assertTrue(model.fits(after.with("coder", load)), "the load fits once its victims are gone: " + after);
    }

    /** Another role substituted onto a victim still goes cold with it, and is priced as a loss. */
    @Test
    void aRoleSubstitutedOntoAVictimGoesColdWithIt() {
        Placement wanted = model.initialPlacement()
                .with("worker", wholeGpu("worker"))
                .with("math", RolePlacement.substituted("q4_k_m"))
                .with("architect", RolePlacement.cpu("q4_k_m"))
                .with("coder", RolePlacement.cpu("q4_k_m"));
        assertTrue(model.fits(wanted), wanted.toString());
        assertEquals("worker", model.role("math").fallback().orElseThrow(), "the premise: math falls back on worker");
        Observation now = new Observation(10, wanted, Set.of(), Map.of(), Map.of());
        Forecast mathAsked = new Forecast(10, Map.of("math", new RoleForecast(0.05, 0.05, 0.05, 0.05, 0, 0, 30, 0)),
                30);

        var eviction = chooser.choose("coder", wholeGpu("coder"), wanted, now, mathAsked, Set.of(), false, r -> 0);

        assertTrue(eviction.isPresent());
        Map<String, RolePlacement> moves = eviction.get().moves();
        assertTrue(moves.containsKey("worker"), moves.toString());
        assertEquals(RolePlacement.cold("q4_k_m"), moves.get("math"), "math loses its server: " + moves);
        assertTrue(eviction.get().loss() > 0, "math's reload is priced: " + eviction.get());
    }
}
