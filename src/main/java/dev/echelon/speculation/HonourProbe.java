package dev.echelon.speculation;

import dev.echelon.backend.CompletionRequest;
import dev.echelon.backend.CompletionResponse;
import dev.echelon.backend.LlamaServerClient;
import dev.echelon.backend.Timings;

/**
 * Finds out whether a speculating server takes per-request draft lengths into account: the same greedy, seeded
 * completion is asked twice, with {@code speculative.n_max} 1 and 8; a server that honours the field drafts
 * different numbers of tokens, one that ignores it (llama-server v0.5.0, measured) drafts the same. A server that
 * reports no draft tokens does not speculate at all.
 */
public final class HonourProbe {

    static final String PROMPT = "List the steps to parse a CSV file in Java, one per line, with a short example "
            + "for each: reading lines, splitting fields, handling quotes, converting numbers, collecting records.";
    static final int TOKENS = 48;

    private HonourProbe() {
    }

    public static ServerBehaviour probe(LlamaServerClient client) {
        Integer one = drafted(client, 1);
        Integer eight = drafted(client, 8);
        if (one == null || eight == null || (one == 0 && eight == 0)) {
            return ServerBehaviour.UNKNOWN;
        }
        return one.equals(eight) ? ServerBehaviour.PER_INSTANCE : ServerBehaviour.PER_REQUEST;
    }

    private static Integer drafted(LlamaServerClient client, int nMax) {
        CompletionRequest req = CompletionRequest.builder().prompt(PROMPT).nPredict(TOKENS).temperature(0.0)
                .seed(20261121L).cachePrompt(false).extra("ignore_eos", true)
                .extra("speculative.n_max", nMax).extra("speculative.n_min", 0).build();
        CompletionResponse r = client.completion(req);
        Timings t = r.timings();
        return t == null ? null : t.draftN() == null ? Integer.valueOf(0) : t.draftN();
    }
}
