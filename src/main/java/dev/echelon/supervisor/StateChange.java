package dev.echelon.supervisor;

import java.time.Instant;

/** One transition of a server, with why it happened. */
public record StateChange(String instanceId, ServerState from, ServerState to, Instant at, String reason) {
}
