package dev.echelon.supervisor;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

class RestartPolicyTest {

    @Test
    void delaysDoubleUpToTheCap() {
        RestartPolicy p = new RestartPolicy(500, 30_000, 60_000);
        assertEquals(0, p.delayMs(0));
        assertEquals(500, p.delayMs(1));
        assertEquals(1_000, p.delayMs(2));
        assertEquals(16_000, p.delayMs(6));
        assertEquals(30_000, p.delayMs(7));
        assertEquals(30_000, p.delayMs(500));
    }
}
