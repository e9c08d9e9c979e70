package dev.echelon.pipeline;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.echelon.escalation.ErrorCategory;
import dev.echelon.quality.Verdict;

import java.util.List;

/** How one attempt (one role, one backend call) ended. */
sealed interface AttemptResult {

    /** The answer reached the client (it passed the gate, or was committed before a later failure). */
    record Served(GenerationResult result, Verdict verdict) implements AttemptResult {
    }

    /**
     * Nothing reached the client yet and the attempt failed: another attempt may still answer invisibly.
     *
     * @param candidate what this attempt produced, servable as a last resort (a JSON answer, or a complete stream's
     *                  events); null when nothing complete was produced
     */
    record Rejected(ErrorCategory category, String reason, long tokens, Verdict verdict, Candidate candidate,
            Rejection clientError) implements AttemptResult {
    }

    /**
     * The model called Echelon's own tools instead of answering: nothing reached the client; the pipeline runs the
     * calls and generates again.
     *
     * @param message the assistant message with its {@code tool_calls}, ready to append to the conversation
     * @param usage   the round's token usage, or null when the backend sent none
     */
    record ToolRound(ObjectNode message, com.fasterxml.jackson.databind.JsonNode usage) implements AttemptResult {
    }

    /** A complete answer held back by the gate: a JSON body, or a stream's events up to and including the end. */
    record Candidate(ObjectNode json, List<ObjectNode> events, ObjectNode finish, ObjectNode usage) {
    }
}
