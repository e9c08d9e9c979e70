package dev.echelon.residency.plan;

import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ForecasterTest {

    private static final ForecastSettings S = ForecastSettings.DEFAULTS;

    /** Arrivals for {@code role} every {@code 1/rate} seconds in [from, to). */
    private static void steady(Forecaster f, String role, double rate, double from, double to, double tick) {
        double next = from;
        for (double t = from; t < to; t += tick) {
            while (next < t + tick && next < to) {
                f.arrival(role, next);
                next += 1 / rate;
            }
            f.forecast(t + tick, Map.of());
        }
    }

    @Test
    void steadyRateIsEstimatedAtEveryHorizon() {
        Forecaster f = new Forecaster(S);
        steady(f, "coder", 0.5, 0, 1200, 1);
        RoleForecast c = f.forecast(1200, Map.of()).of("coder");
        assertEquals(0.5, c.rate(), 0.05);
        assertEquals(0.5, c.shortRate(), 0.1);
        assertEquals(0.5, c.mediumRate(), 0.05);
        assertEquals(0.5, c.longRate(), 0.05);
        assertEquals(0, c.shifting());
    }

    @Test
    void slowHorizonsAreUsableSoonAfterStart() {
        // bias correction: after 60 s at 1/s the 600 s EWMA reads ~1/s, not ~0.1/s
        Forecaster f = new Forecaster(S);
        steady(f, "worker", 1, 0, 60, 1);
        RoleForecast w = f.forecast(60, Map.of()).of("worker");
        assertEquals(1.0, w.longRate(), 0.15);
        assertEquals(1.0, w.rate(), 0.15);
    }

    @Test
    void reactsToAShiftWithinTheHorizon() {
        Forecaster f = new Forecaster(S);
        steady(f, "frontdoor", 1, 0, 600, 1);
        // at t = 600 the traffic moves to coder
        steady(f, "coder", 1, 600, 630, 1);
        Forecast at = f.forecast(630, Map.of());
        RoleForecast coder = at.of("coder");
        RoleForecast front = at.of("frontdoor");
        // the 60 s EWMA alone would read 1 − e^(−0.5) ≈ 0.39 for coder and ≈ 0.61 for frontdoor
        assertTrue(coder.rate() > 0.6, "coder follows the shift: " + coder);
        assertEquals(1, coder.shifting());
        assertTrue(front.rate() < 0.2, "frontdoor's silence is a stop: " + front);
        assertEquals(-1, front.shifting());
        assertTrue(coder.rate() > 3 * front.rate());
    }

    @Test
    void decaysWhenIdleWithoutAnyEvent() {
        Forecaster f = new Forecaster(S);
        steady(f, "math", 0.5, 0, 300, 1);
        double previous = f.forecast(300, Map.of()).of("math").rate();
        for (double t = 305; t <= 420; t += 5) {
            double r = f.forecast(t, Map.of()).of("math").rate();
            assertTrue(r <= previous + 1e-12, "monotone decay at " + t + ": " + r + " after " + previous);
            previous = r;
        }
        RoleForecast m = f.forecast(420, Map.of()).of("math");
        assertTrue(m.rate() < 0.01, "two minutes of silence: " + m);
        assertTrue(m.mediumRate() < 0.1 && m.mediumRate() > 0, "medium horizon decays with time: " + m);
    }

    @Test
    void aSingleRequestDoesNotReadAsAShift() {
        Forecaster f = new Forecaster(S);
        steady(f, "frontdoor", 1, 0, 600, 1);
        f.arrival("architect", 600);
        for (double t = 600; t <= 615; t += 1) {
            RoleForecast a = f.forecast(t, Map.of()).of("architect");
            assertEquals(0, a.shifting(), "no shift at " + t);
            assertTrue(a.rate() < 0.03, "one request in 10 minutes: " + a);
        }
    }

    @Test
    void fastAlternationDoesNotFlipTheForecast() {
        // A and B alternate every 10 s (period 20 s) at 1 request/s while active
        Forecaster f = new Forecaster(S);
        int shifts = 0;
        for (double t = 0; t < 1800; t += 1) {
            String active = ((int) (t / 10)) % 2 == 0 ? "a" : "b";
            f.arrival(active, t);
            Forecast fc = f.forecast(t + 1, Map.of());
            if (t > 120) {
                shifts += Math.abs(fc.of("a").shifting()) + Math.abs(fc.of("b").shifting());
                assertEquals(0.5, fc.of("a").rate(), 0.2, "a at " + t);
                assertEquals(0.5, fc.of("b").rate(), 0.2, "b at " + t);
            }
        }
        assertEquals(0, shifts, "alternation is noise around the mean, not a shift");
    }

    @Test
    void weakAnswersRaiseTheEscalationTargetsNearTermDemand() {
        Forecaster f = new Forecaster(S);
        f.weakAnswer("frontdoor", "coder", 100);
        f.weakAnswer("frontdoor", "coder", 100);
        RoleForecast now = f.forecast(100, Map.of()).of("coder");
        assertEquals(2 * S.escalationProbability(), now.pendingEscalations(), 1e-9);
        assertTrue(now.expectedRequests(60) > 0.9, "prefetch signal: " + now);
        RoleForecast later = f.forecast(100 + 3 * S.escalationSeconds(), Map.of()).of("coder");
        assertTrue(later.pendingEscalations() < 0.06, "expires: " + later);
        // an arrival settles a pending escalation instead of counting twice
        f.weakAnswer("frontdoor", "coder", 200);
        f.arrival("coder", 201);
        assertEquals(0, f.forecast(201, Map.of()).of("coder").pendingEscalations(), 1e-9);
    }

    @Test
    void queuedRequestsCountAsDemand() {
        Forecaster f = new Forecaster(S);
        RoleForecast r = f.forecast(10, Map.of("math", 3)).of("math");
        assertEquals(3, r.queued());
        assertEquals(3.0, r.expectedRequests(60), 1e-9);
        assertEquals(0, new Forecaster(S).forecast(10, Map.of()).of("unknown").expectedRequests(60), 1e-12);
    }
}
