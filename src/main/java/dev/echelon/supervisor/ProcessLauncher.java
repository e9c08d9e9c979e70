package dev.echelon.supervisor;

import org.jboss.logging.Logger;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * Starts real {@code llama-server} processes.
 *
 * <p>No orphans: on a normal exit the supervisor stops every child; against a JVM that dies hard (SIGKILL, OOM
 * killer) each child is started through {@code setpriv --pdeathsig TERM}, so the kernel sends it SIGTERM when its
 * parent goes. Linux delivers that signal when the <em>thread</em> that forked the child exits, so every child is
 * forked from one dedicated thread that lives as long as the JVM.
 */
public final class ProcessLauncher implements Launcher {

    private static final Logger LOG = Logger.getLogger(ProcessLauncher.class);

    private final String binary;
    private final FlagDialect dialect;
    private final long logMaxBytes;
    private final int logKeep;
    private final boolean pdeathsig;
    private final PageCacheStager stager = new PageCacheStager();
    private final ExecutorService forker = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "echelon-process-forker");
        t.setDaemon(true);
        return t;
    });

    public ProcessLauncher(String binary, FlagDialect dialect, long logMaxBytes, int logKeep) {
        this.binary = binary;
        this.dialect = dialect;
        this.logMaxBytes = logMaxBytes;
        this.logKeep = logKeep;
        this.pdeathsig = setprivAvailable();
        if (!pdeathsig) {
            LOG.warn("setpriv (util-linux) not found: llama-server children are stopped on a normal exit, but a "
                    + "JVM killed with SIGKILL would leave them running");
        }
    }

    @Override
    public CompletableFuture<Void> stage(Path modelFile) {
        return stager.stage(modelFile);
    }

    /** Nothing to do: the kernel reclaims a file's cached pages under memory pressure. */
    @Override
    public void unstage(Path modelFile) {
    }

    /** Reads the installed binary's {@code --help} to learn its flags; fails with a clear message if it won't run. */
    public static LlamaServerHelp readHelp(String binary) {
        try {
            Process p = new ProcessBuilder(binary, "--help").redirectErrorStream(true).start();
            CompletableFuture<byte[]> out = CompletableFuture.supplyAsync(() -> {
                try (InputStream in = p.getInputStream()) {
                    return in.readAllBytes();
                } catch (IOException e) {
                    return new byte[0];
                }
            });
            if (!p.waitFor(20, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new LaunchException("-", binary + " --help did not finish within 20 s", null);
            }
            LlamaServerHelp help = LlamaServerHelp.parse(new String(out.get(5, TimeUnit.SECONDS)));
            if (!help.accepts("--port") || !help.accepts("-m")) {
                throw new LaunchException("-", binary + " --help does not look like llama-server's", null);
            }
            return help;
        } catch (IOException e) {
            throw new LaunchException("-", "cannot run llama-server binary '" + binary + "' (set "
                    + "ORCHESTRATOR_LLAMA_SERVER to its path, or ORCHESTRATOR_MOCK_MODE=1): " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new LaunchException("-", "interrupted", e);
        } catch (ExecutionException | java.util.concurrent.TimeoutException e) {
            throw new LaunchException("-", "cannot read " + binary + " --help", e);
        }
    }

    private static boolean setprivAvailable() {
        for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin:/bin").split(":")) {
            if (Files.isExecutable(Path.of(dir, "setpriv"))) {
                return true;
            }
        }
        return false;
    }

    @Override
    public ServerHandle launch(LaunchCommand command) {
        List<String> cmd = new ArrayList<>();
        if (pdeathsig) {
            cmd.addAll(List.of("setpriv", "--pdeathsig", "TERM", "--"));
        }
        cmd.add(binary);
        cmd.addAll(command.args());
        Process process;
        try {
            process = forker.submit(() -> new ProcessBuilder(cmd).redirectErrorStream(true).start()).get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new LaunchException(command.instanceId(), "interrupted while starting", e);
        } catch (ExecutionException e) {
            throw new LaunchException(command.instanceId(), "cannot start " + binary + ": " + e.getCause().getMessage(),
                    e.getCause());
        }
        RotatingLog log;
        try {
            log = new RotatingLog(command.logFile(), logMaxBytes, logKeep);
            log.line("# echelon: " + String.join(" ", cmd));
        } catch (IOException e) {
            process.destroyForcibly();
            throw new LaunchException(command.instanceId(), "cannot open log " + command.logFile(), e);
        }
        Thread pump = new Thread(() -> pump(process, log), "llama-log-" + command.instanceId());
        pump.setDaemon(true);
        pump.start();
        return new ProcessHandleImpl(process);
    }

    private static void pump(Process process, RotatingLog log) {
        byte[] buf = new byte[8192];
        try (InputStream in = process.getInputStream(); log) {
            int n;
            while ((n = in.read(buf)) >= 0) {
                log.write(buf, 0, n);
            }
        } catch (IOException e) {
            // the process is gone; its exit is reported through onExit
        }
    }

    @Override
    public FlagDialect dialect() {
        return dialect;
    }

    @Override
    public String describe() {
        return "process:" + binary;
    }

    private static final class ProcessHandleImpl implements ServerHandle {
        private final Process process;
        private final CompletableFuture<Integer> exit;

        ProcessHandleImpl(Process process) {
            this.process = process;
            this.exit = process.onExit().thenApply(Process::exitValue);
        }

        @Override
        public CompletableFuture<Integer> exit() {
            return exit;
        }

        @Override
        public void terminate() {
            process.descendants().forEach(ProcessHandle::destroy);
            process.destroy();
        }

        @Override
        public void kill() {
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
        }

        @Override
        public OptionalLong pid() {
            return OptionalLong.of(process.pid());
        }
    }
}
