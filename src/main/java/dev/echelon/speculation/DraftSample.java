package dev.echelon.speculation;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.Optional;

/**
 * What one generation tells about speculation, from llama-server's {@code timings}: tokens generated, the time spent
 * generating them, and the draft tokens proposed and accepted.
 *
 * <p>Passes are not reported; they follow from the tokens: the first token comes from prompt processing, and each
 * target pass then yields its accepted drafts plus one token of its own, so passes = predicted − 1 − accepted.
 *
 * @param nMax       the draft length in force for this generation (per request, or the server's)
 * @param predicted  {@code predicted_n}
 * @param ms         {@code predicted_ms}: generation after the first token
 * @param drafted    {@code draft_n} (0 when the server did not speculate)
 * @param accepted   {@code draft_n_accepted}
 * @param concurrent generations running on the instance when this one started, itself included
 */
public record DraftSample(int nMax, int predicted, double ms, int drafted, int accepted, int concurrent) {

    public DraftSample {
        if (predicted < 0 || drafted < 0 || accepted < 0 || accepted > drafted || ms < 0 || concurrent < 1) {
            throw new IllegalArgumentException("inconsistent timings: predicted " + predicted + ", drafted " + drafted
                    + ", accepted " + accepted + ", " + ms + " ms, concurrent " + concurrent);
        }
    }

    /** Target passes after the first token. */
    public int passes() {
        return Math.max(0, predicted - 1 - accepted);
    }

    public boolean speculated() {
        return drafted > 0;
    }

    /** Tokens per second of generation, or 0 without a measurable duration. */
    public double tokensPerSecond() {
        return ms > 0 ? (predicted - 1) * 1000.0 / ms : 0;
    }

    /** As {@link #from(JsonNode, int, int)}, from the typed timings. */
    public static Optional<DraftSample> from(dev.echelon.backend.Timings t, int nMax, int concurrent) {
        if (t == null || t.predictedN() == null || t.predictedMs() == null) {
            return Optional.empty();
        }
        return of(nMax, t.predictedN(), t.predictedMs(), t.draftN() == null ? 0 : t.draftN(),
                t.draftNAccepted() == null ? 0 : t.draftNAccepted(), concurrent);
    }

    /**
     * Reads a {@code timings} object; empty when it lacks the token counts or the generation was too short to say
     * anything (fewer than two tokens).
     */
    public static Optional<DraftSample> from(JsonNode timings, int nMax, int concurrent) {
        if (timings == null || !timings.path("predicted_n").isNumber() || !timings.path("predicted_ms").isNumber()) {
            return Optional.empty();
        }
        return of(nMax, timings.get("predicted_n").asInt(), timings.get("predicted_ms").asDouble(),
                timings.path("draft_n").asInt(0), timings.path("draft_n_accepted").asInt(0), concurrent);
    }

    /** Clamps what a server reported into a consistent sample; empty below two generated tokens. */
    private static Optional<DraftSample> of(int nMax, int predicted, double ms, int draftN, int acceptedN,
            int concurrent) {
        if (predicted < 2) {
            return Optional.empty();
        }
        int drafted = Math.max(0, draftN);
        int accepted = Math.max(0, Math.min(drafted, acceptedN));
        return Optional.of(new DraftSample(Math.max(0, nMax), predicted, Math.max(0, ms), drafted, accepted,
                Math.max(1, concurrent)));
    }
}
