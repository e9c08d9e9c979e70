package dev.echelon.tools;

import dev.echelon.config.EchelonConfig;
import dev.echelon.config.InvalidSettingException;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** ORCHESTRATOR_SANDBOX_* and ORCHESTRATOR_WEBFETCH_* into the sandbox limits and the fetch policy. */
class ToolsProducerTest {

    /** The settings as their defaults say, with one value replaced where a test needs it. */
    record Limits(String launcher, int cpuSeconds, String memory, int openFiles, String fileSize, int processes,
            String disk, long wallClockMs, String outputCap, String uids) implements EchelonConfig.SandboxLimits {

        Limits(String launcher, int cpuSeconds, String memory, int openFiles, String fileSize, int processes,
                String disk, long wallClockMs, String outputCap) {
            this(launcher, cpuSeconds, memory, openFiles, fileSize, processes, disk, wallClockMs, outputCap,
                    SandboxUids.DEFAULT_RANGE);
        }

        static Limits defaults() {
            return new Limits("sandbox/run-sandboxed", 10, "512MiB", 64, "16MiB", 32, "32MiB", 20_000, "64KiB");
        }
    }

    record Fetch(Optional<List<String>> allowHosts, Optional<List<String>> denyHosts, String maxBytes, long timeoutMs,
            int maxRedirects) implements EchelonConfig.WebFetchLimits {
    }

    @Test
    void theDefaultSettingsAreTheSandboxDefaults() {
        assertEquals(Sandbox.defaults(), ToolsProducer.sandbox(Limits.defaults()));
    }

    @Test
    void aByteCountThatIsNotOneNamesItsVariable() {
        Limits bad = new Limits("sandbox/run-sandboxed", 10, "lots", 64, "16MiB", 32, "32MiB", 20_000, "64KiB");
        InvalidSettingException e = assertThrows(InvalidSettingException.class, () -> ToolsProducer.sandbox(bad));
        assertTrue(e.getMessage().contains("ORCHESTRATOR_SANDBOX_MEMORY"), e.getMessage());
    }

    @Test
    void aSubSecondWallClockIsRefused() {
        Limits bad = new Limits("sandbox/run-sandboxed", 10, "512MiB", 64, "16MiB", 32, "32MiB", 500, "64KiB");
        InvalidSettingException e = assertThrows(InvalidSettingException.class, () -> ToolsProducer.sandbox(bad));
        assertTrue(e.getMessage().contains("ORCHESTRATOR_SANDBOX") && e.getMessage().contains("one second"),
                e.getMessage());
    }

    @Test
    void theUidRangeIsTakenAndABadOneNamesItsVariable() {
        Limits four = new Limits("sandbox/run-sandboxed", 10, "512MiB", 64, "16MiB", 32, "32MiB", 20_000, "64KiB",
                "70000-70003");
        SandboxUids uids = ToolsProducer.uids(four);
        assertEquals(70000, uids.first());
        assertEquals(4, uids.size());
        assertEquals(64, ToolsProducer.uids(Limits.defaults()).size());
        for (String bad : List.of("0-10", "60010-60000", "lots", "1-2-3")) {
            Limits limits = new Limits("sandbox/run-sandboxed", 10, "512MiB", 64, "16MiB", 32, "32MiB", 20_000,
                    "64KiB", bad);
            InvalidSettingException e = assertThrows(InvalidSettingException.class, () -> ToolsProducer.uids(limits));
            assertTrue(e.getMessage().contains("ORCHESTRATOR_SANDBOX_UIDS") && e.getMessage().contains(bad),
                    e.getMessage());
        }
    }

    @Test
    void theLauncherPathIsTaken() {
        Limits moved = new Limits("/opt/echelon/run-sandboxed", 10, "512MiB", 64, "16MiB", 32, "32MiB", 20_000,
                "64KiB");
        assertEquals(Path.of("/opt/echelon/run-sandboxed"), ToolsProducer.sandbox(moved).launcher());
    }

    @Test
    void fetchListsAndLimitsBecomeThePolicy() {
        WebFetchPolicy p = ToolsProducer.policy(new Fetch(Optional.of(List.of("Example.com", "*.python.org")),
                Optional.of(List.of("bad.example.com")), "1MiB", 2_500, 2));
        assertEquals(List.of("example.com", "*.python.org"), p.allowHosts());
        assertEquals(List.of("bad.example.com"), p.denyHosts());
        assertEquals(1L << 20, p.maxBytes());
        assertEquals(Duration.ofMillis(2_500), p.timeout());
        assertEquals(2, p.maxRedirects());
        assertEquals("bad.example.com is on the deny list (bad.example.com)", p.listRefusal("bad.example.com"));
    }

    @Test
    void aZeroTimeoutNamesTheWebFetchSettings() {
        InvalidSettingException e = assertThrows(InvalidSettingException.class, () -> ToolsProducer.policy(
                new Fetch(Optional.empty(), Optional.empty(), "2MiB", 0, 5)));
        assertTrue(e.getMessage().contains("ORCHESTRATOR_WEBFETCH"), e.getMessage());
    }
}
