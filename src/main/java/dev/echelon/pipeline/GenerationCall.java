package dev.echelon.pipeline;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.echelon.memory.MemoryMode;

import java.util.List;

/**
 * A validated request to generate.
 *
 * @param model        the {@code model} the client asked for (echoed back in responses)
 * @param body         the client's JSON body, validated; relayed to the backend with {@code model} replaced
 * @param includeUsage the client asked for a final usage chunk ({@code stream_options.include_usage})
 * @param memory       what memory may do with this request (its {@code X-Echelon-Memory} header)
 * @param recalled     ids of the memories the recall step put into {@code body}
 * @param serverTools  whether Echelon may offer its own tools to the model (false: {@code X-Echelon-Tools: off})
 */
public record GenerationCall(RequestContext context, Endpoint endpoint, String model, ObjectNode body, boolean stream,
        boolean includeUsage, MemoryMode memory, List<Long> recalled, boolean serverTools) {

    /** The header with which a client turns Echelon's server-side tools off for one request. */
    public static final String TOOLS_HEADER = "X-Echelon-Tools";

    public GenerationCall {
        memory = memory == null ? MemoryMode.ON : memory;
        recalled = recalled == null ? List.of() : List.copyOf(recalled);
    }

    public GenerationCall(RequestContext context, Endpoint endpoint, String model, ObjectNode body, boolean stream,
            boolean includeUsage, MemoryMode memory, List<Long> recalled) {
        this(context, endpoint, model, body, stream, includeUsage, memory, recalled, true);
    }

    public GenerationCall(RequestContext context, Endpoint endpoint, String model, ObjectNode body, boolean stream,
            boolean includeUsage) {
        this(context, endpoint, model, body, stream, includeUsage, MemoryMode.ON, List.of());
    }

    /** The same call with another body (the recall step's, or an escalation's instructions). */
    public GenerationCall withBody(ObjectNode newBody) {
        return new GenerationCall(context, endpoint, model, newBody, stream, includeUsage, memory, recalled,
                serverTools);
    }

    GenerationCall withRecalled(ObjectNode newBody, List<Long> ids) {
        return new GenerationCall(context, endpoint, model, newBody, stream, includeUsage, memory, ids, serverTools);
    }
}
