package dev.echelon.residency.plan;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SwapBudgetTest {

    @Test
    void aPairIsSpentAfterItsBudgetEitherWayRoundAndOthersAreNot() {
        SwapBudget b = new SwapBudget(3, 600);
        b.record("coder", "architect", 10);
        b.record("architect", "coder", 20);
        assertTrue(b.allows("coder", "architect", 25));
        b.record("coder", "architect", 30);
        assertEquals(3, b.used("architect", "coder", 31));
        assertFalse(b.allows("coder", "architect", 31), "three swaps within 600 s spend a budget of three");
        assertFalse(b.allows("architect", "coder", 31), "the pair is unordered");
        assertTrue(b.allows("coder", "worker", 31), "another pair keeps its own budget");
    }

    @Test
    void swapsLeaveTheWindowOneByOne() {
        SwapBudget b = new SwapBudget(2, 100);
        b.record("a", "b", 0);
        b.record("b", "a", 50);
        assertFalse(b.allows("a", "b", 99));
        assertTrue(b.allows("a", "b", 100), "the swap at 0 s left the window at 100 s");
        assertEquals(1, b.used("a", "b", 100));
        assertEquals(0, b.used("a", "b", 150));
    }

    @Test
    void aSpentPairIsAllowedAgainOnceEnoughOfItsSwapsHaveLeftTheWindow() {
        SwapBudget b = new SwapBudget(2, 100);
        assertEquals(5, b.allowsAgainAt("a", "b", 5), "never swapped: now");
        b.record("a", "b", 10);
        b.record("b", "a", 40);
        assertEquals(110, b.allowsAgainAt("a", "b", 50), "one more fits once the swap at 10 s has left");
        b.record("a", "b", 60); // over the budget (a bound enforced by the caller, recorded as it happened)
        assertEquals(140, b.allowsAgainAt("b", "a", 70), "two must leave: the one at 40 s is the second");
        // time only moves forward: a query prunes what has left the window
        assertFalse(b.allows("a", "b", 140 - 1e-6));
        assertTrue(b.allows("a", "b", 140));
    }

    @Test
    void aZeroBudgetOrWindowBoundsNothing() {
        SwapBudget none = new SwapBudget(0, 600);
        SwapBudget noWindow = new SwapBudget(5, 0);
        for (int i = 0; i < 50; i++) {
            none.record("a", "b", i);
            noWindow.record("a", "b", i);
        }
        assertTrue(none.allows("a", "b", 50));
        assertTrue(noWindow.allows("a", "b", 50));
        assertThrows(IllegalArgumentException.class, () -> new SwapBudget(-1, 600));
    }
}
