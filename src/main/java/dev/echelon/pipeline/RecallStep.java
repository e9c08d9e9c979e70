package dev.echelon.pipeline;

/**
 * Step 2: add what Echelon remembers from past sessions to the request. Memory does not exist yet (issue 7), so
 * the request passes through unchanged; the step is here so that the sequence is the final one.
 */
final class RecallStep {

    GenerationCall recall(GenerationCall call) {
        return call;
    }
}
