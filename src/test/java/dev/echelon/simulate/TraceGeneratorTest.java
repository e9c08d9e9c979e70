package dev.echelon.simulate;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TraceGeneratorTest {

    private static final TraceGenerator GEN = new TraceGenerator(SimFixtures.MODEL);
    private static final double HOUR = 3600;

    @Test
    void sameSeedSameTraceAndAnotherSeedAnother() {
        for (TraceFamily f : TraceFamily.values()) {
            Trace a = GEN.generate(f, 7, HOUR);
            assertEquals(a, GEN.generate(f, 7, HOUR), f.id());
            assertNotEquals(a.requests(), GEN.generate(f, 8, HOUR).requests(), f.id());
        }
    }

    @Test
    void requestsAreOrderedInsideTheTraceAndSizedForTheirRole() {
        for (TraceFamily f : TraceFamily.values()) {
            Trace t = GEN.generate(f, 3, HOUR);
            List<Request> r = t.requests();
            for (int i = 0; i < r.size(); i++) {
                Request q = r.get(i);
                assertEquals(i, q.id());
                assertTrue(q.arrivalSeconds() >= 0 && q.arrivalSeconds() < HOUR);
                assertTrue(i == 0 || r.get(i - 1).arrivalSeconds() <= q.arrivalSeconds());
                assertTrue(q.promptTokens() <= SimFixtures.MODEL.role(q.role()).ctxSize() / 2, q.toString());
                assertTrue(q.outputTokens() >= 4 && q.outputTokens() <= 2048, q.toString());
            }
        }
    }

    @Test
    void roleKindsMapToTheShippedRoles() {
        assertEquals(Map.of(WorkKind.CHAT, "frontdoor", WorkKind.GENERAL, "worker", WorkKind.MATH, "math",
                WorkKind.CODE, "coder", WorkKind.DESIGN, "architect"), GEN.roles());
    }

    @Test
    void workdayMovesFromChatToCodeToMathAndArchitecture() {
        Trace t = GEN.generate(TraceFamily.WORKDAY, 11, HOUR);
        List<Request> morning = between(t, 0, HOUR / 3);
        List<Request> midday = between(t, HOUR / 3, 2 * HOUR / 3);
        List<Request> afternoon = between(t, 2 * HOUR / 3, HOUR);
        assertTrue(count(morning, "frontdoor") > 2 * count(midday, "frontdoor"));
        assertTrue(count(morning, "worker") > count(morning, "coder") + count(morning, "math")
                + count(morning, "architect"));
        assertTrue(count(midday, "coder") > 3 * (count(morning, "coder") + 1));
        assertTrue(count(midday, "coder") > count(midday, "math") + count(midday, "architect"));
        assertTrue(count(afternoon, "math") + count(afternoon, "architect") > 5 * (count(afternoon, "coder") + 1));
    }

    @Test
    void alternatingKeepsCoderAndArchitectApartMinuteByMinute() {
        Trace t = GEN.generate(TraceFamily.ALTERNATING, 5, HOUR);
        int mixed = 0;
        int active = 0;
        for (double m = 0; m < HOUR; m += 60) {
            List<Request> minute = between(t, m, m + 60);
            long coder = count(minute, "coder");
            long architect = count(minute, "architect");
            if (coder + architect > 0) {
                active++;
                if (coder > 0 && architect > 0) {
                    mixed++; // a minute that straddles a switch
                }
            }
            assertEquals(0, count(minute, "worker") + count(minute, "math"));
        }
        assertTrue(active > 40, "B traffic in most minutes: " + active);
        assertTrue(mixed < active / 2, "turns last 1–3 min, so most minutes see one of the two: " + mixed + "/" + active);
        assertTrue(count(t.requests(), "coder") > 30 && count(t.requests(), "architect") > 30);
    }

    @Test
    void scanGivesEachRoleItsTenth() {
        Trace t = GEN.generate(TraceFamily.SCAN, 2, HOUR);
        List<String> order = List.of("frontdoor", "worker", "math", "coder", "architect");
        for (int k = 0; k < 10; k++) {
            List<Request> tenth = between(t, k * HOUR / 10, (k + 1) * HOUR / 10);
            String active = order.get(k % 5);
            for (String other : order) {
                if (!other.equals(active) && !other.equals("frontdoor")) {
                    assertEquals(0, count(tenth, other), "tenth " + k + " belongs to " + active);
                }
            }
            assertTrue(count(tenth, active) > 0, "tenth " + k);
        }
    }

    @Test
    void longIdleIsMostlyIdle() {
        Trace t = GEN.generate(TraceFamily.LONG_IDLE, 9, HOUR);
        assertTrue(t.requests().size() >= 5 && t.requests().size() <= 40, "~15 requests an hour: " + t.requests().size());
    }

    @Test
    void driftShiftsSlowlyFromChatToArchitecture() {
        Trace t = GEN.generate(TraceFamily.DRIFT, 4, HOUR);
        List<Request> first = between(t, 0, HOUR / 4);
        List<Request> middle = between(t, 3 * HOUR / 8, 5 * HOUR / 8);
        List<Request> last = between(t, 3 * HOUR / 4, HOUR);
        assertTrue(share(first, "frontdoor") > share(last, "frontdoor") + 0.2);
        assertTrue(count(middle, "coder") > count(first, "coder") + count(last, "coder"));
        assertTrue(count(last, "architect") > 3 * (count(first, "architect") + 1));
    }

    @Test
    void steadyKeepsItsMix() {
        Trace t = GEN.generate(TraceFamily.STEADY, 6, HOUR);
        List<Request> a = between(t, 0, HOUR / 2);
        List<Request> b = between(t, HOUR / 2, HOUR);
        for (String role : List.of("frontdoor", "worker", "math", "coder", "architect")) {
            assertTrue(Math.abs(share(a, role) - share(b, role)) < 0.08, role + ": " + share(a, role) + " vs "
                    + share(b, role));
        }
        assertTrue(!TraceFamily.STEADY.shifting()
                && java.util.Arrays.stream(TraceFamily.values()).filter(TraceFamily::shifting).count() == 6);
    }

    private static List<Request> between(Trace t, double from, double to) {
        return t.requests().stream().filter(r -> r.arrivalSeconds() >= from && r.arrivalSeconds() < to).toList();
    }

    private static long count(List<Request> r, String role) {
        return r.stream().filter(is(role)).count();
    }

    private static double share(List<Request> r, String role) {
        return r.isEmpty() ? 0 : (double) count(r, role) / r.size();
    }

    private static Predicate<Request> is(String role) {
        return q -> q.role().equals(role);
    }
}
