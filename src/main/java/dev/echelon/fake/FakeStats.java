package dev.echelon.fake;

/**
 * A snapshot of a fake server's counters, for tests and the supervisor's logs.
 *
 * @param requests          generation requests accepted (completion, chat, legacy completions)
 * @param completed         generation requests that ran to their end
 * @param cancelled         generation requests abandoned because the client went away
 * @param deferred          requests that had to wait for a free slot (cumulative)
 * @param processing        requests generating now
 * @param queued            requests waiting for a slot now
 * @param promptTokens      prompt tokens processed, excluding cached ones
 * @param cachedTokens      prompt tokens reused from a slot's cache
 * @param predictedTokens   tokens generated
 * @param draftTokens       tokens drafted by the draft model
 * @param acceptedTokens    drafted tokens the target accepted
 * @param drafts            target verification passes over a draft
 * @param decodeCalls       target forward passes (prompt passes included)
 * @param openConnections   HTTP connections open now
 */
public record FakeStats(long requests, long completed, long cancelled, long deferred, int processing, int queued,
        long promptTokens, long cachedTokens, long predictedTokens, long draftTokens, long acceptedTokens,
        long drafts, long decodeCalls, int openConnections) {

    /** Mean tokens per speculative target pass: 1 + accepted / drafts (NaN without drafts). */
    public double tokensPerDraftPass() {
        return drafts == 0 ? Double.NaN : 1.0 + (double) acceptedTokens / drafts;
    }
}
