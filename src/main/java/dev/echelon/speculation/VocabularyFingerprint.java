package dev.echelon.speculation;

import dev.echelon.backend.LlamaServerClient;
import dev.echelon.backend.ModelList;
import dev.echelon.backend.Props;
import dev.echelon.backend.TokenizeResult;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What a server says about its vocabulary: from {@code /v1/models} its vocabulary type and size, from {@code /props}
 * its BOS and EOS tokens, and from {@code /tokenize} the token ids of probe strings (plain words, code, numbers,
 * whitespace, non-Latin script and an emoji — where tokenizers of different families part ways). A draft can only
 * help a target whose fingerprint is the same: llama-server verifies draft token ids against the target's.
 */
public record VocabularyFingerprint(Integer vocabType, Integer vocabSize, String bos, String eos,
        Map<String, List<Integer>> probes) {

    static final List<String> PROBES = List.of(
            "The quick brown fox jumps over the lazy dog.",
            "def fibonacci(n):\n    return n if n < 2 else fibonacci(n - 1) + fibonacci(n - 2)",
            "SELECT id, name FROM users WHERE created_at > '2026-01-01';",
            "3.14159 × 2 = 6.28318; 1,024 KiB = 1 MiB",
            "    \t\n  indented   text  ",
            "Größenordnung, naïve café — 東京は日本の首都です。",
            "emoji 🚀 and symbols <|im_start|> {\"key\": [1, 2]}");

    public VocabularyFingerprint {
        probes = Map.copyOf(probes);
    }

    /** Asks {@code server} for its fingerprint. */
    public static VocabularyFingerprint of(LlamaServerClient server) {
        ModelList.Meta meta = server.models().first().map(ModelList.Model::meta).orElse(null);
        Integer type = meta == null ? null : meta.vocabType();
        Integer size = meta == null ? null : meta.nVocab();
        Props props = server.props();
        Map<String, List<Integer>> ids = new LinkedHashMap<>();
        for (String p : PROBES) {
            TokenizeResult t = server.tokenize(p, false, false);
            ids.put(p, List.copyOf(t.ids()));
        }
        return new VocabularyFingerprint(type, size, props.bosToken(), props.eosToken(), ids);
    }

    /** Every way {@code draft} differs from this (target) fingerprint; empty when they are compatible. */
    public List<String> differences(VocabularyFingerprint draft) {
        List<String> out = new ArrayList<>();
        if (vocabType != null && draft.vocabType != null && !vocabType.equals(draft.vocabType)) {
            out.add("vocabulary type " + vocabType + " vs " + draft.vocabType);
        }
        if (vocabSize != null && draft.vocabSize != null && !vocabSize.equals(draft.vocabSize)) {
            out.add("vocabulary size " + vocabSize + " vs " + draft.vocabSize);
        }
        if (!Objects.equals(bos, draft.bos)) {
            out.add("BOS token " + quote(bos) + " vs " + quote(draft.bos));
        }
        if (!Objects.equals(eos, draft.eos)) {
            out.add("EOS token " + quote(eos) + " vs " + quote(draft.eos));
        }
        int differing = 0;
        String example = null;
        for (String p : PROBES) {
            List<Integer> a = probes.get(p);
            List<Integer> b = draft.probes.get(p);
            if (!Objects.equals(a, b)) {
                differing++;
                if (example == null) {
                    example = quote(p.length() > 30 ? p.substring(0, 30) + "…" : p) + " → " + shorten(a) + " vs "
                            + shorten(b);
                }
            }
        }
        if (differing > 0) {
            out.add(differing + " of " + PROBES.size() + " probe strings tokenize differently, e.g. " + example);
        }
        return out;
    }

    private static String shorten(List<Integer> ids) {
        if (ids == null) {
            return "none";
        }
        return ids.size() <= 6 ? ids.toString() : ids.subList(0, 6).toString().replace("]", ", …]");
    }

    private static String quote(String s) {
        return s == null ? "none" : "\"" + s.replace("\n", "\\n").replace("\t", "\\t") + "\"";
    }
}
