package dev.echelon.tools;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Predicate;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Hostile programs against the real sandbox: each names what it tries and the verdict it must get. A Python
 * attempt prints "LEAK" when its action succeeds and "blocked" when it raises; the sandbox must make it raise.
 */
class HostileCodeTest {
    private static final String TAG = "echelon-pwned-" + UUID.randomUUID();
    private static final Path REPO = Path.of("").toAbsolutePath();
    private static final long JVM_PID = ProcessHandle.current().pid();
    private static final List<Path> MUST_NOT_EXIST = List.of(
            Path.of("/usr", TAG), Path.of("/etc", TAG), Path.of("/tmp", TAG), REPO.resolve(TAG));

    private static final CodeRunner RUNNER = new CodeRunner(Sandbox.defaults()
            .withCpuSeconds(2)
            .withWallClock(Duration.ofSeconds(4))
            .withOutputCapBytes(4096));

    private static ServerSocket echelonPort;
    private static final AtomicBoolean CONNECTED = new AtomicBoolean();
    private static Thread acceptor;

    record Case(String name, Language language, String program, LimitHit limit, Predicate<CodeResult> verdict) {
        @Override
        public String toString() {
            return name;
        }
    }

    @BeforeAll
    static void openEchelonPort() throws IOException {
        // stands in for Echelon's own HTTP port: a sandboxed program must never reach it
        echelonPort = new ServerSocket(0);
        echelonPort.setSoTimeout(200);
        acceptor = new Thread(() -> {
            while (!echelonPort.isClosed()) {
                try {
                    echelonPort.accept().close();
                    CONNECTED.set(true);
                } catch (SocketTimeoutException e) {
                    // poll again until closed
                } catch (IOException e) {
                    return;
                }
            }
        });
        acceptor.setDaemon(true);
        acceptor.start();
    }

    @AfterAll
    static void hostUnchanged() throws Exception {
        echelonPort.close();
        acceptor.join();
        assertFalse(CONNECTED.get(), "a sandboxed program connected to the host port");
        for (Path p : MUST_NOT_EXIST) {
            assertFalse(Files.exists(p), "sandboxed program created " + p);
        }
        // the fork bomb is gone and the host (this JVM's uid) can still fork
        Process p = new ProcessBuilder("true").start();
        assertEquals(0, p.waitFor());
    }

