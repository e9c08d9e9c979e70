package dev.echelon.speculation;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.DoubleAdder;

/**
 * Speculation telemetry per role and task category, from each generation's {@code timings}: draft tokens, accepted
 * tokens, target passes, and generated tokens and generation time with and without drafting — so acceptance rate,
 * accepted tokens per pass and tokens per second with and without speculation follow (as Prometheus counters, to be
 * divided in a query, and as gauges). Thread-safe.
 */
public final class SpeculationTelemetry {

    private final MeterRegistry meters;
    private final Map<String, Totals> totals = new ConcurrentHashMap<>();

    public SpeculationTelemetry(MeterRegistry meters) {
        this.meters = meters;
    }

    /** Without a meter registry (benchmarks, tests): the totals are still kept for {@link #summary}. */
    public static SpeculationTelemetry standalone() {
        return new SpeculationTelemetry(new SimpleMeterRegistry());
    }

    /** Running totals of one role and category. */
    private static final class Totals {
        final DoubleAdder drafted = new DoubleAdder();
        final DoubleAdder accepted = new DoubleAdder();
        final DoubleAdder passes = new DoubleAdder();
        final DoubleAdder specTokens = new DoubleAdder();
        final DoubleAdder specMs = new DoubleAdder();
        final DoubleAdder plainTokens = new DoubleAdder();
        final DoubleAdder plainMs = new DoubleAdder();
    }

    public void record(String role, String category, DraftSample s) {
        String cat = category == null || category.isBlank() ? "none" : category;
        Tags tags = Tags.of("role", role, "category", cat);
        Totals t = totals.computeIfAbsent(role + '\u0000' + cat, k -> register(tags));
        if (s.speculated()) {
            t.drafted.add(s.drafted());
            t.accepted.add(s.accepted());
            t.passes.add(s.passes());
            t.specTokens.add(s.predicted() - 1);
            t.specMs.add(s.ms());
            Counter.builder("echelon.speculation.draft.tokens").tags(tags).register(meters).increment(s.drafted());
            Counter.builder("echelon.speculation.accepted.tokens").tags(tags).register(meters).increment(s.accepted());
            Counter.builder("echelon.speculation.passes").tags(tags).register(meters).increment(s.passes());
        } else {
            t.plainTokens.add(s.predicted() - 1);
            t.plainMs.add(s.ms());
        }
        Tags mode = tags.and("speculated", Boolean.toString(s.speculated()));
        Counter.builder("echelon.speculation.generated.tokens").tags(mode).register(meters)
                .increment(s.predicted() - 1);
        Counter.builder("echelon.speculation.generation.seconds").tags(mode).register(meters).increment(s.ms() / 1000);
    }

    /** A role's servers were relaunched with another draft length. */
    public void retuned(String role) {
        Counter.builder("echelon.speculation.relaunches").tag("role", role).register(meters).increment();
    }

    private Totals register(Tags tags) {
        Totals t = new Totals();
        Gauge.builder("echelon.speculation.acceptance.rate", t, x -> ratio(x.accepted.sum(), x.drafted.sum()))
                .tags(tags).register(meters);
        Gauge.builder("echelon.speculation.accepted.per.pass", t, x -> ratio(x.accepted.sum(), x.passes.sum()))
                .tags(tags).register(meters);
        Gauge.builder("echelon.speculation.tokens.per.second", t, x -> ratio(x.specTokens.sum(), x.specMs.sum() / 1000))
                .tags(tags.and("speculated", "true")).register(meters);
        Gauge.builder("echelon.speculation.tokens.per.second", t,
                x -> ratio(x.plainTokens.sum(), x.plainMs.sum() / 1000)).tags(tags.and("speculated", "false"))
                .register(meters);
        return t;
    }

    /** Per role, per category: acceptance, accepted per pass, tokens/s with and without drafting. */
    public Map<String, Object> summary() {
        Map<String, Object> out = new LinkedHashMap<>();
        totals.forEach((key, t) -> {
            String[] rc = key.split("\u0000", 2);
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("draft_tokens", Math.round(t.drafted.sum()));
            m.put("accepted_tokens", Math.round(t.accepted.sum()));
            m.put("acceptance_rate", round(ratio(t.accepted.sum(), t.drafted.sum())));
            m.put("accepted_per_pass", round(ratio(t.accepted.sum(), t.passes.sum())));
            m.put("tokens_per_second_speculating", round(ratio(t.specTokens.sum(), t.specMs.sum() / 1000)));
            m.put("tokens_per_second_plain", round(ratio(t.plainTokens.sum(), t.plainMs.sum() / 1000)));
            @SuppressWarnings("unchecked")
            Map<String, Object> role = (Map<String, Object>) out.computeIfAbsent(rc[0], r -> new LinkedHashMap<>());
            role.put(rc[1], m);
        });
        return out;
    }

    private static double ratio(double a, double b) {
        return b > 0 ? a / b : Double.NaN;
    }

    private static Double round(double v) {
        return Double.isFinite(v) ? Math.round(v * 1000) / 1000.0 : null;
    }
}
