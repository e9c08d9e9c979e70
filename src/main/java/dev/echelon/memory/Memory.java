package dev.echelon.memory;

import java.time.Instant;

/**
 * One remembered exchange, as the store keeps it.
 *
 * @param scope      whose memory it is: a digest of the caller's API key (memories never cross scopes)
 * @param session    the conversation it came from, or null
 * @param role       the role that answered
 * @param text       what is recalled: the exchange in compact form
 * @param vector     its embedding, L2-normalised (inner product = cosine similarity)
 * @param outcome    how the answer fared (the gate's verdict), or null
 * @param usefulness the learnt value of recalling it, 0–1 (starts at 0.5; Q ← Q + η(r − Q) on feedback)
 */
public record Memory(long id, String scope, String session, String role, String text, float[] vector,
        Instant created, String outcome, double usefulness) {
}
