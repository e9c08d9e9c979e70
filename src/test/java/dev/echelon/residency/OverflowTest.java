package dev.echelon.residency;

import dev.echelon.registry.ResidencyState;
import dev.echelon.registry.Tier;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class OverflowTest {

    /** An expert's request: held to tier B's 5 s TTFT objective. */
    private static final Tier SLO = Tier.B;

    @Test
    void onlyAWaitFarPastTheObjectiveOverflowsAndOnlyToAFallbackThatMeetsIt() {
        Overflow rule = new Overflow(new Overflow.Settings(2.0, 1.0, 600));
        rule.arrival(0);
        assertFalse(rule.take(0, 10.0, 1.0, SLO), "twice the objective is not past it");
        assertFalse(rule.take(0, 30.0, 5.1, SLO), "a fallback that would miss the objective too is no better");
        assertTrue(rule.take(0, 10.1, 5.0, SLO));
        assertEquals(1, rule.total());
    }

    @Test
    void theBudgetIsAShareOfTheWindowsArrivalsWithOneAlwaysAllowed() {
        Overflow rule = new Overflow(new Overflow.Settings(2.0, 0.02, 600));
        rule.arrival(0);
        assertTrue(rule.take(1, 60, 1, SLO), "one overflow is allowed however few requests came");
        assertFalse(rule.take(2, 60, 1, SLO));
        for (int i = 0; i < 99; i++) {
            rule.arrival(3 + i);
        }
        // 100 arrivals in the window: 2 % is two overflows, one of them already taken
        assertTrue(rule.take(200, 60, 1, SLO));
        assertFalse(rule.take(201, 60, 1, SLO));
        // ten minutes later the window holds neither the arrivals nor the overflows
        rule.arrival(900);
        assertTrue(rule.take(900, 60, 1, SLO));
        assertEquals(3, rule.total());
    }

    @Test
    void onlyAWholeModelOnTheGpuIsHot() {
        assertTrue(Overflow.hot(RolePlacement.gpu(ResidencyState.S0, "q4_k_m", 28)));
        assertTrue(Overflow.hot(RolePlacement.gpu(ResidencyState.S1, "q4_k_m", 28)));
        assertFalse(Overflow.hot(RolePlacement.gpu(ResidencyState.S2, "q4_k_m", 14)));
        assertFalse(Overflow.hot(RolePlacement.cpu("q4_k_m")));
        assertFalse(Overflow.hot(RolePlacement.substituted("q4_k_m")));
    }

    @Test
    void settingsOutOfRangeAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> new Overflow.Settings(0.5, 0.02, 600));
        assertThrows(IllegalArgumentException.class, () -> new Overflow.Settings(2, 1.5, 600));
        assertThrows(IllegalArgumentException.class, () -> new Overflow.Settings(2, 0.02, 0));
    }
}
