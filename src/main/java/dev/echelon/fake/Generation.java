package dev.echelon.fake;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * One request's life in a slot, paced in real (scaled) time on the server's event loop: prompt processing, then one
 * token per decode step — or, with draft speculation, a burst of accepted tokens per target pass. Never blocks: every
 * wait is a Vert.x timer aimed at an absolute due time, so pacing does not drift.
 */
final class Generation {

    /** Receives a generation's output; called on the server's event loop. */
    interface Sink {
        /** A token was generated; {@code text} is the content released with it (may be empty while held back). */
        void onToken(Generation g, TokenStream.Planned token, String text);

        /** The generation ended (not called when cancelled). */
        void onDone(Generation g);
    }

    /** A planned speculative pass. */
    private record Pass(int drafted, int accepted) {
    }

    final FakeLlamaServer server;
    final GenRequest req;
    final Sink sink;
    final long genSeed;
    final PromptAnalysis analysis;
    final TokenStream tokens;
    final int idTask;
    /** The id of the tool call this generation writes the arguments of, or null for a text answer. */
    final String toolCallId;

    FakeLlamaServer.Slot slot;
    final List<TokenStream.Planned> emitted = new ArrayList<>();
    final StringBuilder text = new StringBuilder();
    private int released;
    private int cut = -1;
    int predicted;
    String stopType = "none";
    String stoppingWord = "";
    boolean done;
    boolean cancelled;
    int cacheN;
    int promptN;
    long tQueued;
    long tStart;
    long tFirst;
    long tLast;
    int draftN;
    int draftAccepted;
    int drafts;

    private final boolean speculate;
    private final int k;
    private final int nMin;
    private final double pMin;
    final double alpha;
    private final SplittableRandom specRandom;
    private final SplittableRandom pMinRandom;
    private long nextDue;
    private long timerId = -1;
    private Pass pass;

    Generation(FakeLlamaServer server, GenRequest req, Sink sink, int idTask) {
        this.server = server;
        this.req = req;
        this.sink = sink;
        this.idTask = idTask;
        this.tQueued = System.nanoTime();
        long effectiveSeed = req.temperature <= 0 ? 0 : server.effectiveSeed(req.seed);
        this.genSeed = Hashing.of("gen", server.options().seedSalt(), server.target().model().name(),
                req.analysisText, req.promptText, req.api == GenRequest.Api.CHAT, effectiveSeed,
                req.temperature <= 0 ? 0 : Math.round(req.temperature * 100));
        this.analysis = PromptAnalysis.of(req.analysisText, req.json || req.toolCall != null,
                server.options().seedSalt());
        TextComposer.Script script;
        if (req.toolCall != null) {
            this.toolCallId = ToolCalls.callId(genSeed);
            script = ToolCalls.script(req.toolCall, req.analysisText,
                    PromptAnalysis.severity(analysis.margin(server.capability())), genSeed);
        } else {
            this.toolCallId = null;
            script = TextComposer.compose(new TextComposer.Input(analysis, server.capability(),
                    genSeed, req.api == GenRequest.Api.CHAT, req.promptText, req.jsonSchema, req.json));
            if (req.toolPreface != null && !req.toolPreface.isEmpty() && !req.json) {
                // the answer takes the tool results up first (JSON answers stay pure JSON)
                script = new TextComposer.Script(req.toolPreface + " " + script.main(),
                        script.filler(), script.mode(), script.severity());
            }
        }
        this.tokens = new TokenStream(server.tokenizer(), script, req.ignoreEos, genSeed);
        this.speculate = server.config().draftSimple() && server.draft() != null;
        ServerConfig c = server.config();
        boolean honour = c.honourSpecRequest;
        this.k = honour && req.specNMax != null ? Math.max(0, req.specNMax) : c.specDraftNMax;
        this.nMin = honour && req.specNMin != null ? Math.max(0, req.specNMin) : c.specDraftNMin;
        this.pMin = honour && req.specPMin != null ? req.specPMin : c.specDraftPMin;
        this.alpha = c.forcedAcceptance != null ? c.forcedAcceptance : analysis.acceptanceRate(server.capability());
        this.specRandom = new SplittableRandom(Hashing.of("speculation", genSeed));
        this.pMinRandom = new SplittableRandom(Hashing.of("speculation-p-min", genSeed));
    }

    boolean speculating() {
        return speculate;
    }

    int promptTokens() {
        return req.promptTokens.size();
    }

    // ------------------------------------------------------------------ life cycle (event loop only)

    void start(FakeLlamaServer.Slot s) {
        this.slot = s;
        int n = req.promptTokens.size();
        int lcp = 0;
        if (req.cachePrompt) {
            List<Integer> cache = s.cache;
            int max = Math.min(cache.size(), n);
            while (lcp < max && cache.get(lcp).equals(req.promptTokens.get(lcp))) {
                lcp++;
            }
        }
        cacheN = Math.max(0, Math.min(lcp, n - 1));
        promptN = n - cacheN;
        tStart = System.nanoTime();
        nextDue = tStart + server.nanos(server.prefillSeconds(promptN));
        schedule(this::afterPrefill);
    }

    private void afterPrefill() {
        if (done) {
            return;
        }
        tFirst = System.nanoTime();
        server.onPromptProcessed(this);
        emitOne();
        if (!done) {
            scheduleStep();
        }
    }

    private void scheduleStep() {
        double seconds;
        pass = null;
        if (speculate) {
            pass = planPass();
            seconds = server.passSeconds(pass.drafted(), alpha);
        } else {
            seconds = server.tpotSeconds();
        }
        nextDue += server.nanos(seconds);
        schedule(this::step);
    }

