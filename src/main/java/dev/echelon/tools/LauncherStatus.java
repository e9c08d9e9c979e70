package dev.echelon.tools;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/** Reads the launcher's status line ("limit=CPU exit=152 signal=XCPU elapsed_ms=1020") and names the limit hit. */
final class LauncherStatus {
    private LauncherStatus() {
    }

    static Map<String, String> read(Path statusFile) {
        Map<String, String> fields = new HashMap<>();
        String line;
        try {
            line = Files.exists(statusFile) ? Files.readString(statusFile, StandardCharsets.UTF_8).strip() : "";
        } catch (IOException e) {
            return fields;
        }
        // "refused=" carries a free-text reason with spaces; it is the only field on its line
        if (line.startsWith("refused=")) {
            fields.put("refused", line.substring("refused=".length()));
            return fields;
        }
        for (String field : line.split("\\s+")) {
            int eq = field.indexOf('=');
            if (eq > 0) {
                fields.put(field.substring(0, eq), field.substring(eq + 1));
            }
        }
        return fields;
    }

    static LimitHit limitHit(Map<String, String> status, int exitCode, boolean stdoutCut, boolean stderrCut,
            String stderr) {
        LimitHit reported = parse(status.get("limit"));
        if (reported != LimitHit.NONE) {
            return reported;
        }
        if (stdoutCut || stderrCut) {
            return LimitHit.OUTPUT;
        }
        if (exitCode == 0) {
            return LimitHit.NONE;
        }
        // The kernel reports these as a failing call (ENOMEM, EFBIG, ENOSPC, EAGAIN), not a signal: the program's
        // last words are the only trace. Python and dash spell them as below.
        if (stderr.contains("MemoryError") || stderr.contains("Cannot allocate memory")) {
            return LimitHit.MEMORY;
        }
        if (stderr.contains("File too large")) {
            return LimitHit.FILE_SIZE;
        }
        if (stderr.contains("No space left on device")) {
            return LimitHit.DISK;
        }
        if (stderr.contains("Resource temporarily unavailable") || stderr.contains("Cannot fork")) {
            return LimitHit.PROCESSES;
        }
        return LimitHit.NONE;
    }

    private static LimitHit parse(String value) {
        if (value == null) {
            return LimitHit.NONE;
        }
        try {
            return LimitHit.valueOf(value);
        } catch (IllegalArgumentException e) {
            return LimitHit.NONE;
        }
    }
}
