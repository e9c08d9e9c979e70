package dev.echelon.simulate;

import org.junit.jupiter.api.Test;

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
}
