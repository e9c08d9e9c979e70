package dev.echelon.tools;

import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.Set;

/**
 * A server-side tool a model may call, as a CDI bean: {@link ToolRegistry} finds every bean of this type, offers the
 * ones a role is allowed (model_registry.yaml {@code roles.<role>.tools}) to the backend in OpenAI {@code tools}
 * format, validates the model's arguments against {@link #parameters()} and only then calls {@link #call}.
 */
public interface Tool {

    /** The function name the model calls, unique among tools: lower case, digits and '_'. */
    String name();

    /** What the tool does and when to use it, written for the model. */
    String description();

    /** JSON schema of the arguments (an OpenAI function's {@code parameters}: an object schema). */
    ObjectNode parameters();

    /** What the tool may reach. */
    Set<ToolPermission> permissions();

    /**
     * Runs the tool on arguments that already passed {@link #parameters()}. Implementations report failures as
     * {@link ToolResult#error} or {@link ToolResult#refused} rather than throwing.
     */
    ToolResult call(ObjectNode arguments, ToolContext context);
}