    static Stream<Case> programs() {
        List<Case> cases = new ArrayList<>();
        // benign controls
        cases.add(ok("hello", Language.PYTHON, "print('hello')", r -> r.stdout().equals("hello\n")));
        cases.add(ok("compute", Language.PYTHON, "print(sum(i * i for i in range(1000)))",
                r -> r.stdout().strip().equals("332833500")));
        cases.add(ok("work dir file", Language.PYTHON,
                "open('f.txt', 'w').write('kept')\nprint(open('f.txt').read())", r -> r.stdout().strip().equals("kept")));
        cases.add(ok("stdin python", Language.PYTHON, "import sys\nprint(sys.stdin.read().upper())",
                r -> r.stdout().strip().equals("PIPED IN")));
        cases.add(ok("stdin sh", Language.SH, "read line; echo \"got $line\"", r -> r.stdout().strip().equals("got piped in")));
        cases.add(ok("sh hello", Language.SH, "echo hi; id -u", r -> r.stdout().startsWith("hi\n")
                && inSandboxRange(Integer.parseInt(r.stdout().substring(3).strip()))));
        // host files
        cases.add(blocked("read /etc/shadow", "open('/etc/shadow').read()"));
        cases.add(blocked("list /root", "import os; os.listdir('/root')"));
        cases.add(blocked("list /home", "import os; os.listdir('/home')"));
        cases.add(blocked("read repo pom.xml", "open(" + quote(REPO.resolve("pom.xml")) + ").read()"));
        cases.add(blocked("read host /etc/hostname", "open('/etc/hostname').read()"));
        // writes outside the work dir
        for (Path p : MUST_NOT_EXIST) {
            cases.add(blocked("write " + p.getParent(), "open(" + quote(p) + ", 'w').write('x')"));
        }
        cases.add(blocked("write setuid binary", "open('/usr/bin/su', 'ab').write(b'x')"));
        // network
        cases.add(blocked("tcp 1.1.1.1:53", "import socket; socket.create_connection(('1.1.1.1', 53), 2)"));
        cases.add(new Case("tcp Echelon's port", Language.PYTHON,
                attempt("import socket; socket.create_connection(('127.0.0.1', " + echelonPortNumber() + "), 2)"),
                LimitHit.NONE, HostileCodeTest::wasBlocked));
        cases.add(blocked("udp send", "import socket; socket.socket(socket.AF_INET, socket.SOCK_DGRAM).sendto(b'x', ('1.1.1.1', 53))"));
        cases.add(blocked("dns", "import socket; socket.getaddrinfo('example.com', 80)"));
        cases.add(blocked("raw socket", "import socket; socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP)"));
        // privilege
        cases.add(blocked("setuid(0)", "import os; os.setuid(0)"));
        cases.add(blocked("chroot", "import os; os.chroot('/work')"));
        cases.add(blocked("mount tmpfs", libc("mount(b'none', b'/work', b'tmpfs', 0, None)")));
        cases.add(blocked("new user namespace", libc("unshare(0x10000000)")));
        cases.add(blocked("ptrace the JVM", libc("ptrace(16, " + JVM_PID + ", 0, 0)")));
        cases.add(new Case("su", Language.SH, "su -c id root 2>&1; echo done", LimitHit.NONE,
                r -> !r.stdout().contains("uid=0") && r.stdout().contains("done")));
        cases.add(new Case("sudo", Language.SH, "sudo id 2>&1; echo done", LimitHit.NONE,
                r -> !r.stdout().contains("uid=0") && r.stdout().contains("done")));
        // /proc and the environment
        cases.add(blocked("JVM in /proc", "import os; os.listdir('/proc/" + JVM_PID + "/fd')"));
        cases.add(new Case("/proc/1/environ and env", Language.PYTHON,
                "import os\ntry: print(open('/proc/1/environ', 'rb').read())\nexcept Exception as e: print('blocked')\n"
                        + "print(sorted(os.environ))",
                LimitHit.NONE, r -> !r.stdout().contains("ORCHESTRATOR") && !r.stdout().contains("JAVA")));
        cases.add(new Case("mountinfo", Language.PYTHON, "print(open('/proc/self/mountinfo').read())", LimitHit.NONE,
                r -> r.exitCode() == 0 && !r.stdout().contains(REPO.toString()) && !r.stdout().contains("/home")));
        cases.add(new Case("kill parent and pid 1", Language.SH, "kill -9 $PPID; kill -9 1; echo done", LimitHit.NONE,
                r -> ProcessHandle.current().isAlive()));
        // resource limits
        cases.add(new Case("memory bomb", Language.PYTHON, "x = bytearray(4 << 30)", LimitHit.MEMORY, r -> r.exitCode() != 0));
        cases.add(new Case("infinite loop", Language.PYTHON, "while True: pass", LimitHit.CPU, r -> r.exitCode() == 152));
        cases.add(new Case("huge output", Language.PYTHON, "while True: print('x' * 1000)", LimitHit.OUTPUT,
                r -> r.stdoutTruncated() && r.stdout().length() == 4096));
        cases.add(new Case("big file", Language.PYTHON, "f = open('big', 'wb')\nwhile True: f.write(b'x' * 65536)",
                LimitHit.FILE_SIZE, r -> r.exitCode() != 0));
        cases.add(new Case("disk fill", Language.PYTHON,
                "i = 0\nwhile True:\n    open('f%d' % i, 'wb').write(b'x' * (8 << 20)); i += 1", LimitHit.DISK,
                r -> r.exitCode() != 0));
        cases.add(new Case("sleep past deadline", Language.SH, "sleep 60", LimitHit.WALL_CLOCK, r -> r.exitCode() == 137));
        cases.add(new Case("fork bomb sh", Language.SH, "f() { f | f & }; f; sleep 30", LimitHit.WALL_CLOCK, r -> true));
        cases.add(new Case("fork bomb python", Language.PYTHON,
                "import os, time\nwhile True:\n    if os.fork() == 0:\n        time.sleep(30)", LimitHit.PROCESSES,
                r -> r.stderr().contains("BlockingIOError")));
        return cases.stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("programs")
    void verdict(Case c) throws Exception {
        CodeResult result = RUNNER.run(c.language(), c.program(), "piped in\n");
        assertEquals(c.limit(), result.limitHit(), () -> c.name() + ": " + result);
        assertTrue(c.verdict().test(result), () -> c.name() + ": " + result);
    }

    /**
     * The process limit counts every process of a uid on the machine: with one uid for all runs, a fork bomb spent
     * the process budget of every run beside it ("bwrap: Can't fork for pid 1"). Each run has a uid of its own.
     */
    @Test
    void aForkBombDoesNotSpendTheProcessBudgetOfARunBesideIt() throws Exception {
        // the bomb forks until its process limit says no, then holds its processes until its deadline
        java.util.concurrent.CompletableFuture<CodeResult> bomb = java.util.concurrent.CompletableFuture.supplyAsync(
                () -> RUNNER.run(Language.PYTHON, String.join("\n", "import os, time", "while True:", "    try:",
                        "        if os.fork() == 0:", "            time.sleep(30)", "    except BlockingIOError:",
                        "        time.sleep(30)"), ""));
        long end = System.nanoTime() + 10_000_000_000L;
        while (sandboxProcesses() < 20 && System.nanoTime() < end) {
            Thread.sleep(20);
        }
        assertTrue(sandboxProcesses() >= 20, "the fork bomb did not start");
        CodeResult beside = RUNNER.run(Language.PYTHON, String.join("\n", "import os, time", "pids = []",
                "for _ in range(16):", "    pid = os.fork()", "    if pid == 0:", "        time.sleep(0.5)",
                "        os._exit(0)", "    pids.append(pid)", "for p in pids: os.waitpid(p, 0)", "print(len(pids))"),
                "");
        assertEquals(LimitHit.NONE, beside.limitHit(), beside::toString);
        assertEquals("16", beside.stdout().strip(), beside::toString);
        assertEquals(LimitHit.WALL_CLOCK, bomb.get().limitHit(), () -> bomb.join().toString());
    }

    private static boolean inSandboxRange(int uid) {
        SandboxUids uids = SandboxUids.defaults();
        return uid >= uids.first() && uid <= uids.last();
    }

    /** Processes alive whose uid is one of the sandbox's. */
    private static long sandboxProcesses() throws IOException {
        try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
            return procs.filter(p -> p.getFileName().toString().chars().allMatch(Character::isDigit))
                    .filter(HostileCodeTest::runsAsSandboxUid).count();
        }
    }

