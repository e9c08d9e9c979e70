package dev.echelon.quality;

/**
 * One reason why an answer fails the quality gate. Declaration order is severity order: a {@link Verdict} lists its
 * failures in this order and its {@link Verdict#category()} is that of the first.
 */
public enum Failure {
    /** The generation exceeded its deadline. */
    TIMEOUT(FailureCategory.TIMEOUT),
    /** The backend ended the generation with an error. */
    ABORTED(FailureCategory.EARLY_ABORT),
    /** No content at all (nothing but whitespace or punctuation). */
    EMPTY(FailureCategory.LOW_QUALITY),
    /** A runaway loop: the same block of words repeated back to back, or text that compresses to almost nothing. */
    REPETITION(FailureCategory.LOW_QUALITY),
    /** Cut short: by a length limit below the requested one, inside JSON, inside a code block or mid-sentence. */
    TRUNCATED(FailureCategory.EARLY_ABORT),
    /** JSON was required and the text is not (and cannot become) valid JSON. */
    INVALID_JSON(FailureCategory.FORMAT),
    /** Valid JSON that does not match the required shape (an object, or the given schema). */
    SCHEMA_MISMATCH(FailureCategory.FORMAT),
    /** A tool call whose arguments are not a valid JSON object, or do not match the tool's parameter schema. */
    INVALID_TOOL_ARGUMENTS(FailureCategory.FORMAT),
    /** The answer is mostly a refusal ("I can't help with that."). */
    REFUSAL(FailureCategory.LOW_QUALITY),
    /** The model was unsure of its own tokens: low mean log-probability, many unlikely tokens, flat alternatives. */
    LOW_CONFIDENCE(FailureCategory.LOW_QUALITY),
    /** The model stopped after a few tokens without a complete answer. */
    TOO_SHORT(FailureCategory.LOW_QUALITY);

    private final FailureCategory category;

    Failure(FailureCategory category) {
        this.category = category;
    }

    /** The error category this failure maps to. */
    public FailureCategory category() {
        return category;
    }
}
