package dev.echelon.quality;

import java.util.List;
import java.util.Optional;

/**
 * The quality gate's judgement of one transcript.
 *
 * @param pass                  no failure was found
 * @param failures              the failures found, most severe first (declaration order of {@link Failure})
 * @param meanLogprob           mean chosen-token log-probability ({@code NaN} without log-probabilities)
 * @param meanEntropy           mean estimated next-token entropy in nats ({@code NaN} without alternatives)
 * @param lowConfidenceFraction fraction of tokens below {@link GateConfig#lowTokenLogprob()} ({@code NaN} without)
 * @param repetitionScore       0..1: the highest fraction of words equal to the word one period earlier, over any
 *                              loop-sized window (prose stays low, a loop reaches 1)
 * @param tokensJudged          tokens whose log-probabilities were judged
 * @param reason                a short human explanation ("pass", or each failure with its measurement)
 */
public record Verdict(
        boolean pass,
        List<Failure> failures,
        double meanLogprob,
        double meanEntropy,
        double lowConfidenceFraction,
        double repetitionScore,
        int tokensJudged,
        String reason) {

    public Verdict {
        failures = failures == null ? List.of() : List.copyOf(failures);
        if (pass != failures.isEmpty()) {
            throw new IllegalArgumentException("pass must equal failures.isEmpty()");
        }
        reason = reason == null ? "" : reason;
    }

    /** The category of the most severe failure; null when the answer passed. */
    public FailureCategory category() {
        return failures.isEmpty() ? null : failures.get(0).category();
    }

    /** The most severe failure, if any. */
    public Optional<Failure> first() {
        return failures.isEmpty() ? Optional.empty() : Optional.of(failures.get(0));
    }

    /** Whether {@code failure} was found. */
    public boolean has(Failure failure) {
        return failures.contains(failure);
    }

    @Override
    public String toString() {
        return (pass ? "PASS" : "FAIL " + failures) + " — " + reason;
    }
}