    private static boolean runsAsSandboxUid(Path proc) {
        try {
            return inSandboxRange((Integer) Files.getAttribute(proc, "unix:uid"));
        } catch (IOException | RuntimeException e) {
            return false; // ended while we looked
        }
    }

    @Test
    void launcherEnvironmentSecretsNeverReachTheProgram() throws Exception {
        // bypasses CodeRunner's own env clearing: the launcher must hide a key the service process holds
        Path dir = Files.createTempDirectory("hostile-env");
        Path program = Files.writeString(dir.resolve("p.py"), "import os\nprint(sorted(os.environ))\n"
                + "print(open('/proc/1/environ', 'rb').read())\nprint(open('/proc/self/environ', 'rb').read())\n");
        ProcessBuilder pb = new ProcessBuilder(Sandbox.DEFAULT_LAUNCHER.toString(), "python", program.toString());
        pb.environment().put("ORCHESTRATOR_API_KEYS", "sk-secret-must-not-leak");
        pb.redirectErrorStream(true);
        Process p = pb.start();
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), out);
        assertTrue(out.contains("PATH"), out);
        assertFalse(out.contains("sk-secret-must-not-leak"), out);
        Files.delete(program);
        Files.delete(dir);
    }

    @Test
    void missingLauncherIsRefusedNotRunUnsandboxed() {
        CodeRunner runner = new CodeRunner(Sandbox.defaults().withLauncher(Path.of("no-such-dir", "run-sandboxed")));
        SandboxUnavailableException e = org.junit.jupiter.api.Assertions.assertThrows(
                SandboxUnavailableException.class, () -> runner.run(Language.SH, "echo ran", ""));
        assertTrue(e.getMessage().contains("not found"), e.getMessage());
    }

    private static int echelonPortNumber() {
        return echelonPort.getLocalPort();
    }

    private static Case ok(String name, Language language, String program, Predicate<CodeResult> check) {
        return new Case(name, language, program, LimitHit.NONE, r -> r.exitCode() == 0 && check.test(r));
    }

    private static Case blocked(String name, String action) {
        return new Case(name, Language.PYTHON, attempt(action), LimitHit.NONE, HostileCodeTest::wasBlocked);
    }

    private static String attempt(String action) {
        return "try:\n    " + action.replace("\n", "\n    ") + "\n    print('LEAK')\n"
                + "except Exception as e:\n    print('blocked', type(e).__name__, e)\n";
    }

    /** A libc call that returns -1 on failure: raising turns it into "blocked". */
    private static String libc(String call) {
        return "import ctypes\nlibc = ctypes.CDLL(None, use_errno=True)\n"
                + "if libc." + call + " != 0: raise OSError(ctypes.get_errno(), 'refused')";
    }

    private static boolean wasBlocked(CodeResult r) {
        return r.exitCode() == 0 && r.stdout().startsWith("blocked") && !r.stdout().contains("LEAK");
    }

    private static String quote(Path p) {
        return "'" + p.toString().replace("'", "\\'") + "'";
    }
}
