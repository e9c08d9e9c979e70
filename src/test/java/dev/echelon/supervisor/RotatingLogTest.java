package dev.echelon.supervisor;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RotatingLogTest {

    @Test
    void rotatesPastTheSizeAndKeepsOnlyNFiles(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("coder-0.log");
        try (RotatingLog log = new RotatingLog(file, 100, 2)) {
            for (int i = 0; i < 50; i++) {
                log.line(String.format("line %04d of output", i)); // 20 bytes each
            }
        }
        assertTrue(Files.size(file) <= 100);
        assertTrue(Files.exists(dir.resolve("coder-0.log.1")));
        assertTrue(Files.exists(dir.resolve("coder-0.log.2")));
        assertFalse(Files.exists(dir.resolve("coder-0.log.3")), "only two rotated files are kept");
        assertTrue(Files.readString(file).contains("line 0049"), "the newest output is in the live file");
        assertEquals(5, Files.readAllLines(dir.resolve("coder-0.log.1")).size());
    }
}
