package dev.echelon.quality;

import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Watches a generation token by token after the hold-back window has released the stream to the client, and
 * detects a runaway: a repetition loop at the tail (a block of words repeated back to back, see
 * {@link GateConfig#repeatMinCount()}), or, over a sliding window of {@link GateConfig#monitorWindow()} tokens, a
 * confidence explosion (mean log-probability or entropy beyond the monitor thresholds) or an entropy collapse
 * (near-zero entropy over a window of few distinct tokens). The first failure is returned once, by the call that
 * detects it, so the caller can stop the stream and report an honest finish; later calls return empty and
 * {@link #failure()} keeps it.
 *
 * <p>Feed either {@link #onToken} (one log-probability entry per generated token; its text is used) or
 * {@link #onText} (content pieces without log-probabilities), not both for the same text. O(window + maxPeriod) per
 * token at most; not thread-safe.
 */
public final class GenerationMonitor {

    private final GateConfig config;
    private final LoopDetector loop;
    private final QualityText.UnitSplitter splitter = new QualityText.UnitSplitter();
    private final int window;
    private final double[] lp;
    private final double[] ent;
    private final int[] alts;
    private final String[] tok;
    private final Map<String, Integer> freq = new HashMap<>();
    private double sumLp;
    private int nLp;
    private double sumEnt;
    private int nEnt;
    private long sumAlts;
    private int filled;
    private long tokens;
    private Failure failure;
    private String reason = "";

    public GenerationMonitor(GateConfig config) {
        this.config = Objects.requireNonNull(config, "config");
        this.loop = new LoopDetector(config);
        this.window = config.monitorWindow();
        this.lp = new double[window];
        this.ent = new double[window];
        this.alts = new int[window];
        this.tok = new String[window];
    }

    public GenerationMonitor() {
        this(GateConfig.DEFAULT);
    }

    /** Feeds one generated token with its log-probabilities; returns a failure the first time one is detected. */
    public Optional<Failure> onToken(TokenLogprob token) {
        Objects.requireNonNull(token, "token");
        if (failure != null) {
            splitter.feed(token.token(), loop);
            return Optional.empty();
        }
        slide(token);
        splitter.feed(token.token(), loop);
        return check();
    }

    /** Feeds a piece of generated text without log-probabilities; returns a failure the first time one is detected. */
    public Optional<Failure> onText(String piece) {
        if (piece == null || piece.isEmpty()) {
            return Optional.empty();
        }
        splitter.feed(piece, loop);
        return failure != null ? Optional.empty() : check();
    }

    /** The failure detected so far, if any (sticky). */
    public Optional<Failure> failure() {
        return Optional.ofNullable(failure);
    }

    /** What was detected, in words; empty while nothing was. */
    public String reason() {
        return reason;
    }

    /** Tokens fed through {@link #onToken}. */
    public long tokensSeen() {
        return tokens;
    }

    private void slide(TokenLogprob t) {
        int slot = (int) (tokens % window);
        if (filled == window) {
            if (!Double.isNaN(lp[slot])) {
                sumLp -= lp[slot];
                nLp--;
            }
            if (!Double.isNaN(ent[slot])) {
                sumEnt -= ent[slot];
                nEnt--;
            }
            sumAlts -= alts[slot];
            freq.computeIfPresent(tok[slot], (k, v) -> v == 1 ? null : v - 1);
        } else {
            filled++;
        }
        double l = t.hasLogprob() ? Math.max(ConfidenceStats.FLOOR, Math.min(0.0, t.logprob())) : Double.NaN;
        double h = t.entropyEstimate();
        lp[slot] = l;
        ent[slot] = h;
        alts[slot] = t.top().size();
        tok[slot] = t.token();
        if (!Double.isNaN(l)) {
            sumLp += l;
            nLp++;
        }
        if (!Double.isNaN(h)) {
            sumEnt += h;
            nEnt++;
        }
        sumAlts += alts[slot];
        freq.merge(t.token(), 1, Integer::sum);
        tokens++;
    }

    private Optional<Failure> check() {
        if (loop.looping()) {
            return fire(Failure.REPETITION, "a block of " + loop.loopPeriod() + " words repeats back to back");
        }
        if (filled < window) {
            return Optional.empty();
        }
        if (nLp >= window * 3 / 4) {
            double mean = sumLp / nLp;
            if (mean < config.monitorMinMeanLogprob()) {
                return fire(Failure.LOW_CONFIDENCE, String.format(
                        "mean logprob %.2f < %.2f over the last %d tokens", mean, config.monitorMinMeanLogprob(), nLp));
            }
        }
        if (nEnt >= window / 2) {
            double meanEnt = sumEnt / nEnt;
            double meanAlts = (double) sumAlts / filled;
            if (meanAlts >= config.entropyMinAlternatives() && meanEnt > config.monitorMaxMeanEntropy()) {
                return fire(Failure.LOW_CONFIDENCE, String.format(
                        "mean entropy %.2f > %.2f nats over the last %d tokens", meanEnt,
                        config.monitorMaxMeanEntropy(), nEnt));
            }
            double distinct = (double) freq.size() / filled;
            if (meanEnt < config.monitorCollapseEntropy() && distinct < config.monitorCollapseDistinctRatio()) {
                return fire(Failure.REPETITION, String.format(
                        "entropy collapsed to %.3f nats over %d tokens with %d distinct tokens", meanEnt, filled,
                        freq.size()));
            }
        }
        return Optional.empty();
    }

    private Optional<Failure> fire(Failure f, String why) {
        failure = f;
        reason = why;
        return Optional.of(f);
    }
}
