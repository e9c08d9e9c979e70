package dev.echelon.residency.plan;

import dev.echelon.registry.ResidencyState;
import dev.echelon.residency.Placement;
import dev.echelon.residency.ResidencyModel;
import dev.echelon.residency.RolePlacement;
import dev.echelon.residency.policy.RequestCost;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The hindsight re-solve on the shipped registry, where the 32B coder's load evicts everyone but the front door. */
class HindsightTest {

    private final ResidencyModel model = PlanFixtures.shippedModel();

    /** The architect on the GPU, the coder substituted onto it, the workers staged. */
    private Placement architectServing() {
        return model.initialPlacement()
                .with("architect", RolePlacement.gpu(ResidencyState.S1, "q4_k_m", 48))
                .with("coder", RolePlacement.substituted("q4_k_m"))
                .with("worker", RolePlacement.cpu("q4_k_m"))
                .with("math", RolePlacement.cpu("q4_k_m"));
    }

    /** Feeds {@code requests} (time, role) and a placement snapshot every second up to {@code until}. */
    private static Set<String> replay(Hindsight h, Placement p, List<Object[]> requests, double until) {
        Set<String> out = Set.of();
        int next = 0;
        for (double t = 0; t <= until; t += 1) {
            while (next < requests.size() && (double) requests.get(next)[0] <= t) {
                h.request((double) requests.get(next)[0], (String) requests.get(next)[1], 2000, 400);
                next++;
            }
            out = h.update(t, p);
        }
        return out;
    }

    /** The architect busy all along, a coder request now and then: loading the coder would evict the architect. */
    private static List<Object[]> sporadicCoder() {
        List<Object[]> r = new ArrayList<>();
        for (double t = 1; t < 600; t += 15) {
            r.add(new Object[] {t, "architect"});
        }
        for (double t = 50; t < 600; t += 100) {
            r.add(new Object[] {t, "coder"});
        }
        r.sort((a, b) -> Double.compare((double) a[0], (double) b[0]));
        return r;
    }

    @Test
    void aSporadicLargeRoleBesideABusyFallbackIsBestLeftSubstituted() {
        Hindsight h = new Hindsight(model, HindsightSettings.DEFAULTS, RequestCost.DEFAULT, Runnable::run);
        Set<String> substituted = replay(h, architectServing(), sporadicCoder(), 600);
        assertEquals(Set.of("coder"), substituted);
        assertTrue(h.lastSolveSeconds() > 0);
    }

    @Test
    void aRoleWithSteadyTrafficOfItsOwnIsNotReportedSubstituted() {
        List<Object[]> r = new ArrayList<>();
        for (double t = 1; t < 600; t += 30) {
            r.add(new Object[] {t, "coder"});
        }
        Hindsight h = new Hindsight(model, HindsightSettings.DEFAULTS, RequestCost.DEFAULT, Runnable::run);
        assertFalse(replay(h, architectServing(), r, 600).contains("coder"));
    }

    /**
     * Runs of four coder requests 15 s apart every two minutes, a worker request every 50 s, the architect now and
     * then; the worker, math and architect on the GPU, the coder substituted. Loading the coder for each run, just
     * before it, beats handing all of it to the architect; a schedule in 20 s steps, whose loads must start up to a
     * step early and evict the worker for that long, says the opposite.
     */
    @Test
    void aLargeRoleAskedInShortRunsIsLoadedForThemNotSubstituted() {
        List<Object[]> r = new ArrayList<>();
        for (double run = 5; run < 600; run += 120) {
            for (int k = 0; k < 4; k++) {
                r.add(new Object[] {run + 15 * k, "coder"});
            }
        }
        for (double t = 2; t < 600; t += 50) {
            r.add(new Object[] {t, "worker"});
        }
        for (double t = 40; t < 600; t += 170) {
            r.add(new Object[] {t, "architect"});
        }
        r.sort((a, b) -> Double.compare((double) a[0], (double) b[0]));
        Placement workersServing = architectServing()
                .with("worker", RolePlacement.gpu(ResidencyState.S1, "q4_k_m", 28))
                .with("math", RolePlacement.gpu(ResidencyState.S1, "q4_k_m", 28));

        Hindsight shipped = new Hindsight(model, HindsightSettings.DEFAULTS, RequestCost.DEFAULT, Runnable::run);
        assertEquals(Set.of(), replay(shipped, workersServing, r, 600));
        Hindsight coarse = new Hindsight(model,
                new HindsightSettings(600, 60, 300, 20, HindsightSettings.DEFAULTS.substitutedShare()),
                RequestCost.DEFAULT, Runnable::run);
        assertEquals(Set.of("coder"), replay(coarse, workersServing, r, 600));
    }

