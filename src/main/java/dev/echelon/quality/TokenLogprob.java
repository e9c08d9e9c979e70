package dev.echelon.quality;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;

/**
 * One generated token with its log-probability and the top alternatives the server reported, as in an OpenAI
 * {@code logprobs.content[]} entry ({@code token}, {@code logprob}, {@code top_logprobs[{token, logprob}]}).
 *
 * @param token   the token text (may be empty, never null)
 * @param logprob natural-log probability of the chosen token; {@code NaN} when the server sent none
 * @param top     the top alternatives (the chosen token is usually among them); empty when none were requested
 */
public record TokenLogprob(String token, double logprob, List<Alternative> top) {

    /** One alternative token at a position. */
    public record Alternative(String token, double logprob) {
        public Alternative {
            token = token == null ? "" : token;
        }
    }

    public TokenLogprob {
        token = token == null ? "" : token;
        top = top == null ? List.of() : List.copyOf(top);
    }

    /** A token without alternatives. */
    public static TokenLogprob of(String token, double logprob) {
        return new TokenLogprob(token, logprob, List.of());
    }

    /**
     * Reads one {@code logprobs.content[]} entry. Accepts llama-server's post-sampling variant too
     * ({@code prob}/{@code top_probs}, converted with {@code ln}).
     */
    public static TokenLogprob fromOpenAi(JsonNode entry) {
        Objects.requireNonNull(entry, "entry");
        String token = entry.path("token").asText("");
        double lp = readLogprob(entry);
        JsonNode alts = entry.has("top_logprobs") ? entry.get("top_logprobs") : entry.get("top_probs");
        List<Alternative> top = new ArrayList<>();
        if (alts != null && alts.isArray()) {
            for (JsonNode a : alts) {
                top.add(new Alternative(a.path("token").asText(""), readLogprob(a)));
            }
        }
        return new TokenLogprob(token, lp, Collections.unmodifiableList(top));
    }

    private static double readLogprob(JsonNode n) {
        JsonNode lp = n.get("logprob");
        if (lp != null && lp.isNumber()) {
            return lp.asDouble();
        }
        JsonNode p = n.get("prob");
        if (p != null && p.isNumber()) {
            return Math.log(p.asDouble());
        }
        return Double.NaN;
    }

    /** Whether this entry carries a usable log-probability. */
    public boolean hasLogprob() {
        return !Double.isNaN(logprob);
    }

    /**
     * Entropy (nats) of the next-token distribution, estimated from the reported alternatives: the alternatives'
     * own terms plus the unreported remainder counted as one bucket (so this is a lower bound). {@code NaN} when
     * fewer than two alternatives were reported.
     */
    public double entropyEstimate() {
        if (top.size() < 2) {
            return Double.NaN;
        }
        double[] ps = new double[top.size() + 1];
        int n = 0;
        boolean chosenListed = false;
        for (Alternative a : top) {
            if (!Double.isNaN(a.logprob())) {
                ps[n++] = Math.exp(Math.min(0.0, a.logprob()));
                chosenListed |= a.token().equals(token);
            }
        }
        if (!chosenListed && hasLogprob()) {
            ps[n++] = Math.exp(Math.min(0.0, logprob));
        }
        if (n < 2) {
            return Double.NaN;
        }
        double sum = 0;
        for (int i = 0; i < n; i++) {
            sum += ps[i];
        }
        // a sum above 1 is rounding, or a server that renormalised its top-k: rescale to a distribution
        double scale = sum > 1.0 ? 1.0 / sum : 1.0;
        double h = 0;
        for (int i = 0; i < n; i++) {
            double p = ps[i] * scale;
            if (p > 0) {
                h -= p * Math.log(p);
            }
        }
        double rest = 1.0 - sum * scale;
        if (rest > 1e-12) {
            h -= rest * Math.log(rest);
        }
        return h;
    }
}
