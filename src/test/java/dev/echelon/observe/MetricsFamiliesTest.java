package dev.echelon.observe;

import dev.echelon.residency.control.ResidencyController;
import dev.echelon.supervisor.Supervisor;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.net.URL;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * After a mock traffic run, {@code /q/metrics} holds every metric family issue 10 names, with values that say the run
 * happened; and every log line that names a request (the pipeline logs each at debug in this test) carries that
 * request's id in the MDC, whichever thread wrote it.
 */
@QuarkusTest
@TestProfile(ObservabilityProfile.class)
class MetricsFamiliesTest {

    private static final Pattern SAMPLE = Pattern.compile("^([a-zA-Z_:][a-zA-Z0-9_:]*)(\\{[^}]*})?\\s+(\\S+).*$");
    private static final Pattern LOGGED_ID = Pattern.compile("\\[(obs-\\d+)]");

    @Inject
    Supervisor supervisor;
    @Inject
    ResidencyController residency;

    @TestHTTPResource("/")
    URL base;

    record Sample(String labels, double value) {
    }

    /** What a log record said and which request id the MDC held while it was written. */
    record Logged(String message, String mdcRequestId) {
    }

    @Test
    void afterMockTrafficEveryNamedFamilyIsExported() throws Exception {
        List<Logged> logged = java.util.Collections.synchronizedList(new ArrayList<>());
        Handler capture = new Handler() {
            @Override
            public void publish(LogRecord r) {
                String msg;
                try {
                    msg = r.getParameters() == null || r.getParameters().length == 0 ? r.getMessage()
                            : String.format(r.getMessage(), r.getParameters());
                } catch (java.util.IllegalFormatException e) {
                    msg = r.getMessage();
                }
                Object id = org.jboss.logging.MDC.get(RequestMdc.KEY);
                logged.add(new Logged(msg, id == null ? null : id.toString()));
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        capture.setLevel(Level.ALL);
        java.util.logging.Logger pipelineLog = java.util.logging.Logger.getLogger("dev.echelon.pipeline");
        pipelineLog.addHandler(capture);
        MockTraffic traffic = new MockTraffic(base);
        try {
            MockTraffic.awaitReady(supervisor);
            traffic.run(residency);
        } finally {
            pipelineLog.removeHandler(capture);
        }
        Map<String, List<Sample>> metrics = parse(traffic.get("q/metrics"));
        System.out.printf("observability run: statuses %s, served by %s, %d transitions, %d metric families, "
                + "gate verdicts pass/fail %.0f/%.0f, %.0f escalations%n", traffic.statuses, traffic.servedBy,
                residency.ledger().recent(200).size(), metrics.size(),
                sum(metrics, "echelon_gate_verdicts_total", "verdict=\"pass\""),
                sum(metrics, "echelon_gate_verdicts_total", "verdict=\"fail\""),
                sum(metrics, "echelon_escalations_total", ""));

        // per role requests, tokens in and out
        assertTrue(sum(metrics, "echelon_requests_total", "role=\"greeter\"") > 0, "greeter requests counted");
        assertTrue(sum(metrics, "echelon_tokens_total", "direction=\"in\"") > 0, "prompt tokens counted");
        assertTrue(sum(metrics, "echelon_tokens_total", "direction=\"out\"") > 0, "completion tokens counted");
        // TTFT and TPOT as histograms (buckets, so Prometheus can compute any percentile)
        assertTrue(sum(metrics, "echelon_ttft_seconds_count", "role=\"greeter\"") > 0, "greeter TTFT observed");
        assertTrue(metrics.get("echelon_ttft_seconds_bucket").size() > 10, "TTFT published as a histogram");
        assertTrue(sum(metrics, "echelon_tpot_seconds_count", "") > 0, "TPOT observed");
        assertTrue(metrics.containsKey("echelon_tpot_seconds_bucket"), "TPOT published as a histogram");
        // queue depth per role, refusals
        assertTrue(has(metrics, "echelon_queue_depth", "role=\"greeter\""), "queue depth gauge per role");
        assertTrue(traffic.statuses.containsKey(429), "the burst met a full queue: " + traffic.statuses);
        assertTrue(sum(metrics, "echelon_rejections_total", "status=\"429\"") > 0, "429s counted");
        assertTrue(metrics.get("echelon_rejections_total").stream().anyMatch(s -> s.labels().contains(
                "role=\"expert\"") && s.labels().contains("status=\"503\"")),
                "every serving role's 503 series exists before any 503, so alert rules have data");
        // the quality gate and escalation
        assertTrue(sum(metrics, "echelon_gate_verdicts_total", "verdict=\"pass\"") > 0, "gate passes counted");
        assertTrue(sum(metrics, "echelon_gate_verdicts_total", "verdict=\"fail\"") > 0, "gate failures counted");
        assertTrue(sum(metrics, "echelon_escalations_total", "") > 0, "escalations counted by cause");
        assertTrue(metrics.get("echelon_escalations_total").stream().allMatch(s -> s.labels().contains("category=")),
                "escalations carry their cause");
        // speculation
        assertTrue(sum(metrics, "echelon_speculation_draft_tokens_total", "role=\"greeter\"") > 0, "drafted tokens");
        assertTrue(has(metrics, "echelon_speculation_acceptance_rate", "role=\"greeter\""), "acceptance gauge");
        double acceptance = sum(metrics, "echelon_speculation_accepted_tokens_total", "role=\"greeter\"")
                / sum(metrics, "echelon_speculation_draft_tokens_total", "role=\"greeter\"");
        assertTrue(acceptance > 0 && acceptance <= 1, "draft acceptance in (0, 1]: " + acceptance);
        // residency: state per role, bytes used against the budget, transitions and load durations
        assertTrue(has(metrics, "echelon_residency_state", "role=\"greeter\""), "greeter's residency state");
        assertTrue(has(metrics, "echelon_residency_state", "role=\"expert\""), "expert's residency state");
        assertEquals(10_300_000_000.0, sum(metrics, "echelon_residency_gpu_bytes", "kind=\"budget\""),
                "the registry's GPU budget");
        double gpuUsed = sum(metrics, "echelon_residency_gpu_bytes", "kind=\"used\"");
        assertTrue(gpuUsed > 0 && gpuUsed <= 10_300_000_000.0, "GPU bytes used within the budget: " + gpuUsed);
        assertTrue(sum(metrics, "echelon_residency_host_bytes", "kind=\"budget\"") > 0, "host RAM budget");
        assertTrue(has(metrics, "echelon_residency_host_bytes", "kind=\"used\""), "host RAM used");
        assertTrue(sum(metrics, "echelon_residency_transitions_total", "") > 0, "the planner moved weights");
        assertTrue(sum(metrics, "echelon_residency_transition_actual_seconds_count", "") > 0, "transition times");
        assertTrue(sum(metrics, "echelon_backend_load_duration_seconds_count", "role=\"greeter\"") > 0,
                "server load durations");
        // memory: index size and search latency
        assertTrue(has(metrics, "echelon_memory_index_size", ""), "memory index size");
        assertTrue(sum(metrics, "echelon_memory_search_duration_seconds_count", "") > 0, "recall searches timed");
        // sandbox runs by verdict (every verdict's series exists before the first run)
        for (String verdict : List.of("ok", "error", "limit", "refused")) {
            assertTrue(has(metrics, "echelon_sandbox_runs_total", "verdict=\"" + verdict + "\""), verdict);
        }

        // the request id in the log lines of a request, from every thread that worked on it
        List<Logged> naming = logged.stream().filter(l -> l.message() != null
                && LOGGED_ID.matcher(l.message()).find()).toList();
        assertFalse(naming.isEmpty(), "the pipeline logged requests: " + logged.size() + " records");
        for (Logged l : naming) {
            Matcher m = LOGGED_ID.matcher(l.message());
            m.find();
            assertEquals(m.group(1), l.mdcRequestId(), "MDC request_id while logging: " + l.message());
        }
        System.out.printf("%d pipeline log lines named a request; each had its id in the MDC%n", naming.size());
    }

    static Map<String, List<Sample>> parse(String exposition) {
        Map<String, List<Sample>> out = new LinkedHashMap<>();
        for (String line : exposition.split("\n")) {
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            Matcher m = SAMPLE.matcher(line);
            if (m.matches()) {
                out.computeIfAbsent(m.group(1), k -> new ArrayList<>()).add(new Sample(
                        m.group(2) == null ? "" : m.group(2), Double.parseDouble(m.group(3))));
            }
        }
        return out;
    }

    private static boolean has(Map<String, List<Sample>> metrics, String family, String label) {
        return metrics.getOrDefault(family, List.of()).stream().anyMatch(s -> s.labels().contains(label));
    }

    private static double sum(Map<String, List<Sample>> metrics, String family, String label) {
        assertTrue(metrics.containsKey(family), "metric family " + family + " is exported; families: "
                + metrics.keySet().stream().filter(k -> k.startsWith("echelon")).toList());
        return metrics.get(family).stream().filter(s -> s.labels().contains(label)).mapToDouble(Sample::value).sum();
    }
}
