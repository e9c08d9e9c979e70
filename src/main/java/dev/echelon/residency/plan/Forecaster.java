package dev.echelon.residency.plan;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * Per-role demand at three horizons, from request arrivals, queue depths and predicted escalations.
 *
 * <p>Each horizon is an exponentially decaying count of arrivals (time constant τ) kept in continuous time: the count
 * decays with the time that passes, not per event, so a role that goes idle fades at forecast time even though no
 * event arrives. Rate = count / effective window, where the window is τ·(1 − e^(−age/τ)) — the bias correction of an
 * EWMA started at zero — so the slow horizons are usable soon after start (age is floored at the short horizon, so
 * one early request does not read as a burst).
 *
 * <p>Blending (the rate the planner uses): the medium horizon by default, averaged with the long one while they agree
 * within {@link ForecastSettings#shiftZ} Poisson standard deviations (less noise for a steady mix). The short horizon
 * takes over only while it differs from that baseline by {@code shiftZ} standard deviations persistently (for
 * {@link ForecastSettings#shiftPersistSeconds}, or at once when twice as far off): a real shift of the mix moves the
 * plan within seconds, a single request or a fast A/B alternation does not. A role whose arrivals stop is caught the
 * same way by its silence: once no request has come for at least the persistence time, and the baseline makes such a
 * silence as unlikely as a {@code shiftZ}-sigma deviation, the decaying short horizon takes over. Persistence is
 * measured between calls to {@link #forecast}, so call it every tick.
 *
 * <p>Thread-safe: arrivals come from request threads, forecasts from the controller's tick.
 */
public final class Forecaster {

    private final ForecastSettings settings;
    /** Expected arrivals a silence must have missed to count as a stop. */
    private final double silenceEvents;
    private final Map<String, RoleState> roles = new LinkedHashMap<>();
    private double origin = Double.NaN;

    public Forecaster(ForecastSettings settings) {
        this.settings = Objects.requireNonNull(settings);
        // P(no arrival in a silence) = e^(−expected); matched to the one-sided normal tail at shiftZ:
        // −ln Φ(−z) ≈ z²/2 + ln(z·√(2π)) (Mills ratio), 4.96 for z = 2.5
        double z = settings.shiftZ();
        this.silenceEvents = z * z / 2 + Math.log(z * Math.sqrt(2 * Math.PI));
    }

    public ForecastSettings settings() {
        return settings;
    }

    /** A request for {@code role} arrived at {@code t}; it also settles one pending predicted escalation. */
    public synchronized void arrival(String role, double t) {
        start(t);
        RoleState s = state(role);
        s.shortCount.add(t, 1);
        s.mediumCount.add(t, 1);
        s.longCount.add(t, 1);
        s.lastArrival = Math.max(s.lastArrival, t);
        double pending = s.escalations.valueAt(t);
        if (pending > 0) {
            s.escalations.add(t, -Math.min(1, pending));
        }
    }

    /**
     * An answer from {@code from} had a weak gate verdict at {@code t}, so {@code likelyNext} (its escalation target)
     * will probably be asked soon: its near-term demand rises by {@link ForecastSettings#escalationProbability}
     * expected requests, which expire over {@link ForecastSettings#escalationSeconds}.
     */
    public synchronized void weakAnswer(String from, String likelyNext, double t) {
        Objects.requireNonNull(from);
        start(t);
        state(likelyNext).escalations.add(t, settings.escalationProbability());
    }

    /**
     * Demand now. Roles with queued requests but no arrivals yet are included.
     *
     * @param queued requests waiting per role (from the observation)
     */
    public synchronized Forecast forecast(double now, Map<String, Integer> queued) {
        start(now);
        Map<String, RoleForecast> out = new LinkedHashMap<>();
        for (String role : queued.keySet()) {
            state(role);
        }
        double age = Math.max(now - origin, settings.shortSeconds());
        for (Map.Entry<String, RoleState> e : roles.entrySet()) {
            out.put(e.getKey(), e.getValue().forecast(now, age, queued.getOrDefault(e.getKey(), 0)));
        }
        return new Forecast(now, out, settings.escalationSeconds());
    }

    private void start(double t) {
        if (Double.isNaN(origin) || t < origin) {
            origin = t;
        }
    }

    private RoleState state(String role) {
        return roles.computeIfAbsent(Objects.requireNonNull(role), r -> new RoleState());
    }

    private final class RoleState {
        final DecayingCount shortCount = new DecayingCount(settings.shortSeconds());
        final DecayingCount mediumCount = new DecayingCount(settings.mediumSeconds());
        final DecayingCount longCount = new DecayingCount(settings.longSeconds());
        final DecayingCount escalations = new DecayingCount(settings.escalationSeconds());
        int shiftSign;
        double shiftSince = Double.NaN;
        double lastArrival = Double.NEGATIVE_INFINITY;

        RoleForecast forecast(double now, double age, int queued) {
            double shortN = shortCount.valueAt(now);
            double mediumN = mediumCount.valueAt(now);
            double longN = longCount.valueAt(now);
            double shortW = window(settings.shortSeconds(), age);
            double mediumW = window(settings.mediumSeconds(), age);
            double longW = window(settings.longSeconds(), age);
            double shortRate = shortN / shortW;
            double mediumRate = mediumN / mediumW;
            double longRate = longN / longW;

            double baseline = Math.abs(z(mediumN, longRate * mediumW)) < settings.shiftZ()
                    ? (mediumRate + longRate) / 2 : mediumRate;
            double zShort = z(shortN, baseline * shortW);
            int sign = zShort >= settings.shiftZ() ? 1 : zShort <= -settings.shiftZ() ? -1 : 0;
            if (sign == 0) {
                shiftSign = 0;
                shiftSince = Double.NaN;
            } else if (sign != shiftSign) {
                shiftSign = sign;
                shiftSince = now;
            }
            boolean shifting = sign != 0 && (now - shiftSince >= settings.shiftPersistSeconds()
                    || Math.abs(zShort) >= 2 * settings.shiftZ());
            // a silence as improbable under the baseline as a shiftZ-sigma deviation, and long enough to be no
            // mere gap between alternating bursts, is a stop: the short horizon's decay takes over
            double silence = now - Math.max(lastArrival, origin);
            if (!shifting && silence >= settings.shiftPersistSeconds() && baseline * silence >= silenceEvents) {
                shifting = shortRate < baseline;
                sign = -1;
            }
            double rate = shifting ? shortRate : baseline;
            return new RoleForecast(rate, shortRate, mediumRate, longRate, shifting ? sign : 0,
                    Math.max(0, escalations.valueAt(now)), settings.escalationSeconds(), queued);
        }
    }

    /** Effective length of an EWMA's window after {@code age} seconds of observation. */
    private static double window(double tau, double age) {
        return tau * -Math.expm1(-age / tau);
    }

    /** Poisson z-score of {@code observed} events against {@code expected}; variance floored at one event. */
    private static double z(double observed, double expected) {
        return (observed - expected) / Math.sqrt(Math.max(expected, 1));
    }

    /** A sum of unit events, each decaying as e^(−Δt/τ), evaluated lazily at any later time. */
    private static final class DecayingCount {
        private final double tau;
        private double value;
        private double at = Double.NEGATIVE_INFINITY;

        DecayingCount(double tau) {
            this.tau = tau;
        }

        void add(double t, double amount) {
            if (t >= at) {
                value = valueAt(t) + amount;
                at = t;
            } else {
                // an event reported late: counted with the decay it has already had
                value += amount * Math.exp(-(at - t) / tau);
            }
        }

        double valueAt(double t) {
            if (value == 0 || t <= at) {
                return value;
            }
            return value * Math.exp(-(t - at) / tau);
        }
    }
}