    private Pass planPass() {
        int limit = Integer.MAX_VALUE;
        if (req.nPredict >= 0) {
            limit = Math.max(1, req.nPredict) - predicted;
        }
        limit = Math.min(limit, server.nCtx() - promptTokens() - predicted);
        int maxDraft = Math.min(k, limit - 1);
        if (maxDraft < 1) {
            return new Pass(0, 0);
        }
        int accepted = 0;
        while (accepted < maxDraft && specRandom.nextDouble() < alpha) {
            accepted++;
        }
        int drafted = maxDraft;
        if (pMin > 0 && accepted < maxDraft) {
            // the draft stops as soon as it is unsure; the token the target rejects is the first it is unsure of
            drafted = accepted;
            while (drafted < maxDraft && pMinRandom.nextDouble() >= pMin) {
                drafted++;
            }
        }
        if (drafted < Math.max(1, nMin)) {
            return new Pass(0, 0);
        }
        return new Pass(drafted, accepted);
    }

    private void step() {
        if (done) {
            return;
        }
        Pass p = pass;
        int n = 1;
        if (p != null && p.drafted() > 0) {
            draftN += p.drafted();
            draftAccepted += p.accepted();
            drafts++;
            server.onDraftPass(p.drafted(), p.accepted());
            n = p.accepted() + 1;
        }
        server.onDecodeCall();
        for (int i = 0; i < n && !done; i++) {
            emitOne();
        }
        if (!done) {
            scheduleStep();
        }
    }

    private void schedule(Runnable r) {
        long delayNs = nextDue - System.nanoTime();
        long ms = Math.round(delayNs / 1e6);
        if (ms >= 1) {
            timerId = server.vertx().setTimer(ms, id -> {
                timerId = -1;
                r.run();
            });
        } else {
            server.context().runOnContext(v -> r.run());
        }
    }

    private void emitOne() {
        TokenStream.Planned t = tokens.next(Math.max(req.nProbs, 0));
        predicted++;
        tLast = System.nanoTime();
        if (t.eos()) {
            finish("eos");
            return;
        }
        int before = text.length();
        text.append(server.tokenizer().piece(t.id()));
        emitted.add(t);
        int stopAt = findStop(before);
        String out;
        if (stopAt >= 0) {
            cut = stopAt;
            out = release(stopAt);
        } else {
            out = release(text.length() - heldBack());
        }
        sink.onToken(this, t, out);
        if (stopAt >= 0) {
            finish("word");
            return;
        }
        if (req.nPredict >= 0 && predicted >= Math.max(1, req.nPredict)) {
            finish("limit");
            return;
        }
        if (promptTokens() + predicted >= server.nCtx()) {
            finish("limit");
        }
    }

    private int findStop(int before) {
        int best = -1;
        for (String s : req.stop) {
            int from = Math.max(0, before - s.length() + 1);
            int at = text.indexOf(s, from);
            if (at >= 0 && (best < 0 || at < best)) {
                best = at;
                stoppingWord = s;
            }
        }
        return best;
    }

    /** Length of the text's tail that could still become a stop string. */
    private int heldBack() {
        int held = 0;
        int len = text.length();
        for (String s : req.stop) {
            for (int l = Math.min(s.length() - 1, len - released); l > held; l--) {
                if (text.substring(len - l).equals(s.substring(0, l))) {
                    held = l;
                    break;
                }
            }
        }
        return held;
    }

    private String release(int upTo) {
        if (upTo <= released) {
            return "";
        }
        String s = text.substring(released, upTo);
        released = upTo;
        return s;
    }

    /** Text not yet handed to the sink (held back for a stop string that never came). */
    String flushRemaining() {
        return release(cut >= 0 ? cut : text.length());
    }

    /** The answer's content: everything generated, up to (excluding) a matched stop string. */
    String content() {
        return cut >= 0 ? text.substring(0, cut) : text.toString();
    }

    /** Tokens whose text starts before the cut: the ones whose probabilities are reported. */
    List<TokenStream.Planned> reportedTokens() {
        if (cut < 0) {
            return emitted;
        }
        List<TokenStream.Planned> out = new ArrayList<>();
        int offset = 0;
        for (TokenStream.Planned t : emitted) {
            if (offset >= cut) {
                break;
            }
            out.add(t);
            offset += server.tokenizer().piece(t.id()).length();
        }
        return out;
    }

    private void finish(String type) {
        if (done) {
            return;
        }
        done = true;
        stopType = type;
        if (!"word".equals(type)) {
            stoppingWord = "";
        }
        cancelTimer();
        server.onGenerationDone(this);
        sink.onDone(this);
    }

    /** The client went away, or the server is stopping: stop generating and free the slot. */
    void cancel() {
        if (done) {
            return;
        }
        done = true;
        cancelled = true;
        cancelTimer();
        server.onGenerationCancelled(this);
    }

    private void cancelTimer() {
        if (timerId >= 0) {
            server.vertx().cancelTimer(timerId);
            timerId = -1;
        }
    }

    // ------------------------------------------------------------------ realised timings

    double promptMs() {
        return Math.max(0.001, (tFirst - tStart) / 1e6);
    }

    double predictedMs() {
        return Math.max(0.001, (tLast - tFirst) / 1e6);
    }

    String finishReason() {
        if ("limit".equals(stopType)) {
            return "length";
        }
        return toolCallId != null ? "tool_calls" : "stop";
    }

    /** Whether this generation writes a tool call's arguments rather than a text answer. */
    boolean toolCall() {
        return toolCallId != null;
    }
}
