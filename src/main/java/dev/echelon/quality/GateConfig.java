package dev.echelon.quality;

import java.util.List;

/**
 * Thresholds of the {@link QualityGate} and the {@link GenerationMonitor}, with {@link #DEFAULT}s calibrated on
 * observed behaviour only: 540 answers captured from the service in mock mode (five roles, easy and hard prompts,
 * plain text, {@code json_object}, {@code json_schema}, tool calls and streams). Capable answers had a mean token
 * log-probability of -0.55 to -0.09 (average -0.30), at most 3 % tokens below -2.3, mean entropy at most 0.89 nats
 * and a repetition score at most 0.5; overmatched ones -4.21 to -1.83 (average -2.80) and 20 % to 97 % unlikely
 * tokens. {@code minMeanLogprob} -1.2 sits in the middle of that gap; the other signals are corroboration (they also
 * catch 60 % of the weak answers when no log-probabilities are available).
 *
 * @param minAnswerChars An answer shorter than this many characters (trimmed) must look complete, or it is TOO_SHORT.
 * @param minAnswerTokens An answer of fewer tokens than this must look complete, or it is TOO_SHORT.
 * @param flagIncompleteStop A {@code stop} that leaves a code block open or ends on a dangling word or comma is
 *     TRUNCATED.
 * @param truncationMinTokens {@code length} with fewer tokens than this (and no smaller requested limit) is TRUNCATED.
 * @param repeatMaxPeriod Longest repeating block searched for, in words (units: words, punctuation runs, CJK
 *     characters).
 * @param repeatMinCount Back-to-back repeats of a short block that make a loop.
 * @param repeatMinCountLongPeriod Back-to-back repeats of a long block (at least {@code repeatLongPeriod} units) that
 *     make a loop.
 * @param repeatLongPeriod Block length from which {@code repeatMinCountLongPeriod} applies.
 * @param repeatMinSpan A loop must span at least this many units (keeps tables and short refrains out).
 * @param repeatSimilarity Fraction of a loop window's units that must equal the unit one period earlier: 1.0 (default)
 *     asks for exact back-to-back repeats, lower values also catch loops with a changing counter but then flag lists of
 *     near-identical records too (a JSON array whose records differ in one value of twenty matches at 0.95); the final
 *     judge catches inexact loops by compression instead.
 * @param compressionMinBytes Texts of at least this many UTF-8 bytes are also checked by compression ratio.
 * @param compressionMaxRatio Deflate ratio (compressed / raw) below which a long text counts as repetitive.
 * @param confidenceMinTokens Log-probability checks need at least this many tokens.
 * @param minMeanLogprob Mean log-probability of the chosen tokens below this is LOW_CONFIDENCE.
 * @param lowTokenLogprob A token whose log-probability is below this (p &lt; 0.1) counts as unlikely.
 * @param maxLowConfidenceFraction A fraction of unlikely tokens above this is LOW_CONFIDENCE.
 * @param maxMeanEntropy Mean estimated entropy (nats) above this is LOW_CONFIDENCE (flat alternatives).
 * @param entropyMinAlternatives The entropy check needs at least this many alternatives per token on average.
 * @param earlyMinTokens {@link QualityGate#judgeEarly} judges confidence only after this many tokens.
 * @param refusalPhrases Refusal phrases, matched case-insensitively (typographic apostrophes normalised).
 * @param refusalMaxOffset A refusal phrase must start within this many characters of the answer's start.
 * @param refusalMaxChars Only answers up to this length (trimmed) can be refusals: longer ones carry content.
 * @param allowJsonCodeFence Accept JSON wrapped in one Markdown code fence.
 * @param monitorWindow {@link GenerationMonitor} sliding window, in tokens.
 * @param monitorMinMeanLogprob Window mean log-probability below this is a confidence explosion.
 * @param monitorMaxMeanEntropy Window mean entropy above this is a confidence explosion.
 * @param monitorCollapseEntropy Window mean entropy below this, with few distinct tokens, is a collapse into a loop.
 * @param monitorCollapseDistinctRatio Distinct tokens / window size below which a zero-entropy window is a collapse.
 */
