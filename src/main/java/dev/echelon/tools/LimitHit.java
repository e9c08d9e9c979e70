package dev.echelon.tools;

/**
 * Which sandbox limit ended or crippled a run. WALL_CLOCK, CPU and FILE_SIZE (by signal) come from the launcher's
 * status line; OUTPUT from the truncation flags. MEMORY, PROCESSES, DISK and FILE_SIZE (when the interpreter
 * ignores SIGXFSZ, as Python does) surface only as a failing system call, so they are read from the program's
 * own error message: a program can fake one, which mislabels nothing but its own result.
 */
public enum LimitHit {
    NONE,
    WALL_CLOCK,
    CPU,
    MEMORY,
    OUTPUT,
    FILE_SIZE,
    DISK,
    PROCESSES
}
