package dev.echelon.pipeline;

/**
 * One server-side tool call Echelon ran for a request, as {@code x_echelon.tools} reports it.
 *
 * @param limitHit the sandbox limit the run hit (lower case, e.g. {@code wall_clock}), or null
 */
public record ToolRun(String name, boolean ok, long durationMs, String limitHit) {
}
