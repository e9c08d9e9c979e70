package dev.echelon.simulate;

import dev.echelon.residency.Overflow;
import dev.echelon.residency.control.PlannerConfig;
import org.junit.jupiter.api.Test;

import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SimulateMainTest {

    @Test
    void aNumberOptionThatIsNoNumberIsRefusedByNameBeforeAnythingRuns() {
        assertEquals("7", SimulateMain.parse(new String[] {"--seed", "7", "--duration", "900.5"}).get("seed"));
        for (String[] bad : new String[][] {{"--seed", "x"}, {"--seed", "3.5"}, {"--threads", "-1"},
            {"--duration", "1h"}, {"--window", ""}}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> SimulateMain.parse(bad));
            assertTrue(e.getMessage().startsWith(bad[0] + " takes a number: '" + bad[1] + "'"), e.getMessage());
        }
    }

    @Test
    void theOverflowIsOnAtItsDefaultsUnlessSetAndABadValueIsRefusedByItsKeyBeforeAnythingRuns() {
        assertEquals(Optional.of(Overflow.Settings.DEFAULTS), SimulateMain.overflow(SimulateMain.parse(new String[0])));
        assertEquals(Optional.empty(), SimulateMain.overflow(SimulateMain.parse(new String[] {"--overflow", "off"})));
        assertEquals(0.04, SimulateMain.overflow(SimulateMain.parse(new String[] {"--overflow=max-share=0.04"}))
                .orElseThrow().maxShare());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> SimulateMain.parse(new String[] {"--seed", "7", "--overflow", "tail-quantile=1"}));
        assertEquals("--overflow: orchestrator.residency.overflow.tail-quantile "
                + "(ORCHESTRATOR_RESIDENCY_OVERFLOW_TAIL_QUANTILE): must be at least 0 and less than 1 (was 1.0)",
                e.getMessage());
    }

    @Test
    void thePlannerRunsAtItsDefaultsUnlessSetAndABadValueIsRefusedByItsKeyBeforeAnythingRuns() {
        assertEquals(PlannerConfig.Values.DEFAULTS, SimulateMain.planning(SimulateMain.parse(new String[0])));
        assertEquals(12, SimulateMain.planning(SimulateMain.parse(new String[] {"--planner", "max-transitions=12"}))
                .guardrails().maxTransitionsPerWindow());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> SimulateMain.parse(new String[] {"--seed", "7", "--planner", "horizon-s=0"}));
        assertEquals("--planner: orchestrator.residency.horizon-s (ORCHESTRATOR_RESIDENCY_HORIZON_S): must be more "
                + "than 0 (was 0)", e.getMessage());
    }

    @Test
    void theWorldsDraftAcceptanceIsNoneUnlessGivenAndABadOneIsRefusedBeforeAnythingRuns() {
        var model = SimFixtures.MODEL;
        assertTrue(SimulateMain.acceptance(null, model).alpha("coder").isEmpty(), "default: no role speculates");
        var everyDraft = SimulateMain.acceptance(SimulateMain.parse(new String[] {"--draft-acceptance", "0.82"})
                .get("draft-acceptance"), model);
        assertEquals(0.82, everyDraft.alpha("coder").orElseThrow());
        assertTrue(everyDraft.alpha("architect").isEmpty(), "the architect has no draft pair");
        assertEquals(0.7, SimulateMain.acceptance("coder=0.7", model).alpha("coder").orElseThrow());
        for (String bad : new String[] {"1", "1.2", "-0.1", "coder", "coder=", "coder=0.5,"}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> SimulateMain.parse(new String[] {"--draft-acceptance", bad}));
            assertTrue(e.getMessage().startsWith("--draft-acceptance takes an acceptance in [0, 1)"), e.getMessage());
        }
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> SimulateMain.acceptance("architect=0.8", model));
        assertEquals("--draft-acceptance: role 'architect' has no draft pair (roles with one: [coder])",
                e.getMessage());
    }
}
