package dev.echelon.tools;

/** The languages the sandbox runs; each name is the word the launcher takes (sandbox/run-sandboxed). */
public enum Language {
    /** Python 3, as /usr/bin/python3 inside the sandbox. */
    PYTHON("python"),
    /** POSIX shell, as /bin/sh inside the sandbox. */
    SH("sh");

    private final String launcherName;

    Language(String launcherName) {
        this.launcherName = launcherName;
    }

    String launcherName() {
        return launcherName;
    }
}
