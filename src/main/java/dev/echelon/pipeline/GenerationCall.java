package dev.echelon.pipeline;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * A validated request to generate.
 *
 * @param model        the {@code model} the client asked for (echoed back in responses)
 * @param body         the client's JSON body, validated; relayed to the backend with {@code model} replaced
 * @param includeUsage the client asked for a final usage chunk ({@code stream_options.include_usage})
 */
public record GenerationCall(RequestContext context, Endpoint endpoint, String model, ObjectNode body, boolean stream,
        boolean includeUsage) {
}
