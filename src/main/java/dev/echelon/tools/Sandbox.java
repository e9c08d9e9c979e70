package dev.echelon.tools;

import java.nio.file.Path;
import java.time.Duration;

/**
 * The limits of one sandboxed run, each passed to sandbox/run-sandboxed (reasons for the defaults:
 * sandbox/README.md).
 *
 * @param launcher the launcher script; relative paths resolve against the working directory, which is the
 *     repository root when Echelon is started with ./echelon
 * @param cpuSeconds CPU time before SIGXCPU
 * @param memoryBytes address-space limit of each process
 * @param openFiles open descriptors per process
 * @param fileSizeBytes largest file a process may write
 * @param processes processes of the sandbox's uid, the fork-bomb stop
 * @param diskBytes size of the tmpfs work directory
 * @param wallClock deadline for the whole run, sleeping included
 * @param outputCapBytes bytes kept from each of stdout and stderr
 */
public record Sandbox(
        Path launcher,
        int cpuSeconds,
        long memoryBytes,
        int openFiles,
        long fileSizeBytes,
        int processes,
        long diskBytes,
        Duration wallClock,
        int outputCapBytes) {

    public static final Path DEFAULT_LAUNCHER = Path.of("sandbox", "run-sandboxed");

    public Sandbox {
        if (launcher == null || wallClock == null) {
            throw new NullPointerException("launcher and wallClock are required");
        }
        positive("cpuSeconds", cpuSeconds);
        positive("memoryBytes", memoryBytes);
        positive("openFiles", openFiles);
        positive("fileSizeBytes", fileSizeBytes);
        positive("processes", processes);
        positive("diskBytes", diskBytes);
        positive("outputCapBytes", outputCapBytes);
        // the launcher takes whole seconds; a sub-second deadline would round to "no deadline" (0 is refused)
        if (wallClock.toSeconds() < 1) {
            throw new IllegalArgumentException("wallClock must be at least one second, got " + wallClock);
        }
    }

    /** 10 s CPU, 512 MiB memory, 64 files, 16 MiB files, 32 processes, 32 MiB disk, 20 s deadline, 64 KiB output. */
    public static Sandbox defaults() {
        return new Sandbox(DEFAULT_LAUNCHER, 10, 512L << 20, 64, 16L << 20, 32, 32L << 20, Duration.ofSeconds(20),
                64 << 10);
    }

    public Sandbox withLauncher(Path value) {
        return new Sandbox(value, cpuSeconds, memoryBytes, openFiles, fileSizeBytes, processes, diskBytes, wallClock,
                outputCapBytes);
    }

    public Sandbox withCpuSeconds(int value) {
        return new Sandbox(launcher, value, memoryBytes, openFiles, fileSizeBytes, processes, diskBytes, wallClock,
                outputCapBytes);
    }

    public Sandbox withWallClock(Duration value) {
        return new Sandbox(launcher, cpuSeconds, memoryBytes, openFiles, fileSizeBytes, processes, diskBytes, value,
                outputCapBytes);
    }

    public Sandbox withOutputCapBytes(int value) {
        return new Sandbox(launcher, cpuSeconds, memoryBytes, openFiles, fileSizeBytes, processes, diskBytes,
                wallClock, value);
    }

    private static void positive(String name, long value) {
        if (value <= 0) {
            throw new IllegalArgumentException(name + " must be positive, got " + value);
        }
    }
}
