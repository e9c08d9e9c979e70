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
        Overflow rule = new Overflow(new Overflow.Settings(2.0, 1.0, 600, 0, 3600));
        rule.arrival(0);
        assertFalse(rule.take(0, 10.0, 1.0, SLO), "twice the objective is not past it");
        assertFalse(rule.take(0, 30.0, 5.1, SLO), "a fallback that would miss the objective too is no better");
        assertTrue(rule.take(0, 10.1, 5.0, SLO));
        assertEquals(1, rule.total());
    }

    @Test
    void theBudgetIsAShareOfTheWindowsArrivalsWithOneAlwaysAllowed() {
        Overflow rule = new Overflow(new Overflow.Settings(2.0, 0.02, 600, 0, 3600));
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
    void aWaitThatTheRecentFirstTokensMatchIsNotTheTailAndStays() {
        Overflow rule = new Overflow(new Overflow.Settings(2.0, 1.0, 600, 0.95, 3600));
        rule.arrival(0);
        for (int i = 0; i < Overflow.TAIL_SAMPLES - 1; i++) {
            rule.firstToken(i, 40);
        }
        assertTrue(rule.take(20, 12, 1, SLO), "19 first tokens are no tail yet: only the objective counts");

        // 100 first tokens in the hour: 90 at 1 s, 10 at 40 s; the 95th percentile is 40 s
        Overflow busy = new Overflow(new Overflow.Settings(2.0, 1.0, 600, 0.95, 3600));
        busy.arrival(0);
        for (int i = 0; i < 100; i++) {
            busy.firstToken(i, i % 10 == 0 ? 40 : 1);
        }
        assertFalse(busy.take(100, 12, 1, SLO), "12 s is past twice the objective but inside the hour's tail");
        assertFalse(busy.take(100, 40, 1, SLO), "as long as the tail itself is not past it");
        assertTrue(busy.take(100, 41, 1, SLO));
        busy.firstToken(5000, 40); // not come yet at 4000 s, when the first hundred are out of the window
        assertTrue(busy.take(4000, 12, 1, SLO), "an hour later those first tokens no longer count");
        assertEquals(2, busy.total());
    }

    @Test
    void theDefaultsJudgeTheTailOverTheLastHour() {
        assertEquals(new Overflow.Settings(2.0, 0.02, 600, 0.95, 3600), Overflow.Settings.DEFAULTS);
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
        assertThrows(IllegalArgumentException.class, () -> new Overflow.Settings(0.5, 0.02, 600, 0.95, 3600));
        assertThrows(IllegalArgumentException.class, () -> new Overflow.Settings(2, 1.5, 600, 0.95, 3600));
        assertThrows(IllegalArgumentException.class, () -> new Overflow.Settings(2, 0.02, 0, 0.95, 3600));
        assertThrows(IllegalArgumentException.class, () -> new Overflow.Settings(2, 0.02, 600, 1, 3600));
        assertThrows(IllegalArgumentException.class, () -> new Overflow.Settings(2, 0.02, 600, -0.1, 3600));
        assertThrows(IllegalArgumentException.class, () -> new Overflow.Settings(2, 0.02, 600, 0.95, 0));
    }
}