public record GateConfig(
        int minAnswerChars,
        int minAnswerTokens,
        boolean flagIncompleteStop,
        int truncationMinTokens,
        int repeatMaxPeriod,
        int repeatMinCount,
        int repeatMinCountLongPeriod,
        int repeatLongPeriod,
        int repeatMinSpan,
        double repeatSimilarity,
        int compressionMinBytes,
        double compressionMaxRatio,
        int confidenceMinTokens,
        double minMeanLogprob,
        double lowTokenLogprob,
        double maxLowConfidenceFraction,
        double maxMeanEntropy,
        double entropyMinAlternatives,
        int earlyMinTokens,
        List<String> refusalPhrases,
        int refusalMaxOffset,
        int refusalMaxChars,
        boolean allowJsonCodeFence,
        int monitorWindow,
        double monitorMinMeanLogprob,
        double monitorMaxMeanEntropy,
        double monitorCollapseEntropy,
        double monitorCollapseDistinctRatio) {

    /** The default refusal phrases. */
    public static final List<String> DEFAULT_REFUSALS = List.of(
            "i can't help with", "i cannot help with", "i can't assist", "i cannot assist",
            "i'm sorry, but i can't", "i'm sorry, but i cannot", "sorry, i can't", "sorry, but i can't",
            "i'm unable to help", "i am unable to help", "i'm not able to help", "i am not able to help",
            "i can't provide", "i cannot provide", "i can't fulfill", "i cannot fulfill", "i won't be able to help",
            "i must decline", "as an ai language model", "as a language model, i");

    /** The calibrated defaults. */
    public static final GateConfig DEFAULT = builder().build();

    public GateConfig {
        refusalPhrases = refusalPhrases == null ? List.of()
                : refusalPhrases.stream().map(QualityText::normalizeForMatch).toList();
        positive("minAnswerChars", minAnswerChars);
        positive("minAnswerTokens", minAnswerTokens);
        positive("truncationMinTokens", truncationMinTokens);
        positive("repeatMaxPeriod", repeatMaxPeriod);
        if (repeatMinCount < 2 || repeatMinCountLongPeriod < 2) {
            throw new IllegalArgumentException("repeat counts must be at least 2");
        }
        positive("repeatLongPeriod", repeatLongPeriod);
        positive("repeatMinSpan", repeatMinSpan);
        unit("repeatSimilarity", repeatSimilarity);
        positive("compressionMinBytes", compressionMinBytes);
        unit("compressionMaxRatio", compressionMaxRatio);
        positive("confidenceMinTokens", confidenceMinTokens);
        unit("maxLowConfidenceFraction", maxLowConfidenceFraction);
        positive("earlyMinTokens", earlyMinTokens);
        positive("monitorWindow", monitorWindow);
        unit("monitorCollapseDistinctRatio", monitorCollapseDistinctRatio);
        if (minMeanLogprob > 0 || lowTokenLogprob > 0 || monitorMinMeanLogprob > 0) {
            throw new IllegalArgumentException("log-probability thresholds must be <= 0");
        }
    }

    private static void positive(String name, int v) {
        if (v < 1) {
            throw new IllegalArgumentException(name + " must be >= 1, was " + v);
        }
    }

    private static void unit(String name, double v) {
        if (!(v >= 0 && v <= 1)) {
            throw new IllegalArgumentException(name + " must be in [0, 1], was " + v);
        }
    }

    public static Builder builder() {
        return new Builder();
    }

    public Builder toBuilder() {
        return new Builder(this);
    }

    /** Builder starting from the defaults. */
    public static final class Builder {
        private int minAnswerChars = 16;
        private int minAnswerTokens = 4;
        private boolean flagIncompleteStop = true;
        private int truncationMinTokens = 16;
        private int repeatMaxPeriod = 64;
        private int repeatMinCount = 4;
        private int repeatMinCountLongPeriod = 3;
        private int repeatLongPeriod = 12;
        private int repeatMinSpan = 32;
        private double repeatSimilarity = 1.0;
        private int compressionMinBytes = 600;
        private double compressionMaxRatio = 0.12;
        private int confidenceMinTokens = 8;
        private double minMeanLogprob = -1.2;
        private double lowTokenLogprob = -2.3;
        private double maxLowConfidenceFraction = 0.35;
        private double maxMeanEntropy = 1.5;
        private double entropyMinAlternatives = 3;
        private int earlyMinTokens = 16;
        private List<String> refusalPhrases = DEFAULT_REFUSALS;
        private int refusalMaxOffset = 80;
        private int refusalMaxChars = 320;
        private boolean allowJsonCodeFence = true;
        private int monitorWindow = 48;
        private double monitorMinMeanLogprob = -2.3;
        private double monitorMaxMeanEntropy = 1.9;
        private double monitorCollapseEntropy = 0.05;
        private double monitorCollapseDistinctRatio = 0.25;

        private Builder() {
        }

        private Builder(GateConfig c) {
            this.minAnswerChars = c.minAnswerChars();
            this.minAnswerTokens = c.minAnswerTokens();
            this.flagIncompleteStop = c.flagIncompleteStop();
            this.truncationMinTokens = c.truncationMinTokens();
            this.repeatMaxPeriod = c.repeatMaxPeriod();
            this.repeatMinCount = c.repeatMinCount();
            this.repeatMinCountLongPeriod = c.repeatMinCountLongPeriod();
            this.repeatLongPeriod = c.repeatLongPeriod();
            this.repeatMinSpan = c.repeatMinSpan();
            this.repeatSimilarity = c.repeatSimilarity();
            this.compressionMinBytes = c.compressionMinBytes();
            this.compressionMaxRatio = c.compressionMaxRatio();
            this.confidenceMinTokens = c.confidenceMinTokens();
            this.minMeanLogprob = c.minMeanLogprob();
            this.lowTokenLogprob = c.lowTokenLogprob();
            this.maxLowConfidenceFraction = c.maxLowConfidenceFraction();
            this.maxMeanEntropy = c.maxMeanEntropy();
            this.entropyMinAlternatives = c.entropyMinAlternatives();
            this.earlyMinTokens = c.earlyMinTokens();
            this.refusalPhrases = c.refusalPhrases();
            this.refusalMaxOffset = c.refusalMaxOffset();
            this.refusalMaxChars = c.refusalMaxChars();
            this.allowJsonCodeFence = c.allowJsonCodeFence();
            this.monitorWindow = c.monitorWindow();
            this.monitorMinMeanLogprob = c.monitorMinMeanLogprob();
            this.monitorMaxMeanEntropy = c.monitorMaxMeanEntropy();
            this.monitorCollapseEntropy = c.monitorCollapseEntropy();
            this.monitorCollapseDistinctRatio = c.monitorCollapseDistinctRatio();
        }

        public Builder minAnswerChars(int value) {
            this.minAnswerChars = value;
            return this;
        }

        public Builder minAnswerTokens(int value) {
            this.minAnswerTokens = value;
            return this;
        }

        public Builder flagIncompleteStop(boolean value) {
            this.flagIncompleteStop = value;
            return this;
        }

        public Builder truncationMinTokens(int value) {
            this.truncationMinTokens = value;
            return this;
        }

        public Builder repeatMaxPeriod(int value) {
            this.repeatMaxPeriod = value;
            return this;
        }

        public Builder repeatMinCount(int value) {
            this.repeatMinCount = value;
            return this;
        }

        public Builder repeatMinCountLongPeriod(int value) {
            this.repeatMinCountLongPeriod = value;
            return this;
        }

        public Builder repeatLongPeriod(int value) {
            this.repeatLongPeriod = value;
            return this;
        }

        public Builder repeatMinSpan(int value) {
            this.repeatMinSpan = value;
            return this;
        }

        public Builder repeatSimilarity(double value) {
            this.repeatSimilarity = value;
            return this;
        }

        public Builder compressionMinBytes(int value) {
            this.compressionMinBytes = value;
            return this;
        }

        public Builder compressionMaxRatio(double value) {
            this.compressionMaxRatio = value;
            return this;
        }

        public Builder confidenceMinTokens(int value) {
            this.confidenceMinTokens = value;
            return this;
        }

        public Builder minMeanLogprob(double value) {
            this.minMeanLogprob = value;
            return this;
        }

        public Builder lowTokenLogprob(double value) {
            this.lowTokenLogprob = value;
            return this;
        }

        public Builder maxLowConfidenceFraction(double value) {
            this.maxLowConfidenceFraction = value;
            return this;
        }

        public Builder maxMeanEntropy(double value) {
            this.maxMeanEntropy = value;
            return this;
        }

        public Builder entropyMinAlternatives(double value) {
            this.entropyMinAlternatives = value;
            return this;
        }

        public Builder earlyMinTokens(int value) {
            this.earlyMinTokens = value;
            return this;
        }

        public Builder refusalPhrases(List<String> value) {
            this.refusalPhrases = value;
            return this;
        }

        public Builder refusalMaxOffset(int value) {
            this.refusalMaxOffset = value;
            return this;
        }

        public Builder refusalMaxChars(int value) {
            this.refusalMaxChars = value;
            return this;
        }

        public Builder allowJsonCodeFence(boolean value) {
            this.allowJsonCodeFence = value;
            return this;
        }

        public Builder monitorWindow(int value) {
            this.monitorWindow = value;
            return this;
        }

        public Builder monitorMinMeanLogprob(double value) {
            this.monitorMinMeanLogprob = value;
            return this;
        }

        public Builder monitorMaxMeanEntropy(double value) {
            this.monitorMaxMeanEntropy = value;
            return this;
        }

        public Builder monitorCollapseEntropy(double value) {
            this.monitorCollapseEntropy = value;
            return this;
        }

        public Builder monitorCollapseDistinctRatio(double value) {
            this.monitorCollapseDistinctRatio = value;
            return this;
        }

        public GateConfig build() {
            return new GateConfig(
                    minAnswerChars, minAnswerTokens, flagIncompleteStop, truncationMinTokens, repeatMaxPeriod,
                    repeatMinCount, repeatMinCountLongPeriod, repeatLongPeriod, repeatMinSpan, repeatSimilarity,
                    compressionMinBytes, compressionMaxRatio, confidenceMinTokens, minMeanLogprob, lowTokenLogprob,
                    maxLowConfidenceFraction, maxMeanEntropy, entropyMinAlternatives, earlyMinTokens, refusalPhrases,
                    refusalMaxOffset, refusalMaxChars, allowJsonCodeFence, monitorWindow, monitorMinMeanLogprob,
                    monitorMaxMeanEntropy, monitorCollapseEntropy, monitorCollapseDistinctRatio);
        }
    }
}
