package dev.echelon.tools;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** run_code against the real sandbox (bubblewrap; the launcher must run as root, as in HostileCodeTest). */
class RunCodeToolTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final RunCodeTool TOOL = new RunCodeTool(new CodeRunner(Sandbox.defaults()
            .withCpuSeconds(2).withWallClock(Duration.ofSeconds(4)).withOutputCapBytes(4096)),
            new io.micrometer.core.instrument.simple.SimpleMeterRegistry());

    private static ObjectNode args(String language, String code, String stdin) {
        ObjectNode a = JSON.createObjectNode().put("language", language).put("code", code);
        if (stdin != null) {
            a.put("stdin", stdin);
        }
        return a;
    }

    private static ToolContext context(Duration remaining) {
        return new ToolContext("req-run", "coder", remaining);
    }

    @Test
    void aProgramRunsAndItsOutputIsTheResult() throws Exception {
        ToolResult r = TOOL.call(args("python", "import sys\nprint(6*7*1001)\nprint('n=' + sys.stdin.read())", "7"),
                context(Duration.ofSeconds(60)));
        assertTrue(r.ok(), r.content());
        JsonNode content = JSON.readTree(r.content());
        assertEquals(0, content.path("exit_code").asInt());
        assertEquals("42042\nn=7\n", content.path("stdout").asText());
        assertFalse(content.has("limit_hit"));
        assertEquals(0, r.details().path("exit_code").asInt());
    }

    @Test
    void aFailingProgramReportsItsExitCodeAndStderr() throws Exception {
        ToolResult r = TOOL.call(args("sh", "echo oops >&2; exit 3", null), context(Duration.ofSeconds(60)));
        assertTrue(r.ok(), "the tool worked; the program failed");
        JsonNode content = JSON.readTree(r.content());
        assertEquals(3, content.path("exit_code").asInt());
        assertEquals("oops\n", content.path("stderr").asText());
    }

    @Test
    void theRequestDeadlineBoundsTheRun() throws Exception {
        ToolResult r = TOOL.call(args("sh", "sleep 30; echo late", null), context(Duration.ofMillis(1500)));
        assertEquals(ToolResult.Outcome.LIMIT, r.outcome(), r.content());
        assertEquals(LimitHit.WALL_CLOCK, r.limit());
        assertEquals("wall_clock", JSON.readTree(r.content()).path("limit_hit").asText());
        assertTrue(r.details().path("duration_ms").asLong() < 4_000, "cut to the request's 1.5 s, not the 4 s limit");
    }

    @Test
    void lessThanASecondLeftIsARefusal() {
        ToolResult r = TOOL.call(args("sh", "echo hi", null), context(Duration.ofMillis(300)));
        assertEquals(ToolResult.Outcome.REFUSED, r.outcome());
        assertTrue(r.content().contains("not run"), r.content());
    }

    @Test
    void withoutTheSandboxNothingRunsAndTheModelIsTold() {
        RunCodeTool missing = new RunCodeTool(new CodeRunner(Sandbox.defaults()
                .withLauncher(Path.of("no-such-dir", "run-sandboxed"))),
                new io.micrometer.core.instrument.simple.SimpleMeterRegistry());
        Path marker = Path.of("target", "run-code-must-not-exist");
        ToolResult r = missing.call(args("sh", "touch " + marker.toAbsolutePath(), null),
                context(Duration.ofSeconds(60)));
        assertEquals(ToolResult.Outcome.REFUSED, r.outcome());
        assertTrue(r.content().startsWith("run_code is unavailable, the program was not run"), r.content());
        assertFalse(java.nio.file.Files.exists(marker), "nothing ran unsandboxed");
    }
}
