package dev.echelon.journal;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/**
 * An append-only file that rotates by size: before a write would take {@code file} past {@code maxBytes} it becomes
 * {@code file.1} (older ones shift to {@code .2} … {@code .keep}; {@code keep = 0} discards it). Opened lazily and
 * reopened after a failure, so a log whose disk filled up recovers by itself. Used by the server logs, the
 * escalation log and the residency trace alike. Not thread-safe: its owners write under their own lock.
 */
public final class RotatingFile implements AutoCloseable {

    private final Path file;
    private final long maxBytes;
    private final int keep;
    private OutputStream out;
    private long written;

    public RotatingFile(Path file, long maxBytes, int keep) {
        if (maxBytes <= 0 || keep < 0) {
            throw new IllegalArgumentException("maxBytes must be > 0 and keep >= 0");
        }
        this.file = file;
        this.maxBytes = maxBytes;
        this.keep = keep;
    }

    public Path path() {
        return file;
    }

    /** Appends {@code text} and a newline, as UTF-8. */
    public void line(String text) throws IOException {
        byte[] b = (text + "\n").getBytes(StandardCharsets.UTF_8);
        write(b, 0, b.length);
    }

    public void write(byte[] buf, int off, int len) throws IOException {
        if (out == null) {
            open();
        }
        if (written > 0 && written + len > maxBytes) {
            rotate();
        }
        out.write(buf, off, len);
        out.flush();
        written += len;
    }

    /** Closes the stream; the next write reopens it. Never throws: callers use it after a failed write too. */
    @Override
    public void close() {
        if (out != null) {
            try {
                out.close();
            } catch (IOException ignored) {
                // nothing to save: the next write reopens the file
            }
            out = null;
        }
    }

    private void open() throws IOException {
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        out = Files.newOutputStream(file, StandardOpenOption.CREATE, StandardOpenOption.APPEND,
                StandardOpenOption.WRITE);
        written = Files.size(file);
    }

    private void rotate() throws IOException {
        close();
        if (keep == 0) {
            Files.deleteIfExists(file);
        } else {
            Files.deleteIfExists(sibling(keep));
            for (int i = keep - 1; i >= 1; i--) {
                if (Files.exists(sibling(i))) {
                    Files.move(sibling(i), sibling(i + 1), StandardCopyOption.REPLACE_EXISTING);
                }
            }
            Files.move(file, sibling(1), StandardCopyOption.REPLACE_EXISTING);
        }
        open();
    }

    private Path sibling(int i) {
        return file.resolveSibling(file.getFileName() + "." + i);
    }
}
