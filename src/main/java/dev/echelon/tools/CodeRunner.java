package dev.echelon.tools;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Runs model-written code through sandbox/run-sandboxed, never inside the JVM: the launcher drops to a uid of
 * the run's own ({@link SandboxUids}: runs do not share a process limit) in bubblewrap namespaces with no network,
 * a read-only /usr and a tmpfs work directory. When the sandbox cannot be built the run is refused with
 * {@link SandboxUnavailableException}; there is no unsandboxed path.
 */
public final class CodeRunner {
    /** The launcher's exit status for a refusal: nothing ran. */
    private static final int REFUSED = 125;
    /** Beyond the sandbox's own deadline, how long the JVM waits before killing the launcher itself. */
    private static final long GRACE_MS = 5_000;

    private final Sandbox sandbox;
    private final SandboxUids uids;
    private volatile boolean checked;

    /** Runs as the uids of {@link SandboxUids#DEFAULT_RANGE}. */
    public CodeRunner(Sandbox sandbox) {
        this(sandbox, SandboxUids.defaults());
    }

    public CodeRunner(Sandbox sandbox, SandboxUids uids) {
        this.sandbox = sandbox;
        this.uids = uids;
    }

    public Sandbox sandbox() {
        return sandbox;
    }

    /**
     * Asks the launcher whether the sandbox can be built here (bwrap, setpriv, prlimit present; root to drop
     * privileges; the first and last uid of the range usable in this user namespace). Cached once it succeeds; a
     * failure is asked again next time, so installing bubblewrap later needs no restart.
     */
    public void checkAvailable() {
        if (checked) {
            return;
        }
        Path launcher = sandbox.launcher();
        if (!Files.isRegularFile(launcher) || !Files.isExecutable(launcher)) {
            throw new SandboxUnavailableException("sandbox launcher not found or not executable: "
                    + launcher.toAbsolutePath() + " (Echelon runs from the repository root; see sandbox/README.md)");
        }
        try {
            for (int uid : new int[] {uids.first(), uids.last()}) {
                check(launcher, uid);
            }
        } catch (IOException e) {
            throw new SandboxUnavailableException("sandbox launcher could not start: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SandboxUnavailableException("interrupted while checking the sandbox");
        }
        checked = true;
    }

    private static void check(Path launcher, int uid) throws IOException, InterruptedException {
        Process check = launcherProcess(List.of(launcher.toString(), "--uid", Integer.toString(uid), "--check"))
                .redirectErrorStream(true)
                .start();
        check.getOutputStream().close();
        String said = new String(check.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        if (!check.waitFor(30, TimeUnit.SECONDS)) {
            check.destroyForcibly();
            throw new SandboxUnavailableException("sandbox check did not finish");
        }
        if (check.exitValue() != 0) {
            throw new SandboxUnavailableException("sandbox unavailable: " + said);
        }
    }

    /**
     * Runs {@code program} in {@code language} with {@code stdin} as its standard input, under this runner's
     * sandbox limits.
     *
     * @throws SandboxUnavailableException when the sandbox cannot be built; the program did not run
     */
    public CodeResult run(Language language, String program, String stdin) {
        return run(language, program, stdin, sandbox);
    }

    /**
     * As {@link #run(Language, String, String)}, but the wall clock is cut to {@code deadline} when that is shorter:
     * a request's own deadline bounds the programs it runs.
     *
     * @throws SandboxUnavailableException when the sandbox cannot be built, or {@code deadline} is under a second
     */
    public CodeResult run(Language language, String program, String stdin, java.time.Duration deadline) {
        if (deadline.toSeconds() < 1) {
            throw new SandboxUnavailableException("less than a second of the request's deadline is left; "
                    + "the program was not run");
        }
        return run(language, program, stdin,
                deadline.compareTo(sandbox.wallClock()) < 0 ? sandbox.withWallClock(deadline) : sandbox);
    }

    private CodeResult run(Language language, String program, String stdin, Sandbox limits) {
        checkAvailable();
        Path dir = null;
        try {
            // Program and status file live outside the sandbox: the program arrives as a read-only copy and
            // cannot reach the status line that reports on it.
            dir = Files.createTempDirectory("echelon-sandbox-");
            Path programFile = Files.writeString(dir.resolve("program"), program, StandardCharsets.UTF_8);
            Path statusFile = dir.resolve("status");
            try (SandboxUids.Lease uid = uids.lease()) {
                return launch(limits, uid.uid(), language, programFile, statusFile, stdin == null ? "" : stdin);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("sandboxed run failed to start", e);
        } finally {
            deleteQuietly(dir);
        }
    }

    private CodeResult launch(Sandbox sandbox, int uid, Language language, Path programFile, Path statusFile,
            String stdin) throws IOException {
        List<String> command = new ArrayList<>(List.of(
                sandbox.launcher().toString(),
                "--uid", Integer.toString(uid),
                "--cpu", Integer.toString(sandbox.cpuSeconds()),
                "--mem", Long.toString(sandbox.memoryBytes()),
                "--files", Integer.toString(sandbox.openFiles()),
                "--fsize", Long.toString(sandbox.fileSizeBytes()),
                "--procs", Integer.toString(sandbox.processes()),
                "--disk", Long.toString(sandbox.diskBytes()),
                "--wall", Long.toString(sandbox.wallClock().toSeconds()),
                "--out", Integer.toString(sandbox.outputCapBytes()),
                "--status", statusFile.toString(),
                language.launcherName(),
                programFile.toString()));
        long started = System.nanoTime();
        Process process = launcherProcess(command).start();
        int cap = sandbox.outputCapBytes();
        CappedReader out = CappedReader.start(process.getInputStream(), cap, "sandbox-stdout");
        CappedReader err = CappedReader.start(process.getErrorStream(), cap, "sandbox-stderr");
        Thread feeder = feed(process.getOutputStream(), stdin);
        boolean killedByJvm = false;
        try {
            if (!process.waitFor(sandbox.wallClock().toMillis() + GRACE_MS, TimeUnit.MILLISECONDS)) {
                // The launcher's own deadline failed to fire: end the whole tree from here.
                killedByJvm = true;
                process.descendants().forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly();
                process.waitFor();
            }
            out.join();
            err.join();
            feeder.join();
        } catch (InterruptedException e) {
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted during a sandboxed run", e);
        }
        long durationMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
        Map<String, String> status = LauncherStatus.read(statusFile);
        if (process.exitValue() == REFUSED && status.containsKey("refused")) {
            throw new SandboxUnavailableException("sandbox refused the run: " + status.get("refused"));
        }
        String stdout = out.text();
        String stderr = err.text();
        LimitHit limit = killedByJvm
                ? LimitHit.WALL_CLOCK
                : LauncherStatus.limitHit(status, process.exitValue(), out.truncated(), err.truncated(), stderr);
        return new CodeResult(process.exitValue(), stdout, stderr, out.truncated(), err.truncated(), durationMs, limit);
    }

    private static ProcessBuilder launcherProcess(List<String> command) {
        ProcessBuilder builder = new ProcessBuilder(command);
        // The launcher never needs the service's environment (API keys live there); the sandbox clears it again.
        Map<String, String> env = builder.environment();
        env.clear();
        env.put("PATH", "/usr/sbin:/usr/bin:/sbin:/bin");
        return builder;
    }

    private static Thread feed(OutputStream stdin, String text) {
        Thread feeder = new Thread(() -> {
            try (stdin) {
                stdin.write(text.getBytes(StandardCharsets.UTF_8));
            } catch (IOException e) {
                // The program may exit without reading its input; a broken pipe here is that, not a failure.
            }
        }, "sandbox-stdin");
        feeder.setDaemon(true);
        feeder.start();
        return feeder;
    }

    private static void deleteQuietly(Path dir) {
        if (dir == null) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // a leftover temp directory of two small files is not worth failing a finished run for
        }
    }

    /** Keeps the first cap bytes of a stream and drains the rest, so a chatty program never blocks on a full pipe. */
    private static final class CappedReader {
        private final ByteArrayOutputStream kept = new ByteArrayOutputStream();
        private final int cap;
        private final Thread thread;
        private boolean truncated;

        private CappedReader(InputStream in, int cap, String name) {
            this.cap = cap;
            this.thread = new Thread(() -> drain(in), name);
            this.thread.setDaemon(true);
        }

        static CappedReader start(InputStream in, int cap, String name) {
            CappedReader reader = new CappedReader(in, cap, name);
            reader.thread.start();
            return reader;
        }

        private void drain(InputStream in) {
            byte[] buffer = new byte[8192];
            try (in) {
                int n;
                while ((n = in.read(buffer)) >= 0) {
                    int room = cap - kept.size();
                    if (n > room) {
                        truncated = true;
                    }
                    kept.write(buffer, 0, Math.max(0, Math.min(n, room)));
                }
            } catch (IOException e) {
                // the launcher was killed mid-write; what arrived is kept
            }
        }

        void join() throws InterruptedException {
            thread.join();
        }

        boolean truncated() {
            return truncated;
        }

        String text() {
            return kept.toString(StandardCharsets.UTF_8);
        }
    }
}