    /**
     * The judgement of a solved schedule: the coder substituted for 8 of the tail's 15 steps and staged on the CPU for
     * the rest. Half the tail would report it substituted and hold all its requests on the fallback; the shipped share
     * (60 %) leaves it to the per-request price. Substituted for 14 of 15 steps, it is reported.
     */
    @Test
    void aRoleLoadedForAGoodPartOfTheTailIsNotReportedSubstituted() {
        Placement substituted = architectServing();
        Placement staged = architectServing().with("coder", RolePlacement.cpu("q4_k_m"));
        List<Placement> mixed = new ArrayList<>();
        for (int w = 0; w < 20; w++) {
            mixed.add(w < 5 || w % 2 != 0 ? substituted : staged); // steps 5–19: 8 substituted, 7 staged
        }
        double shipped = HindsightSettings.DEFAULTS.substitutedShare();
        Set<String> roles = model.roles().keySet();
        assertEquals(Set.of(), Hindsight.substitutedAtTheEnd(mixed, roles, 15, shipped));
        assertEquals(Set.of("coder"), Hindsight.substitutedAtTheEnd(mixed, roles, 15, 0.5));

        List<Placement> mostly = new ArrayList<>(mixed);
        for (int w = 5; w < 20; w++) {
            mostly.set(w, w == 6 ? staged : substituted); // 14 of 15
        }
        assertEquals(Set.of("coder"), Hindsight.substitutedAtTheEnd(mostly, roles, 15, shipped));
    }

    @Test
    void aShareOutsideHalfToAllIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> new HindsightSettings(600, 60, 300, 5, 0.4));
        assertThrows(IllegalArgumentException.class, () -> new HindsightSettings(600, 60, 300, 5, 1.0));
    }

    @Test
    void withoutTrafficNothingIsReported() {
        Hindsight h = new Hindsight(model, HindsightSettings.DEFAULTS, RequestCost.DEFAULT, Runnable::run);
        assertEquals(Set.of(), replay(h, architectServing(), List.of(), 300));
    }

    /** Off the decision path: the previous answer stands until the solve ends, and one solve runs at a time. */
    @Test
    void aBackgroundSolveIsPickedUpWhenItEndsAndNeverOverlapsAnother() {
        List<Runnable> queued = new ArrayList<>();
        Hindsight background = new Hindsight(model, HindsightSettings.DEFAULTS, RequestCost.DEFAULT, queued::add);
        Placement p = architectServing();
        replay(background, p, sporadicCoder(), 599);
        // the first period (t = 0) had no traffic to solve; the solve started at t = 60 has not ended, so no other
        // one was started since
        assertEquals(1, queued.size());
        assertEquals(Set.of(), background.update(599.5, p), "nothing solved yet: the previous (empty) answer stands");
        queued.remove(0).run();
        // the same solve, run in place over the same first minute
        Hindsight direct = new Hindsight(model, HindsightSettings.DEFAULTS, RequestCost.DEFAULT, Runnable::run);
        Set<String> expected = replay(direct, p, sporadicCoder(), 60);
        assertEquals(expected, background.update(599.8, p));
        // and the next solve starts at once, from the last 10 minutes
        background.update(600, p);
        assertEquals(1, queued.size());
    }
}
