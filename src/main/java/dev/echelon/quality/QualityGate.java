package dev.echelon.quality;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Step 5 of a request: judges a generation from what can be observed of it — text, per-token log-probabilities and
 * alternatives, finish reason, token counts, timing — as one would judge a real model's answer. Deterministic,
 * stateless and thread-safe; the cost is linear in the answer's length (times {@link GateConfig#repeatMaxPeriod()}
 * for the loop search).
 *
 * <p>{@link #judge} judges a finished generation. {@link #judgeEarly} judges a streaming prefix held back from the
 * client: it only raises what a prefix can already prove (a loop, low confidence over enough tokens, a refusal
 * opening, JSON that can no longer become valid); a prefix that is still generating is never "too short".
 */
public final class QualityGate {

    private static final ObjectMapper STRICT = new ObjectMapper()
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);

    /** Words after a refusal phrase that turn it into a partial answer ("I can't X, but here is Y"). */
    private static final String[] CONTRAST = {" but ", " but,", "however", "instead", "here is", "here's",
        "that said", "although"};

    private final GateConfig config;

    public QualityGate(GateConfig config) {
        this.config = Objects.requireNonNull(config, "config");
    }

    /** A gate with {@link GateConfig#DEFAULT}. */
    public QualityGate() {
        this(GateConfig.DEFAULT);
    }

    public GateConfig config() {
        return config;
    }

    /** Judges a finished generation. */
    public Verdict judge(Transcript transcript) {
        return evaluate(Objects.requireNonNull(transcript, "transcript"), false);
    }

    /**
     * Judges a prefix of a generation that may still be running (the hold-back window). A prefix that has already
     * finished is judged in full.
     */
    public Verdict judgeEarly(Transcript partial) {
        Objects.requireNonNull(partial, "partial");
        return partial.finished() ? evaluate(partial, false) : evaluate(partial, true);
    }

    private Verdict evaluate(Transcript t, boolean early) {
        Map<Failure, String> found = new EnumMap<>(Failure.class);
        if (t.timedOut()) {
            found.put(Failure.TIMEOUT, "timed out after " + t.elapsedMs() + " ms");
        }
        if (t.aborted()) {
            found.put(Failure.ABORTED, "the backend ended the generation with an error");
        }

        String subject = t.toolCall() ? nonNull(t.toolArguments()) : t.text();
        LoopDetector loop = LoopDetector.scan(config, subject);
        if (loop.looping()) {
            found.put(Failure.REPETITION, "a block of " + loop.loopPeriod() + " words repeats back to back");
        } else {
            int bytes = subject.getBytes(StandardCharsets.UTF_8).length;
            if (bytes >= config.compressionMinBytes()) {
                double ratio = QualityText.compressionRatio(subject);
                if (ratio < config.compressionMaxRatio()) {
                    found.put(Failure.REPETITION, String.format("text compresses to %.0f%% (max repetitiveness %.0f%%)",
                            ratio * 100, config.compressionMaxRatio() * 100));
                }
            }
        }

        if (t.toolCall()) {
            checkToolCall(t, early, found);
        } else {
            checkText(t, early, found);
        }

        ConfidenceStats conf = ConfidenceStats.of(t.tokens(), config);
        int minTokens = early ? Math.max(config.earlyMinTokens(), config.confidenceMinTokens())
                : config.confidenceMinTokens();
        String lowConf = conf.lowConfidenceReason(config, minTokens);
        if (lowConf != null) {
            found.put(Failure.LOW_CONFIDENCE, lowConf);
        }

        List<Failure> failures = new ArrayList<>(found.keySet());
        String reason;
        if (failures.isEmpty()) {
            reason = conf.tokens() > 0
                    ? String.format("pass (mean logprob %.2f over %d tokens)", conf.meanLogprob(), conf.tokens())
                    : "pass";
        } else {
            StringBuilder sb = new StringBuilder();
            for (Map.Entry<Failure, String> e : found.entrySet()) {
                if (sb.length() > 0) {
                    sb.append("; ");
                }
                sb.append(e.getKey().name()).append(": ").append(e.getValue());
            }
            reason = sb.toString();
        }
        return new Verdict(failures.isEmpty(), failures, conf.meanLogprob(), conf.meanEntropy(), conf.lowFraction(),
                loop.score(), conf.tokens(), reason);
    }

    private void checkText(Transcript t, boolean early, Map<Failure, String> found) {
        String text = t.text();
        // JSON answers are judged as JSON ("{}" or "[]" can be valid); prose needs a letter, digit or symbol
        if (t.json().required() ? text.isBlank() : !QualityText.hasContent(text)) {
            if (!early) {
                found.put(Failure.EMPTY, text.isEmpty() ? "no text" : "no words, only whitespace or punctuation");
            }
            return;
        }
        if (t.json().required()) {
            checkJson(text, t, early, false, found);
            return;
        }
        if (!early) {
            String trimmed = text.strip();
            int tokens = t.tokenCount();
            if ("length".equals(t.finishReason())) {
                Integer ct = t.completionTokens();
                if (t.maxTokens() != null && ct != null && ct < t.maxTokens()) {
                    found.put(Failure.TRUNCATED, "finish_reason length after " + ct + " of " + t.maxTokens()
                            + " requested tokens (context exhausted)");
                } else if (t.maxTokens() == null && tokens > 0 && tokens < config.truncationMinTokens()) {
                    found.put(Failure.TRUNCATED, "finish_reason length after only " + tokens + " tokens");
                }
            } else {
                boolean shortText = trimmed.length() < config.minAnswerChars()
                        || (tokens > 0 && tokens < config.minAnswerTokens());
                if (shortText && !QualityText.looksComplete(trimmed)) {
                    found.put(Failure.TOO_SHORT, "stopped after " + trimmed.length() + " characters"
                            + (tokens > 0 ? " / " + tokens + " tokens" : "") + " without a complete answer");
                } else if (config.flagIncompleteStop()) {
                    if (QualityText.unclosedCodeFence(trimmed)) {
                        found.put(Failure.TRUNCATED, "stopped inside an unclosed code block");
                    } else if (QualityText.endsDangling(trimmed)) {
                        found.put(Failure.TRUNCATED, "stopped mid-sentence");
                    }
                }
            }
        }
        // a prefix must have had time to pivot ("…, but here is…") before its opening counts as a refusal
        String refusal = early && t.tokenCount() < config.earlyMinTokens() && text.length() < 80 ? null : refusal(text);
        if (refusal != null) {
            found.put(Failure.REFUSAL, "the answer is a refusal (\"" + refusal + "\")");
        }
    }

    private void checkToolCall(Transcript t, boolean early, Map<Failure, String> found) {
        String args = nonNull(t.toolArguments());
        if (args.isBlank()) {
            if (early) {
                return;
            }
            args = "{}";
        }
        checkJson(args, t, early, true, found);
    }

    private void checkJson(String subject, Transcript t, boolean early, boolean tool, Map<Failure, String> found) {
        Failure invalid = tool ? Failure.INVALID_TOOL_ARGUMENTS : Failure.INVALID_JSON;
        Failure mismatch = tool ? Failure.INVALID_TOOL_ARGUMENTS : Failure.SCHEMA_MISMATCH;
        String what = tool ? "tool arguments" : "JSON answer";
        String body = config.allowJsonCodeFence() && !tool ? JsonPrefix.stripFence(subject) : subject;
        JsonPrefix.Result r = JsonPrefix.scan(body);
        switch (r.status()) {
            case INVALID -> found.put(invalid, what + " can never be valid JSON: " + r.message());
            case INCOMPLETE -> {
                if (early) {
                    return;
                }
                if (tool) {
                    found.put(invalid, what + " are cut: " + r.message());
                    if ("length".equals(t.finishReason())) {
                        found.put(Failure.TRUNCATED, what + " cut by finish_reason length");
                    }
                } else {
                    found.put(Failure.TRUNCATED, what + " is cut (" + r.message() + ")"
                            + ("length".equals(t.finishReason()) ? " by finish_reason length" : ""));
                }
            }
            case COMPLETE -> {
                if (early) {
                    return; // more text may follow; only a broken prefix is decidable early
                }
                JsonNode value;
                try {
                    value = STRICT.readTree(body);
                } catch (Exception e) {
                    found.put(invalid, what + " is not valid JSON: " + firstLine(e.getMessage()));
                    return;
                }
                JsonExpectation ex = t.json();
                if ((ex.kind() == JsonExpectation.Kind.OBJECT || tool) && !value.isObject()) {
                    found.put(mismatch, what + " must be a JSON object, found " + value.getNodeType().name()
                            .toLowerCase());
                    return;
                }
                if (ex.kind() == JsonExpectation.Kind.SCHEMA) {
                    List<String> errors = JsonSchemaValidator.validate(ex.schema(), value);
                    if (!errors.isEmpty()) {
                        found.put(mismatch, what + " violates the schema: "
                                + String.join("; ", errors.subList(0, Math.min(3, errors.size())))
                                + (errors.size() > 3 ? " (+" + (errors.size() - 3) + " more)" : ""));
                    }
                }
            }
        }
    }

    /** The refusal phrase the answer is mostly made of, or null. */
    private String refusal(String text) {
        String norm = QualityText.normalizeForMatch(text.strip());
        if (norm.length() > config.refusalMaxChars()) {
            return null;
        }
        for (String phrase : config.refusalPhrases()) {
            int idx = norm.indexOf(phrase);
            if (idx >= 0 && idx <= config.refusalMaxOffset()) {
                String after = norm.substring(idx + phrase.length());
                for (String c : CONTRAST) {
                    if (after.contains(c)) {
                        return null; // a refusal followed by a real answer or an offer of one
                    }
                }
                return phrase;
            }
        }
        return null;
    }

    private static String nonNull(String s) {
        return s == null ? "" : s;
    }

    private static String firstLine(String s) {
        if (s == null) {
            return "parse error";
        }
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }
}
