package dev.echelon.speculation;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DraftSampleTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void readsARecordedSpeculativeTimingsObject() throws Exception {
        // timings recorded from llama-server v0.5.0 with --spec-type draft-simple --spec-draft-n-max 8
        // (../shared/reference/llama-server/spec_completion_timings.txt); its /metrics counted 16 drafts
        var t = JSON.readTree("{\"cache_n\": 0, \"prompt_n\": 6, \"prompt_ms\": 23.723, \"predicted_n\": 64, "
                + "\"predicted_ms\": 127.416, \"predicted_per_second\": 494.44, \"draft_n\": 59, "
                + "\"draft_n_accepted\": 48}");
        DraftSample s = DraftSample.from(t, 8, 1).orElseThrow();
        assertEquals(15, s.passes(), "64 tokens = the first + 15 passes × (accepted + 1)");
        assertTrue(s.speculated());
        assertEquals(63 * 1000 / 127.416, s.tokensPerSecond(), 1e-9);
    }

    @Test
    void plainTimingsAreASampleWithoutDrafting() throws Exception {
        var t = JSON.readTree("{\"predicted_n\": 32, \"predicted_ms\": 400.0}");
        DraftSample s = DraftSample.from(t, 0, 2).orElseThrow();
        assertFalse(s.speculated());
        assertEquals(31, s.passes());
        assertEquals(2, s.concurrent());
    }

    @Test
    void missingOrTooShortTimingsGiveNothing() throws Exception {
        assertTrue(DraftSample.from((com.fasterxml.jackson.databind.JsonNode) null, 8, 1).isEmpty());
        assertTrue(DraftSample.from(JSON.readTree("{\"predicted_n\": 1, \"predicted_ms\": 3.0}"), 8, 1).isEmpty());
        assertTrue(DraftSample.from(JSON.readTree("{\"prompt_n\": 5}"), 8, 1).isEmpty());
    }

    @Test
    void inconsistentCountsAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> new DraftSample(8, 10, 5, 3, 4, 1));
    }
}
