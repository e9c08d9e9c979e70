package dev.echelon.fake;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.math.BigDecimal;
import java.math.MathContext;
import java.util.List;
import java.util.Locale;

/** The JSON (and Prometheus text) llama-server v0.5.0 answers with, field for field as recorded. */
final class LlamaJson {

    static final ObjectMapper MAPPER = new ObjectMapper();
    static final String BUILD_INFO = "b0-de3ff81";
    private static final JsonNodeFactory F = JsonNodeFactory.instance;

    private static final String GENERATION_SETTINGS = "{\"seed\":4294967295,\"temperature\":0.0,"
            + "\"dynatemp_range\":0.0,\"dynatemp_exponent\":1.0,\"top_k\":40,\"top_p\":0.949999988079071,"
            + "\"min_p\":0.05000000074505806,\"top_n_sigma\":-1.0,\"xtc_probability\":0.0,"
            + "\"xtc_threshold\":0.10000000149011612,\"typical_p\":1.0,\"repeat_last_n\":64,\"repeat_penalty\":1.0,"
            + "\"presence_penalty\":0.0,\"frequency_penalty\":0.0,\"dry_multiplier\":0.0,\"dry_base\":1.75,"
            + "\"dry_allowed_length\":2,\"dry_penalty_last_n\":64,\"dry_sequence_breakers\":[\"\\n\",\":\",\"\\\"\","
            + "\"*\"],\"mirostat\":0,\"mirostat_tau\":5.0,\"mirostat_eta\":0.10000000149011612,"
            + "\"adaptive_target\":-1.0,\"adaptive_decay\":0.8999999761581421,\"stop\":[],\"max_tokens\":-1,"
            + "\"n_predict\":-1,\"n_keep\":0,\"n_discard\":0,\"ignore_eos\":false,\"stream\":false,"
            + "\"logit_bias\":[],\"n_probs\":0,\"min_keep\":0,\"grammar\":\"\",\"grammar_lazy\":false,"
            + "\"grammar_triggers\":[],\"preserved_tokens\":[],\"chat_format\":\"Content-only\","
            + "\"reasoning_format\":\"deepseek\",\"reasoning_in_content\":false,\"generation_prompt\":\"\","
            + "\"samplers\":[\"penalties\",\"dry\",\"top_n_sigma\",\"top_k\",\"typ_p\",\"top_p\",\"min_p\",\"xtc\","
            + "\"temperature\"],\"speculative.types\":\"none\",\"timings_per_token\":false,"
            + "\"post_sampling_probs\":false,\"backend_sampling\":false,\"lora\":[]}";

    /** Keys of the generation settings that the slot/props "params" object leaves out. */
    private static final List<String> NOT_IN_PARAMS = List.of("dry_sequence_breakers", "stop", "logit_bias",
            "grammar", "grammar_lazy", "grammar_triggers", "preserved_tokens");

    private static final ObjectNode SETTINGS_TEMPLATE = (ObjectNode) parse(GENERATION_SETTINGS);

    private LlamaJson() {
    }

