package dev.echelon.backend;

import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.NoSuchElementException;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PrometheusMetricsTest {

    @Test
    void parsesRecordedMetrics() {
        PrometheusMetrics m = PrometheusMetrics.parse(Recorded.require("metrics.txt"));
        assertEquals(52, m.value("llamacpp:prompt_tokens_total"));
        assertEquals(68, m.value("llamacpp:prompt_tokens_cached_total"));
        assertEquals(0.866062, m.value("llamacpp:prompt_seconds_total"), 1e-12);
        assertEquals(48, m.value("llamacpp:tokens_predicted_total"));
        assertEquals(2.52489, m.value("llamacpp:tokens_predicted_seconds_total"), 1e-12);
        assertEquals(0, m.value("llamacpp:spec_decode_num_draft_tokens_total"));
        assertEquals(60.0419, m.value("llamacpp:prompt_tokens_seconds"), 1e-12);
        assertEquals(1, m.value("llamacpp:n_busy_slots_per_decode"));
        assertEquals(15, m.all().size());
        assertEquals(15, m.samples().size());
        assertEquals("counter", m.type("llamacpp:prompt_tokens_total").orElseThrow());
        assertEquals("gauge", m.type("llamacpp:requests_processing").orElseThrow());
        assertEquals("Number of requests deferred", m.help("llamacpp:requests_deferred").orElseThrow());
        assertTrue(m.find("llamacpp:nope").isEmpty());
        assertThrows(NoSuchElementException.class, () -> m.value("llamacpp:nope"));
        assertEquals(-1, m.valueOr("llamacpp:nope", -1));
    }

    @Test
    void parsesRecordedSpeculativeMetricsWithLabels() {
        PrometheusMetrics m = PrometheusMetrics.parse(Recorded.require("metrics_speculative.txt"));
        assertEquals(61, m.value("llamacpp:spec_decode_num_draft_tokens_total"));
        assertEquals(46, m.value("llamacpp:spec_decode_num_accepted_tokens_total"));
        assertEquals(16, m.value("llamacpp:spec_decode_num_drafts_total"));
        String perPos = "llamacpp:spec_decode_num_accepted_tokens_per_pos_total";
        assertEquals(4, m.samples(perPos).size());
        assertEquals(13, m.find(perPos, Map.of("position", "0")).getAsDouble());
        assertEquals(10, m.find(perPos, Map.of("position", "3")).getAsDouble());
        assertEquals(46, m.sum(perPos));
        assertEquals(12.0, m.all().get(perPos + "{position=\"1\"}"));
        assertTrue(m.find(perPos).isEmpty(), "ambiguous without labels");
        assertTrue(m.has(perPos));
        assertFalse(m.has("llamacpp:other"));
    }

    @Test
    void specialValuesEscapesAndTimestamps() {
        String text = "# HELP x_total A \\\\ help\n"
                + "# TYPE x_total counter\n"
                + "x_total{path=\"/a\\\"b\",code=\"200\"} +Inf 1700000000000\n"
                + "x_total{code=\"500\",path=\"/c\"} -Inf\n"
                + "y NaN\n"
                + "z 1.5e3\n"
                + "w{} 7\n"
                + "\n# a free comment\n";
        PrometheusMetrics m = PrometheusMetrics.parse(text);
        assertEquals(Double.POSITIVE_INFINITY, m.find("x_total", Map.of("path", "/a\"b", "code", "200"))
                .getAsDouble());
        assertEquals(1700000000000L, m.samples("x_total").get(0).timestampMs());
        assertEquals(Double.NEGATIVE_INFINITY, m.find("x_total", Map.of("code", "500", "path", "/c"))
                .getAsDouble());
        assertTrue(Double.isNaN(m.value("y")));
        assertEquals(1500, m.value("z"));
        assertEquals(7, m.value("w"));
        assertEquals("A \\ help", m.help("x_total").orElseThrow());
        assertTrue(m.all().containsKey("x_total{code=\"200\",path=\"/a\\\"b\"}"), m.all().toString());
    }

    @Test
    void malformedLineIsRejected() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> PrometheusMetrics.parse("ok 1\nbad{x=\"1\" 2\n"));
        assertTrue(e.getMessage().contains("line 2"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> PrometheusMetrics.parse("novalue\n"));
    }
}
