package dev.echelon.tools;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** {@code echelon.sandbox.runs{language,verdict}}: every run is counted under what became of it. */
class SandboxRunsMetricTest {

    private final SimpleMeterRegistry metrics = new SimpleMeterRegistry();
    private final ToolContext context = new ToolContext("req_test", "coder", Duration.ofSeconds(30));

    private static ObjectNode program(String language, String code) {
        return JsonNodeFactory.instance.objectNode().put("language", language).put("code", code);
    }

    private double runs(String language, String verdict) {
        return metrics.find("echelon.sandbox.runs").tag("language", language).tag("verdict", verdict).counter()
                .count();
    }

    @Test
    void countsOkErrorAndRefusedRuns() {
        RunCodeTool tool = new RunCodeTool(new CodeRunner(Sandbox.defaults()), metrics);
        assertEquals(0, runs("python", "limit"), "every verdict's series exists before the first run");
        tool.call(program("sh", "echo hello"), context);
        tool.call(program("sh", "exit 3"), context);
        assertEquals(1, runs("sh", "ok"), "exit 0");
        assertEquals(1, runs("sh", "error"), "a non-zero exit");

        RunCodeTool broken = new RunCodeTool(new CodeRunner(Sandbox.defaults()
                .withLauncher(Path.of("sandbox", "no-such-launcher"))), metrics);
        broken.call(program("python", "print(1)"), context);
        assertEquals(1, runs("python", "refused"), "no sandbox: refused, never run");
    }
}
