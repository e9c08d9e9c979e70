package dev.echelon.tools;

import dev.echelon.config.ByteSize;
import dev.echelon.config.EchelonConfig;
import dev.echelon.config.InvalidSettingException;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * Builds the sandbox's code runner and the web fetcher from {@code ORCHESTRATOR_SANDBOX_*} and
 * {@code ORCHESTRATOR_WEBFETCH_*}; a value they refuse stops startup naming the variable.
 */
public class ToolsProducer {

    @Produces
    @Singleton
    CodeRunner codeRunner(EchelonConfig config) {
        return new CodeRunner(sandbox(config.sandbox()), uids(config.sandbox()));
    }

    static SandboxUids uids(EchelonConfig.SandboxLimits s) {
        try {
            return SandboxUids.parse(s.uids());
        } catch (IllegalArgumentException e) {
            throw new InvalidSettingException("orchestrator.sandbox.uids", e.getMessage());
        }
    }

    @Produces
    @Singleton
    WebFetch webFetch(EchelonConfig config) {
        return new WebFetch(policy(config.webfetch()));
    }

    static Sandbox sandbox(EchelonConfig.SandboxLimits s) {
        try {
            return new Sandbox(Path.of(s.launcher()), s.cpuSeconds(), ByteSize.parse("orchestrator.sandbox.memory",
                    s.memory()), s.openFiles(), ByteSize.parse("orchestrator.sandbox.file-size", s.fileSize()),
                    s.processes(), ByteSize.parse("orchestrator.sandbox.disk", s.disk()),
                    Duration.ofMillis(s.wallClockMs()),
                    Math.toIntExact(ByteSize.parse("orchestrator.sandbox.output-cap", s.outputCap())));
        } catch (InvalidSettingException e) {
            throw e;
        } catch (IllegalArgumentException | ArithmeticException e) {
            throw new InvalidSettingException("orchestrator.sandbox", e.getMessage());
        }
    }

    static WebFetchPolicy policy(EchelonConfig.WebFetchLimits w) {
        try {
            return new WebFetchPolicy(w.allowHosts().orElse(List.of()), w.denyHosts().orElse(List.of()),
                    ByteSize.parse("orchestrator.webfetch.max-bytes", w.maxBytes()), Duration.ofMillis(w.timeoutMs()),
                    w.maxRedirects(), WebFetchPolicy.DEFAULT_USER_AGENT);
        } catch (InvalidSettingException e) {
            throw e;
        } catch (IllegalArgumentException e) {
            throw new InvalidSettingException("orchestrator.webfetch", e.getMessage());
        }
    }
}
