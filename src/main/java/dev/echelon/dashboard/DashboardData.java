package dev.echelon.dashboard;

import dev.echelon.escalation.EscalationEvent;
import dev.echelon.escalation.EscalationLog;
import dev.echelon.pipeline.LatencyWindow;
import dev.echelon.pipeline.Pipeline;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * The body of {@code GET /admin/dashboard.json}: what the dashboard page draws, read from where each fact already
 * lives — the residency sampler's ring, the request and escalation counters in Micrometer, speculation's draft and
 * accepted token counters, the pipeline's TTFT window and the escalation log. It keeps nothing of its own.
 */
@ApplicationScoped
public class DashboardData {

    /** The timeline the page shows: the last five minutes. */
    static final int WINDOW_SECONDS = 300;

    private final ResidencySampler sampler;
    private final MeterRegistry metrics;
    private final Pipeline pipeline;
    private final EscalationLog escalations;

    public DashboardData(ResidencySampler sampler, MeterRegistry metrics, Pipeline pipeline, EscalationLog escalations) {
        this.sampler = sampler;
        this.metrics = metrics;
        this.pipeline = pipeline;
        this.escalations = escalations;
    }

    public Map<String, Object> snapshot() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("now_ms", System.currentTimeMillis());
        m.put("window_seconds", WINDOW_SECONDS);
        m.put("residency", residency(sampler.last(WINDOW_SECONDS)));
        m.put("routing_mix", sumBy("echelon.requests", "role", c -> !"none".equals(c.getId().getTag("role"))));
        m.put("queue_depth", gaugesBy("echelon.queue.depth", "role"));
        m.put("escalations", escalations());
        m.put("acceptance", acceptance());
        m.put("ttft_ms", ttft());
        return m;
    }

    private static Map<String, Object> residency(List<ResidencySample> samples) {
        Map<String, Object> r = new LinkedHashMap<>();
        List<Long> t = new ArrayList<>();
        List<Double> gpu = new ArrayList<>();
        List<Double> host = new ArrayList<>();
        Map<String, List<String>> states = new TreeMap<>();
        for (ResidencySample s : samples) {
            t.add(s.epochMs());
            gpu.add(round(s.gpuPressure()));
            host.add(round(s.hostPressure()));
            s.states().forEach((role, state) -> states.computeIfAbsent(role, k -> new ArrayList<>()).add(state));
        }
        r.put("t", t);
        r.put("gpu_pressure", gpu);
        r.put("host_pressure", host);
        r.put("states", states);
        if (!samples.isEmpty()) {
            ResidencySample last = samples.get(samples.size() - 1);
            r.put("gpu_bytes", Map.of("used", last.gpuUsedBytes(), "budget", last.gpuBudgetBytes()));
            r.put("host_bytes", Map.of("used", last.hostUsedBytes(), "budget", last.hostBudgetBytes()));
        }
        return r;
    }

    private Map<String, Object> escalations() {
        Map<String, Object> e = new LinkedHashMap<>();
        e.put("by_cause", sumBy("echelon.escalations", "category", c -> true));
        e.put("by_action", sumBy("echelon.escalations", "action", c -> true));
        List<Map<String, Object>> recent = new ArrayList<>();
        List<EscalationEvent> events = escalations.recent(15);
        for (int i = events.size() - 1; i >= 0; i--) { // newest first
            EscalationEvent ev = events.get(i);
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("at", ev.timestamp().toString());
            row.put("request_id", ev.requestId());
            row.put("from", ev.fromRole());
            row.put("to", ev.toRole());
            row.put("action", ev.action());
            row.put("cause", ev.category() == null ? null : ev.category().name().toLowerCase());
            recent.add(row);
        }
        e.put("recent", recent);
        return e;
    }

    /** Accepted ÷ drafted tokens per role, over every generation since start. */
    private Map<String, Object> acceptance() {
        Map<String, Long> drafted = sumBy("echelon.speculation.draft.tokens", "role", c -> true);
        Map<String, Long> accepted = sumBy("echelon.speculation.accepted.tokens", "role", c -> true);
        Map<String, Object> out = new TreeMap<>();
        drafted.forEach((role, d) -> {
            if (d > 0) {
                out.put(role, Map.of("rate", round(accepted.getOrDefault(role, 0L) / (double) d), "draft_tokens", d,
                        "accepted_tokens", accepted.getOrDefault(role, 0L)));
            }
        });
        return out;
    }

    private Map<String, Object> ttft() {
        Map<String, Object> out = new TreeMap<>();
        for (Map.Entry<String, LatencyWindow.Percentiles> e : pipeline.latencies().percentiles().entrySet()) {
            LatencyWindow.Percentiles p = e.getValue();
            out.put(e.getKey(), Map.of("samples", p.samples(), "p50", Math.round(p.p50()), "p95", Math.round(p.p95()),
                    "p99", Math.round(p.p99())));
        }
        return out;
    }

    private Map<String, Long> sumBy(String name, String tag, java.util.function.Predicate<Counter> keep) {
        Map<String, Long> out = new TreeMap<>();
        for (Counter c : metrics.find(name).counters()) {
            String key = c.getId().getTag(tag);
            if (key != null && keep.test(c)) {
                out.merge(key, Math.round(c.count()), Long::sum);
            }
        }
        return out;
    }

    private Map<String, Long> gaugesBy(String name, String tag) {
        Map<String, Long> out = new TreeMap<>();
        Function<Gauge, Long> value = g -> Math.round(g.value());
        for (Gauge g : metrics.find(name).gauges()) {
            String key = g.getId().getTag(tag);
            if (key != null) {
                out.put(key, value.apply(g));
            }
        }
        return out;
    }

    private static double round(double v) {
        return Math.round(v * 10_000) / 10_000.0;
    }
}
