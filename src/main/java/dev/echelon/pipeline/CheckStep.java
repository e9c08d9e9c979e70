package dev.echelon.pipeline;

/**
 * Step 5: judge the answer (timeouts, empty or repetitive output, low confidence, schema validity). The quality
 * gate arrives with issue 4; until then every answer that the backend completed passes.
 */
final class CheckStep {

    enum Verdict { PASS, FAIL }

    Verdict check(GenerationResult result) {
        return Verdict.PASS;
    }
}