    private static JsonNode parse(String s) {
        try {
            return MAPPER.readTree(s);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    static String write(JsonNode node) {
        try {
            return MAPPER.writeValueAsString(node);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    static ObjectNode error(int code, String message, String type) {
        ObjectNode root = F.objectNode();
        ObjectNode e = root.putObject("error");
        e.put("code", code);
        e.put("message", message);
        e.put("type", type);
        return root;
    }

    static ObjectNode error(ApiError err) {
        ObjectNode root = error(err.code, err.getMessage(), err.type);
        if (err.promptTokens != null) {
            ((ObjectNode) root.get("error")).put("n_prompt_tokens", err.promptTokens);
            ((ObjectNode) root.get("error")).put("n_ctx", err.nCtx);
        }
        return root;
    }

    private static double f32(double v) {
        return (double) (float) v;
    }

    /** The {@code generation_settings} object of a completion result. */
    static ObjectNode generationSettings(GenRequest r, ServerConfig c) {
        ObjectNode s = SETTINGS_TEMPLATE.deepCopy();
        s.put("seed", r.seed);
        s.put("temperature", f32(r.temperature));
        s.put("top_k", r.topK);
        s.put("top_p", f32(r.topP));
        s.put("min_p", f32(r.minP));
        s.set("stop", r.stopArray());
        s.put("max_tokens", r.nPredict);
        s.put("n_predict", r.nPredict);
        s.put("ignore_eos", r.ignoreEos);
        s.put("stream", r.stream);
        s.put("n_probs", r.nProbs);
        s.put("grammar", r.grammar == null ? "" : r.grammar);
        if (r.api == GenRequest.Api.CHAT) {
            s.put("chat_format", "peg-native");
            s.put("generation_prompt", r.generationPrompt);
        }
        s.put("speculative.types", c.specTypesString());
        s.put("post_sampling_probs", r.postSamplingProbs);
        return s;
    }

    /** The {@code params} object of /slots and /props. */
    static ObjectNode params(GenRequest r, ServerConfig c) {
        ObjectNode s = generationSettings(r, c);
        NOT_IN_PARAMS.forEach(s::remove);
        return s;
    }

    static ObjectNode defaultParams(ServerConfig c) {
        GenRequest r = new GenRequest();
        r.api = GenRequest.Api.COMPLETION;
        r.nPredict = c.nPredict;
        ObjectNode p = params(r, c);
        p.put("reasoning_format", "none");
        return p;
    }

    static ObjectNode timings(Generation g) {
        ObjectNode t = F.objectNode();
        double pms = g.promptMs();
        t.put("cache_n", g.cacheN);
        t.put("prompt_n", g.promptN);
        t.put("prompt_ms", round3(pms));
        t.put("prompt_per_token_ms", g.promptN > 0 ? pms / g.promptN : 0.0);
        t.put("prompt_per_second", g.promptN > 0 ? 1000.0 * g.promptN / pms : 0.0);
        double ms = g.predictedMs();
        int n = g.predicted;
        t.put("predicted_n", n);
        t.put("predicted_ms", round3(ms));
        t.put("predicted_per_token_ms", n > 1 ? ms / (n - 1) : 0.0);
        t.put("predicted_per_second", n > 1 ? 1000.0 * (n - 1) / ms : 0.0);
        if (g.speculating()) {
            t.put("draft_n", g.draftN);
            t.put("draft_n_accepted", g.draftAccepted);
        }
        return t;
    }

    private static double round3(double v) {
        return Math.round(v * 1000.0) / 1000.0;
    }

    static ArrayNode bytes(byte[] b) {
        ArrayNode a = F.arrayNode();
        for (byte x : b) {
            a.add(x & 0xff);
        }
        return a;
    }

    /** One entry of {@code completion_probabilities} / {@code logprobs.content}. */
    static ObjectNode probEntry(Tokenizer tok, TokenStream.Planned t, int nProbs, boolean post) {
        ObjectNode e = F.objectNode();
        e.put("id", t.id());
        e.put("token", tok.piece(t.id()));
        e.set("bytes", bytes(tok.bytes(t.id())));
        if (post) {
            e.put("prob", Math.exp(t.logprob()));
        } else {
            e.put("logprob", t.logprob());
        }
        ArrayNode top = e.putArray(post ? "top_probs" : "top_logprobs");
        for (TokenStream.Candidate c : t.top().subList(0, Math.min(nProbs, t.top().size()))) {
            ObjectNode x = top.addObject();
            x.put("id", c.id());
            x.put("token", tok.piece(c.id()));
            x.set("bytes", bytes(tok.bytes(c.id())));
            if (post) {
                x.put("prob", Math.exp(c.logprob()));
            } else {
                x.put("logprob", c.logprob());
            }
        }
        return e;
    }

    static ArrayNode probs(Tokenizer tok, List<TokenStream.Planned> tokens, int nProbs, boolean post) {
        ArrayNode a = F.arrayNode();
        for (TokenStream.Planned t : tokens) {
            a.add(probEntry(tok, t, nProbs, post));
        }
        return a;
    }

    /** A partial /completion stream event. */
    static ObjectNode completionChunk(Generation g, TokenStream.Planned t, String text) {
        ObjectNode o = F.objectNode();
        o.put("index", 0);
        o.put("content", text);
        o.putArray("tokens").add(t.id());
        o.put("stop", false);
        o.put("id_slot", -1);
        o.put("tokens_predicted", g.predicted);
        o.put("tokens_evaluated", g.promptTokens());
        if (g.req.nProbs > 0) {
            o.putArray("completion_probabilities")
                    .add(probEntry(g.server.tokenizer(), t, g.req.nProbs, g.req.postSamplingProbs));
        }
        return o;
    }

    /** The final /completion result (the whole answer, or the closing stream event with empty content). */
    static ObjectNode completionFinal(Generation g, boolean streamEnd) {
        FakeLlamaServer s = g.server;
        ObjectNode o = F.objectNode();
        o.put("index", 0);
        o.put("content", streamEnd ? "" : g.content());
        ArrayNode toks = o.putArray("tokens");
        if (!streamEnd && g.req.returnTokens) {
            for (TokenStream.Planned t : g.reportedTokens()) {
                toks.add(t.id());
            }
        }
        o.put("id_slot", g.slot == null ? 0 : g.slot.id);
        o.put("stop", true);
        o.put("model", s.modelName());
        o.put("tokens_predicted", g.predicted);
        o.put("tokens_evaluated", g.promptTokens());
        o.set("generation_settings", generationSettings(g.req, s.config()));
        o.put("prompt", s.tokenizer().detokenize(g.req.promptTokens));
        o.put("has_new_line", g.content().indexOf('\n') >= 0);
        o.put("truncated", false);
        o.put("stop_type", g.stopType);
        o.put("stopping_word", g.stoppingWord);
        o.put("tokens_cached", g.promptTokens() + g.emitted.size());
        o.set("timings", timings(g));
        if (!streamEnd && g.req.nProbs > 0) {
            o.set("completion_probabilities",
                    probs(s.tokenizer(), g.reportedTokens(), g.req.nProbs, g.req.postSamplingProbs));
        }
        return o;
    }

    static ObjectNode usage(Generation g) {
        ObjectNode u = F.objectNode();
        u.put("completion_tokens", g.predicted);
        u.put("prompt_tokens", g.promptTokens());
        u.put("total_tokens", g.predicted + g.promptTokens());
        u.putObject("prompt_tokens_details").put("cached_tokens", g.cacheN);
        return u;
    }

    private static void oaiTail(ObjectNode o, Generation g, String object, String id, long created) {
        o.put("created", created);
        o.put("id", id);
        o.put("model", g.server.modelName());
        o.put("system_fingerprint", BUILD_INFO);
        o.put("object", object);
    }

    /** Non-streamed /v1/chat/completions. */
    static ObjectNode chat(Generation g, String id, long created) {
        ObjectNode o = F.objectNode();
        ObjectNode c = o.putArray("choices").addObject();
        c.put("finish_reason", g.finishReason());
        c.put("index", 0);
        ObjectNode msg = c.putObject("message");
        msg.put("role", "assistant");
        if (g.toolCall()) {
            msg.putNull("content");
            ObjectNode call = msg.putArray("tool_calls").addObject();
            call.put("id", g.toolCallId);
            call.put("type", "function");
            ObjectNode fn = call.putObject("function");
            fn.put("name", g.req.toolCall.name());
            fn.put("arguments", g.content());
        } else {
            msg.put("content", g.content());
        }
        if (g.req.chatLogprobs) {
            c.putObject("logprobs").set("content",
                    probs(g.server.tokenizer(), g.reportedTokens(), g.req.nProbs, false));
        }
        o.put("created", created);
        o.put("model", g.server.modelName());
        o.put("system_fingerprint", BUILD_INFO);
        o.put("object", "chat.completion");
        o.set("usage", usage(g));
        o.put("id", id);
        o.set("timings", timings(g));
        return o;
    }

    static ObjectNode chatChunk(Generation g, String id, long created, ObjectNode delta, String finishReason,
            TokenStream.Planned t) {
        ObjectNode o = F.objectNode();
        ObjectNode c = o.putArray("choices").addObject();
        if (finishReason == null) {
            c.putNull("finish_reason");
        } else {
            c.put("finish_reason", finishReason);
        }
        c.put("index", 0);
        c.set("delta", delta);
        if (t != null && g.req.chatLogprobs) {
            c.putObject("logprobs").putArray("content")
                    .add(probEntry(g.server.tokenizer(), t, g.req.nProbs, false));
        }
        oaiTail(o, g, "chat.completion.chunk", id, created);
        return o;
    }

    static ObjectNode chatRoleDelta() {
        ObjectNode d = F.objectNode();
        d.put("role", "assistant");
        d.putNull("content");
        return d;
    }

    /** The stream delta that opens a tool call: its index, id, type and name, with empty arguments. */
    static ObjectNode toolCallStartDelta(Generation g) {
        ObjectNode d = F.objectNode();
        ObjectNode call = d.putArray("tool_calls").addObject();
        call.put("index", 0);
        call.put("id", g.toolCallId);
        call.put("type", "function");
        ObjectNode fn = call.putObject("function");
        fn.put("name", g.req.toolCall.name());
        fn.put("arguments", "");
        return d;
    }

    /** A stream delta carrying the next fragment of a tool call's arguments. */
    static ObjectNode toolArgumentsDelta(String fragment) {
        ObjectNode d = F.objectNode();
        d.putArray("tool_calls").addObject().put("index", 0).putObject("function").put("arguments", fragment);
        return d;
    }

    static ObjectNode contentDelta(String text) {
        ObjectNode d = F.objectNode();
        d.put("content", text);
        return d;
    }

    static ObjectNode chatUsageChunk(Generation g, String id, long created) {
        ObjectNode o = F.objectNode();
        o.putArray("choices");
        oaiTail(o, g, "chat.completion.chunk", id, created);
        o.set("usage", usage(g));
        o.set("timings", timings(g));
        return o;
    }

    /** Non-streamed /v1/completions. */
    static ObjectNode oaiCompletion(Generation g, String id, long created) {
        ObjectNode o = F.objectNode();
        ObjectNode c = o.putArray("choices").addObject();
        c.put("text", g.content());
        c.put("index", 0);
        if (g.req.nProbs > 0) {
            c.putObject("logprobs").set("content",
                    probs(g.server.tokenizer(), g.reportedTokens(), g.req.nProbs, false));
        } else {
            c.putNull("logprobs");
        }
        c.put("finish_reason", g.finishReason());
        o.put("created", created);
        o.put("model", g.server.modelName());
        o.put("system_fingerprint", BUILD_INFO);
        o.put("object", "text_completion");
        o.set("usage", usage(g));
        o.put("id", id);
        o.set("timings", timings(g));
        return o;
    }

    static ObjectNode oaiCompletionChunk(Generation g, String id, long created, String text, String finishReason,
            TokenStream.Planned t) {
        ObjectNode o = F.objectNode();
        ObjectNode c = o.putArray("choices").addObject();
        c.put("text", text);
        c.put("index", 0);
        if (t != null && g.req.nProbs > 0) {
            c.putObject("logprobs").putArray("content")
                    .add(probEntry(g.server.tokenizer(), t, g.req.nProbs, false));
        } else {
            c.putNull("logprobs");
        }
        if (finishReason == null) {
            c.putNull("finish_reason");
        } else {
            c.put("finish_reason", finishReason);
        }
        oaiTail(o, g, "text_completion", id, created);
        if (finishReason != null) {
            o.set("usage", usage(g));
            o.set("timings", timings(g));
        }
        return o;
    }

    // ------------------------------------------------------------------ server-level documents

    static ObjectNode props(FakeLlamaServer s) {
        ServerConfig c = s.config();
        ObjectNode o = F.objectNode();
        ObjectNode dgs = o.putObject("default_generation_settings");
        dgs.set("params", defaultParams(c));
        dgs.put("n_ctx", s.nCtx());
        o.put("total_slots", s.slotCount());
        o.put("model_alias", s.modelName());
        o.put("model_ftype", ftype(s.target().variant().quant()));
        o.put("model_path", c.model);
        ObjectNode mod = o.putObject("modalities");
        mod.put("vision", false);
        mod.put("video", false);
        mod.put("audio", false);
        o.put("media_marker", "<__media_" + s.mediaMarker() + "__>");
        o.put("endpoint_slots", c.slots);
        o.put("endpoint_props", c.props);
        o.put("endpoint_metrics", c.metrics);
        o.put("ui", true);
        o.putObject("ui_settings");
        o.put("chat_template", ChatTemplate.JINJA);
        ObjectNode caps = o.putObject("chat_template_caps");
        caps.put("supports_object_arguments", false);
        caps.put("supports_parallel_tool_calls", false);
        caps.put("supports_preserve_reasoning", false);
        caps.put("supports_reasoning_effort", false);
        caps.put("supports_string_content", true);
        caps.put("supports_system_role", true);
        caps.put("supports_tool_calls", false);
        caps.put("supports_tools", false);
        caps.put("supports_typed_content", false);
        o.put("bos_token", Tokenizer.BOS_TEXT);
        o.put("eos_token", Tokenizer.EOS_TEXT);
        o.put("build_info", BUILD_INFO);
        o.put("is_sleeping", false);
        o.put("cors_proxy_enabled", false);
        return o;
    }

    static String ftype(String quant) {
        return quant == null || quant.isBlank() ? "unknown" : quant.toUpperCase(Locale.ROOT);
    }

    static ObjectNode models(FakeLlamaServer s) {
        ObjectNode o = F.objectNode();
        ObjectNode m = o.putArray("models").addObject();
        m.put("name", s.modelName());
        m.put("model", s.modelName());
        m.put("modified_at", "");
        m.put("size", "");
        m.put("digest", "");
        m.put("type", "model");
        m.put("description", "");
        m.putArray("tags").add("");
        m.putArray("capabilities").add("completion");
        m.put("parameters", "");
        ObjectNode d = m.putObject("details");
        d.put("parent_model", "");
        d.put("format", "gguf");
        d.put("family", "");
        d.putArray("families").add("");
        d.put("parameter_size", "");
        d.put("quantization_level", "");
        o.put("object", "list");
        ObjectNode e = o.putArray("data").addObject();
        e.put("id", s.modelName());
        ArrayNode aliases = e.putArray("aliases");
        if (s.config().aliases.isEmpty()) {
            aliases.add(s.modelName());
        } else {
            s.config().aliases.forEach(aliases::add);
        }
        e.putArray("tags");
        e.put("object", "model");
        e.put("created", s.createdEpochSeconds());
        e.put("owned_by", "llamacpp");
        ObjectNode meta = e.putObject("meta");
        long bytes = s.target().variant().bytes();
        long params = (long) (bytes * 8 / bitsPerWeight(s.target().variant().quant()));
        int layers = Math.max(1, s.target().variant().layers());
        meta.put("vocab_type", 1);
        meta.put("n_vocab", Tokenizer.N_VOCAB);
        meta.put("n_ctx", s.nCtx());
        meta.put("n_ctx_train", s.contextTrain());
        meta.put("n_embd", Math.max(64, (int) (Math.round(Math.sqrt(params / (12.0 * layers)) / 64.0) * 64)));
        meta.put("n_params", params);
        meta.put("size", bytes);
        meta.put("ftype", ftype(s.target().variant().quant()));
        return o;
    }

    static double bitsPerWeight(String quant) {
        String q = quant == null ? "" : quant.toUpperCase(Locale.ROOT);
        if (q.startsWith("F32")) {
            return 32;
        }
        if (q.startsWith("F16") || q.startsWith("BF16")) {
            return 16;
        }
        if (q.startsWith("Q8")) {
            return 8.5;
        }
        if (q.startsWith("Q6")) {
            return 6.6;
        }
        if (q.startsWith("Q5")) {
            return 5.5;
        }
        if (q.startsWith("Q4") || q.startsWith("IQ4")) {
            return 4.8;
        }
        if (q.startsWith("Q3") || q.startsWith("IQ3")) {
            return 3.9;
        }
        if (q.startsWith("Q2") || q.startsWith("IQ2")) {
            return 3.0;
        }
        return 4.8;
    }

    static ArrayNode slots(FakeLlamaServer s) {
        ArrayNode a = F.arrayNode();
        for (FakeLlamaServer.Slot slot : s.slots()) {
            Generation g = slot.task;
            ObjectNode o = a.addObject();
            o.put("id", slot.id);
            o.put("n_ctx", s.nCtx());
            o.put("speculative", s.config().draftSimple());
            o.put("is_processing", g != null);
            o.put("id_task", slot.idTask);
            o.put("n_prompt_tokens", slot.nPromptTokens);
            o.put("n_prompt_tokens_processed", g != null ? g.promptN : 0);
            o.put("n_prompt_tokens_cache", g != null ? g.cacheN : 0);
            o.set("params", slot.lastRequest == null ? defaultParams(s.config()) : params(slot.lastRequest,
                    s.config()));
            ObjectNode nt = o.putArray("next_token").addObject();
            nt.put("has_next_token", g != null);
            nt.put("has_new_line", g != null && g.content().indexOf('\n') >= 0);
            nt.put("n_remain", g != null && g.req.nPredict >= 0 ? Math.max(0, g.req.nPredict - g.predicted) : -1);
            nt.put("n_decoded", g != null ? g.predicted : 0);
        }
        return a;
    }

    /** llama-server's Prometheus exposition. */
    static String metrics(FakeLlamaServer s) {
        FakeLlamaServer.Counters c = s.counters();
        StringBuilder sb = new StringBuilder();
        metric(sb, "prompt_tokens_total", "counter", "Number of prompt tokens processed, excluding cached tokens",
                c.promptTokens);
        metric(sb, "prompt_tokens_cached_total", "counter", "Number of prompt tokens reused from the cache",
                c.cachedTokens);
        metric(sb, "prompt_seconds_total", "counter", "Total time spent processing prompts", c.promptSeconds);
        metric(sb, "tokens_predicted_total", "counter", "Number of generation tokens processed", c.predictedTokens);
        metric(sb, "tokens_predicted_seconds_total", "counter", "Total time spent generating tokens",
                c.predictedSeconds);
        metric(sb, "n_decode_total", "counter", "Total number of llama_decode() calls, excluding speculative "
                + "decoding and multimodal decoding", c.decodeCalls);
        metric(sb, "n_tokens_max", "counter", "Largest observed sequence length (prompt + generation)",
                c.tokensMax);
        metric(sb, "spec_decode_num_draft_tokens_total", "counter", "Speculative: Total draft tokens generated",
                c.draftTokens);
        metric(sb, "spec_decode_num_accepted_tokens_total", "counter",
                "Speculative: Total draft tokens accepted by the target model", c.acceptedTokens);
        metric(sb, "spec_decode_num_drafts_total", "counter",
                "Speculative: Total speculative decoding verification steps", c.drafts);
        metric(sb, "prompt_tokens_seconds", "gauge", "Average prompt throughput in tokens/s",
                c.promptSeconds > 0 ? c.promptTokens / c.promptSeconds : 0);
        metric(sb, "predicted_tokens_seconds", "gauge", "Average generation throughput in tokens/s",
                c.predictedSeconds > 0 ? c.predictedTokens / c.predictedSeconds : 0);
        metric(sb, "requests_processing", "gauge", "Number of requests processing", s.activeCount());
        metric(sb, "requests_deferred", "gauge", "Number of requests deferred", s.queuedCount());
        metric(sb, "n_busy_slots_per_decode", "gauge", "Average number of busy slots per llama_decode() call",
                c.decodeCalls > 0 ? (double) c.busySlotSum / c.decodeCalls : 0);
        if (s.config().draftSimple()) {
            String name = "llamacpp:spec_decode_num_accepted_tokens_per_pos_total";
            sb.append("# HELP ").append(name).append(" Accepted tokens per draft position\n");
            sb.append("# TYPE ").append(name).append(" counter\n");
            long[] perPos = c.acceptedPerPosition;
            for (int i = 0; i < perPos.length; i++) {
                sb.append(name).append("{position=\"").append(i).append("\"} ").append(perPos[i]).append('\n');
            }
        }
        return sb.toString();
    }

    private static void metric(StringBuilder sb, String name, String type, String help, double value) {
        String full = "llamacpp:" + name;
        sb.append("# HELP ").append(full).append(' ').append(help).append('\n');
        sb.append("# TYPE ").append(full).append(' ').append(type).append('\n');
        sb.append(full).append(' ').append(number(value)).append('\n');
    }

    static String number(double v) {
        if (Double.isNaN(v) || Double.isInfinite(v)) {
            return "0";
        }
        if (v == Math.rint(v) && Math.abs(v) < 1e15) {
            return Long.toString((long) v);
        }
        return new BigDecimal(v).round(new MathContext(6)).stripTrailingZeros().toPlainString();
    }
}
