package dev.echelon.supervisor;

import dev.echelon.journal.RotatingFile;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A server's captured output: {@code name.log}, rotated to {@code name.log.1} … {@code name.log.N} when it grows past
 * a size, so a chatty llama-server cannot fill the disk.
 */
final class RotatingLog implements AutoCloseable {

    private final RotatingFile file;

    RotatingLog(Path file, long maxBytes, int keep) throws IOException {
        this.file = new RotatingFile(file, maxBytes, Math.max(1, keep));
        Files.createDirectories(file.toAbsolutePath().getParent());
    }

    synchronized void write(byte[] buf, int off, int len) throws IOException {
        file.write(buf, off, len);
    }

    synchronized void line(String text) throws IOException {
        file.line(text);
    }

    @Override
    public synchronized void close() {
        file.close();
    }
}
