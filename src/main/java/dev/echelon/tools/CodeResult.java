package dev.echelon.tools;

/**
 * What one sandboxed run gave back. Output is cut at the sandbox's cap; the flags say whether it was.
 *
 * @param exitCode the program's exit status, 128 + N when signal N ended it
 * @param durationMs wall-clock time of the whole launch, sandbox set-up included
 */
public record CodeResult(
        int exitCode,
        String stdout,
        String stderr,
        boolean stdoutTruncated,
        boolean stderrTruncated,
        long durationMs,
        LimitHit limitHit) {

    public CodeResult {
        if (stdout == null || stderr == null || limitHit == null) {
            throw new NullPointerException("stdout, stderr and limitHit are required");
        }
    }

    /** True when the program exited 0 and no limit was reached. */
    public boolean succeeded() {
        return exitCode == 0 && limitHit == LimitHit.NONE;
    }
}
