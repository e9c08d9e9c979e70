package dev.echelon.escalation;

import dev.echelon.escalation.CircuitBreakers.State;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CircuitBreakersTest {

    private final AtomicLong now = new AtomicLong(123_456_789L);
    private final CircuitBreakers breakers = new CircuitBreakers(
            new CircuitBreakers.Settings(3, Duration.ofSeconds(10), Duration.ofSeconds(35)), now::get);

    private void advance(Duration d) {
        now.addAndGet(d.toNanos());
    }

    @Test
    void unknownInstancesAreClosed() {
        assertEquals(State.CLOSED, breakers.state("x"));
        assertTrue(breakers.allow("x"));
        assertFalse(breakers.allOpen(List.of("x")));
        assertFalse(breakers.allOpen(List.of()), "nothing known to be open");
    }

    @Test
    void opensAfterNConsecutiveFailuresOnly() {
        breakers.failure("a");
        breakers.failure("a");
        breakers.success("a"); // resets the count
        breakers.failure("a");
        breakers.failure("a");
        assertEquals(State.CLOSED, breakers.state("a"));
        assertTrue(breakers.allow("a"));
        breakers.failure("a");
        assertEquals(State.OPEN, breakers.state("a"));
        assertFalse(breakers.allow("a"));
        assertTrue(breakers.allOpen(List.of("a")));
    }

    @Test
    void fullCycleWithOneProbeAndDoublingCoolDown() {
        open("a");
        advance(Duration.ofSeconds(9));
        assertFalse(breakers.allow("a"), "still cooling down");
        assertEquals(State.OPEN, breakers.state("a"));

        advance(Duration.ofSeconds(1));
        assertEquals(State.HALF_OPEN, breakers.state("a"));
        assertFalse(breakers.allOpen(List.of("a")), "a half-open instance can take its probe");
        assertTrue(breakers.allow("a"), "the probe");
        assertFalse(breakers.allow("a"), "one probe only");
        assertFalse(breakers.allow("a"));
        assertTrue(breakers.allOpen(List.of("a")), "probe out: refusing");

        breakers.failure("a"); // probe failed: open again with a doubled cool-down
        assertEquals(State.OPEN, breakers.state("a"));
        assertEquals(Duration.ofSeconds(20), breakers.coolDown("a"));
        advance(Duration.ofSeconds(19));
        assertFalse(breakers.allow("a"));
        advance(Duration.ofSeconds(1));
        assertTrue(breakers.allow("a"), "second probe after 20 s");
        breakers.failure("a");
        assertEquals(Duration.ofSeconds(35), breakers.coolDown("a"), "doubling is capped");
        advance(Duration.ofSeconds(35));
        assertTrue(breakers.allow("a"));
        breakers.failure("a");
        assertEquals(Duration.ofSeconds(35), breakers.coolDown("a"));

        advance(Duration.ofSeconds(35));
        assertTrue(breakers.allow("a"));
        breakers.success("a");
        assertEquals(State.CLOSED, breakers.state("a"));
        assertTrue(breakers.allow("a"));
        assertTrue(breakers.allow("a"));
        assertEquals(Duration.ofSeconds(10), breakers.coolDown("a"), "success resets the cool-down");

        open("a"); // and it takes N failures again to reopen
        assertEquals(State.OPEN, breakers.state("a"));
    }

    @Test
    void aLostProbeIsReplacedAfterOneCoolDown() {
        open("a");
        advance(Duration.ofSeconds(10));
        assertTrue(breakers.allow("a"));
        advance(Duration.ofSeconds(5));
        assertFalse(breakers.allow("a"));
        advance(Duration.ofSeconds(5));
        assertTrue(breakers.allow("a"), "the first probe never reported");
    }

    @Test
    void allOpenNeedsEveryInstanceRefusing() {
        open("a");
        assertFalse(breakers.allOpen(List.of("a", "b")));
        open("b");
        assertTrue(breakers.allOpen(List.of("a", "b")));
        assertEquals(java.util.Map.of("a", State.OPEN, "b", State.OPEN), breakers.snapshot());
    }

    @Test
    void lateFailuresWhileOpenDoNotExtendTheCoolDown() {
        open("a");
        advance(Duration.ofSeconds(5));
        breakers.failure("a");
        advance(Duration.ofSeconds(5));
        assertEquals(State.HALF_OPEN, breakers.state("a"));
    }

    @Test
    void exactlyOneConcurrentProbe() throws Exception {
        open("a");
        advance(Duration.ofSeconds(10));
        ExecutorService pool = Executors.newFixedThreadPool(8);
        CountDownLatch go = new CountDownLatch(1);
        AtomicInteger allowed = new AtomicInteger();
        for (int i = 0; i < 64; i++) {
            pool.submit(() -> {
                go.await();
                if (breakers.allow("a")) {
                    allowed.incrementAndGet();
                }
                return null;
            });
        }
        go.countDown();
        pool.shutdown();
        assertTrue(pool.awaitTermination(10, TimeUnit.SECONDS));
        assertEquals(1, allowed.get());
    }

    @Test
    void settingsAreValidated() {
        assertThrows(IllegalArgumentException.class,
                () -> new CircuitBreakers.Settings(0, Duration.ofSeconds(1), Duration.ofSeconds(1)));
        assertThrows(IllegalArgumentException.class,
                () -> new CircuitBreakers.Settings(1, Duration.ofSeconds(2), Duration.ofSeconds(1)));
        assertThrows(IllegalArgumentException.class,
                () -> new CircuitBreakers.Settings(1, Duration.ZERO, Duration.ofSeconds(1)));
    }

    private void open(String id) {
        for (int i = 0; i < 3; i++) {
            breakers.failure(id);
        }
    }
}
