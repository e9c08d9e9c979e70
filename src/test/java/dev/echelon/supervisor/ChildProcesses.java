package dev.echelon.supervisor;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;

/** Test helpers for real child processes. */
final class ChildProcesses {

    private ChildProcesses() {
    }

    static String java() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    /** Writes an executable "llama-server" that runs {@link FakeServerProcessMain} in a fresh JVM. */
    static Path fakeLlamaServerBinary(Path dir) throws IOException {
        Path script = dir.resolve("llama-server");
        Files.writeString(script, "#!/bin/sh\nexec '" + java() + "' -Xmx128m -XX:TieredStopAtLevel=1 -cp '"
                + System.getProperty("java.class.path") + "' " + FakeServerProcessMain.class.getName() + " \"$@\"\n");
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-xr-x"));
        return script;
    }

    /** Alive and not a zombie: a zombie has exited, it only waits to be reaped. */
    static boolean running(long pid) {
        try {
            List<String> stat = Files.readAllLines(Path.of("/proc", Long.toString(pid), "stat"));
            String s = stat.get(0);
            char state = s.charAt(s.lastIndexOf(')') + 2);
            return state != 'Z' && state != 'X';
        } catch (IOException e) {
            return false;
        }
    }
}
