package dev.echelon.tools;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.Locale;
import java.util.Set;

/**
 * {@code run_code}: runs a Python 3 or POSIX shell program in the sandbox (sandbox/run-sandboxed through
 * {@link CodeRunner}) and gives the model its exit code, output and any limit it hit. Never runs anything in the
 * JVM; when the sandbox cannot be built the call is refused and the model is told so.
 */
@ApplicationScoped
public class RunCodeTool implements Tool {

    public static final String NAME = "run_code";
    /** Largest program or stdin accepted: a model that writes more than this is not writing a snippet. */
    static final int MAX_SOURCE_CHARS = 100_000;

    private static final JsonNodeFactory F = JsonNodeFactory.instance;
    private final CodeRunner runner;
    private final ObjectNode parameters;
    private final io.micrometer.core.instrument.MeterRegistry metrics;

    public RunCodeTool(CodeRunner runner, io.micrometer.core.instrument.MeterRegistry metrics) {
        this.runner = runner;
        this.metrics = metrics;
        this.parameters = schema();
        // every verdict's series exists from the start: "no sandbox run was refused" is a zero, not a missing series
        for (Language l : Language.values()) {
            for (String verdict : new String[] {"ok", "error", "limit", "refused"}) {
                runs(l, verdict);
            }
        }
    }

    /** Sandbox runs by language and verdict: ok (exit 0), error (non-zero exit), limit (a limit hit), refused. */
    private io.micrometer.core.instrument.Counter runs(Language language, String verdict) {
        return io.micrometer.core.instrument.Counter.builder("echelon.sandbox.runs")
                .description("Sandboxed program runs by language and verdict")
                .tag("language", language.launcherName()).tag("verdict", verdict).register(metrics);
    }

    private static ObjectNode schema() {
        ObjectNode s = F.objectNode().put("type", "object");
        ObjectNode p = s.putObject("properties");
        ObjectNode language = p.putObject("language").put("type", "string")
                .put("description", "python (Python 3) or sh (POSIX shell)");
        language.putArray("enum").add("python").add("sh");
        p.putObject("code").put("type", "string").put("minLength", 1).put("maxLength", MAX_SOURCE_CHARS)
                .put("description", "The complete program to run; print what you want to see");
        p.putObject("stdin").put("type", "string").put("maxLength", MAX_SOURCE_CHARS)
                .put("description", "Optional standard input for the program");
        s.putArray("required").add("language").add("code");
        s.put("additionalProperties", false);
        return s;
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String description() {
        return "Run a short Python 3 or POSIX shell program in an isolated sandbox (no network, no files kept, "
                + "limited CPU time, memory and output) and return its exit code, stdout and stderr. Use it to "
                + "compute, check or test something instead of guessing.";
    }

    @Override
    public ObjectNode parameters() {
        return parameters.deepCopy();
    }

    @Override
    public Set<ToolPermission> permissions() {
        return Set.of(ToolPermission.COMPUTE);
    }

    @Override
    public ToolResult call(ObjectNode arguments, ToolContext context) {
        Language language = Language.valueOf(arguments.get("language").asText().toUpperCase(Locale.ROOT));
        String stdin = arguments.path("stdin").isTextual() ? arguments.get("stdin").asText() : "";
        CodeResult r;
        try {
            r = runner.run(language, arguments.get("code").asText(), stdin, context.remaining());
        } catch (SandboxUnavailableException e) {
            runs(language, "refused").increment();
            // never a fallback to running unsandboxed: the model learns the tool is unavailable and answers without
            return ToolResult.refused("run_code is unavailable, the program was not run: " + e.getMessage());
        }
        ObjectNode content = F.objectNode().put("exit_code", r.exitCode()).put("stdout", r.stdout());
        if (!r.stderr().isEmpty()) {
            content.put("stderr", r.stderr());
        }
        if (r.stdoutTruncated()) {
            content.put("stdout_truncated", true);
        }
        if (r.stderrTruncated()) {
            content.put("stderr_truncated", true);
        }
        if (r.limitHit() != LimitHit.NONE) {
            content.put("limit_hit", r.limitHit().name().toLowerCase(Locale.ROOT));
        }
        ObjectNode details = F.objectNode().put("language", language.launcherName()).put("exit_code", r.exitCode())
                .put("duration_ms", r.durationMs()).put("limit_hit", r.limitHit().name());
        runs(language, r.limitHit() != LimitHit.NONE ? "limit" : r.exitCode() == 0 ? "ok" : "error").increment();
        if (r.limitHit() != LimitHit.NONE) {
            return new ToolResult(false, ToolResult.Outcome.LIMIT, r.limitHit(), content.toString(), details);
        }
        return ToolResult.ok(content.toString(), details);
    }
}
