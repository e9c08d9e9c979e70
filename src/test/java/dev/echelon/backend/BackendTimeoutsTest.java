package dev.echelon.backend;

import dev.echelon.registry.RoleTimeouts;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;

class BackendTimeoutsTest {

    @Test
    void roleTimeoutsMapToHttpTimeouts() {
        BackendTimeouts t = BackendTimeouts.forRole(new RoleTimeouts(1_000, 30_000, 15_000, 180_000, 120_000));
        assertEquals(Duration.ofSeconds(1), t.connect());
        assertEquals(Duration.ofSeconds(30), t.read(), "the larger of first-token and idle");
        assertEquals(Duration.ofMinutes(3), t.total());
    }
}
