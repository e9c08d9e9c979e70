package dev.echelon.quality;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Crafted texts and token streams for the quality tests. */
final class Samples {

    static final ObjectMapper JSON = new ObjectMapper();

    private Samples() {
    }

    static final String PROSE = """
            TCP congestion control keeps a sender from overwhelming the network. The sender maintains a congestion \
            window that limits how many bytes may be in flight before an acknowledgement arrives. During slow start \
            the window doubles every round trip, which lets a new connection find the available bandwidth quickly. \
            When a packet is lost, the sender takes it as a sign of congestion and halves the window; from then on it \
            grows by roughly one segment per round trip, a phase called congestion avoidance.

            Modern stacks refine this scheme in several ways. CUBIC, the default on Linux, grows the window as a cubic \
            function of the time since the last loss, so it recovers quickly on long fat networks without being too \
            aggressive near the previous limit. BBR takes a different approach altogether: instead of reacting to \
            loss, it estimates the bottleneck bandwidth and the minimum round-trip time, and paces packets to match \
            their product. This keeps queues short, which lowers latency for interactive traffic.

            In practice the choice depends on the path. On a data-center fabric with shallow buffers, DCTCP uses ECN \
            marks to react before queues overflow. On the public Internet, BBR often improves throughput on lossy \
            wireless links, while CUBIC remains a safe default. Whatever the algorithm, measuring goodput, \
            retransmission rate and queueing delay under realistic load is the only reliable way to compare them.
            """;

    static final String CODE = """
            Here is a small Java class that keeps per-key counters:

            ```java
            public final class Counters {
                private final Map<String, Long> counts = new HashMap<>();

                public void increment(String key) {
                    counts.merge(key, 1L, Long::sum);
                }

                public long get(String key) {
                    return counts.getOrDefault(key, 0L);
                }

                public void reset(String key) {
                    counts.remove(key);
                }

                public Set<String> keys() {
                    return Collections.unmodifiableSet(counts.keySet());
                }
            }
            ```

            Each method is O(1) on average, and the class is not thread-safe; wrap it or use a ConcurrentHashMap with \
            LongAdder values when several threads update it.
            """;

    static final String TABLE = """
            | Algorithm | Signal | Strength | Weakness |
            |-----------|--------|----------|----------|
            | Reno | loss | simple | slow on long paths |
            | CUBIC | loss | fast recovery | fills buffers |
            | BBR | bandwidth and RTT | low queues | unfair to Reno |
            | DCTCP | ECN marks | shallow buffers | needs ECN support |
            | Vegas | delay | low latency | loses to loss-based flows |
            """;

    static final String JSON_ARRAY = """
            [{"id": 1, "name": "alpha", "active": true, "role": "admin"}, \
            {"id": 2, "name": "beta", "active": true, "role": "admin"}, \
            {"id": 3, "name": "gamma", "active": true, "role": "admin"}, \
            {"id": 4, "name": "delta", "active": true, "role": "admin"}, \
            {"id": 5, "name": "epsilon", "active": true, "role": "admin"}, \
            {"id": 6, "name": "zeta", "active": true, "role": "admin"}, \
            {"id": 7, "name": "eta", "active": true, "role": "admin"}, \
            {"id": 8, "name": "theta", "active": true, "role": "admin"}]""";

    /** The longest run of whole sentences of {@link #PROSE} within {@code maxChars}. */
    static String sentences(int maxChars) {
        int end = PROSE.lastIndexOf(". ", maxChars);
        return PROSE.substring(0, end + 1);
    }

    private static final Pattern TOKEN = Pattern.compile("\\s*[\\p{L}\\p{N}_]+|\\s*[^\\s\\p{L}\\p{N}_]|\\s+");

    /** Splits text into word-like tokens whose concatenation is the text. */
    static List<String> split(String text) {
        List<String> out = new ArrayList<>();
        Matcher m = TOKEN.matcher(text);
        int end = 0;
        while (m.find()) {
            if (m.start() != end) {
                throw new IllegalStateException("gap at " + end);
            }
            out.add(m.group());
            end = m.end();
        }
        if (end != text.length()) {
            throw new IllegalStateException("unmatched tail");
        }
        return out;
    }

    /** Tokens of a capable model: chosen log-probabilities mostly above -0.6, a clear favourite among 5. */
    static List<TokenLogprob> confident(String text, long seed) {
        Random r = new Random(seed);
        List<TokenLogprob> out = new ArrayList<>();
        for (String tok : split(text)) {
            double lp = r.nextInt(20) == 0 ? -1.0 - r.nextDouble() : -0.6 * r.nextDouble() * r.nextDouble();
            out.add(withAlternatives(tok, lp, r, false));
        }
        return out;
    }

    /** Tokens of an overmatched model: chosen log-probabilities around -2.7, flat alternatives. */
    static List<TokenLogprob> unsure(String text, long seed) {
        Random r = new Random(seed);
        List<TokenLogprob> out = new ArrayList<>();
        for (String tok : split(text)) {
            double lp = -0.5 - 4.5 * r.nextDouble();
            out.add(withAlternatives(tok, lp, r, true));
        }
        return out;
    }

    /** Tokens with a fixed log-probability each and no alternatives. */
    static List<TokenLogprob> fixed(String text, double logprob) {
        List<TokenLogprob> out = new ArrayList<>();
        for (String tok : split(text)) {
            out.add(TokenLogprob.of(tok, logprob));
        }
        return out;
    }

    private static TokenLogprob withAlternatives(String tok, double lp, Random r, boolean flat) {
        List<TokenLogprob.Alternative> top = new ArrayList<>();
        double chosenP = Math.exp(lp);
        double rest = Math.max(0.0, 1.0 - chosenP);
        top.add(new TokenLogprob.Alternative(tok, lp));
        for (int i = 0; i < 4; i++) {
            double share = flat ? rest * 0.2 : rest * Math.pow(0.35, i + 1);
            top.add(new TokenLogprob.Alternative(" alt" + i + r.nextInt(1000), Math.log(Math.max(1e-9, share))));
        }
        top.sort((a, b) -> Double.compare(b.logprob(), a.logprob()));
        return new TokenLogprob(tok, lp, top);
    }

    static String text(List<TokenLogprob> tokens) {
        StringBuilder sb = new StringBuilder();
        tokens.forEach(t -> sb.append(t.token()));
        return sb.toString();
    }

    static Transcript finished(String text, List<TokenLogprob> tokens) {
        return Transcript.builder().text(text).tokens(tokens).finishReason("stop").completionTokens(tokens.size() + 1)
                .maxTokens(1024).build();
    }

    static String resource(String name) {
        try (InputStream in = Samples.class.getResourceAsStream("/quality/" + name)) {
            if (in == null) {
                throw new IllegalArgumentException("missing fixture " + name);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static JsonNode json(String text) {
        try {
            return JSON.readTree(text);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
