package dev.echelon.escalation;

import dev.echelon.journal.RotatingFile;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Objects;

/**
 * The escalation log: every {@link EscalationEvent} as one JSON line in a file (e.g. {@code data/escalations.jsonl}),
 * flushed per line and rotated at a size ({@code file} → {@code file.1} → {@code file.2} …, the oldest beyond
 * {@code keep} deleted), plus the most recent events in memory for {@code /admin}.
 *
 * <p>Thread-safe. It never throws into the request path: an I/O failure is logged as a warning (once per run of
 * failures), the event is still kept in memory, and the file is reopened on the next append.
 */
public final class EscalationLog implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(EscalationLog.class);

    /** Default in-memory capacity. */
    public static final int RECENT = 200;

    private final Path file;
    private final int capacity;
    private final Deque<EscalationEvent> recent = new ArrayDeque<>();
    private final RotatingFile out;
    private boolean failing;
    private long failedLines;
    private boolean closed;

    /**
     * @param file     the live log file; its directory is created if missing. {@code null}: memory only
     * @param maxBytes rotate before a line would take the file past this size
     * @param keep     rotated files to keep ({@code file.1} … {@code file.keep}); 0 discards the old file at rotation
     * @param capacity events kept in memory for {@link #recent}
     */
    public EscalationLog(Path file, long maxBytes, int keep, int capacity) {
        if (maxBytes <= 0 || keep < 0 || capacity < 0) {
            throw new IllegalArgumentException("maxBytes must be > 0, keep and capacity >= 0");
        }
        this.file = file;
        this.out = file == null ? null : new RotatingFile(file, maxBytes, keep);
        this.capacity = capacity;
    }

    /** 10 MiB per file, 5 rotated files, the last {@value #RECENT} events in memory. */
    public EscalationLog(Path file) {
        this(file, 10L * 1024 * 1024, 5, RECENT);
    }

    /** No file: events are only kept in memory. */
    public static EscalationLog inMemory(int capacity) {
        return new EscalationLog(null, Long.MAX_VALUE, 0, capacity);
    }

    public Path file() {
        return file;
    }

    /** Records an event. Never throws. */
    public void append(EscalationEvent event) {
        if (event == null) {
            return;
        }
        synchronized (this) {
            if (capacity > 0) {
                if (recent.size() >= capacity) {
                    recent.removeFirst();
                }
                recent.addLast(event);
            }
            if (file == null || closed) {
                return;
            }
            try {
                out.line(event.toJson());
                if (failing) {
                    LOG.infof("escalation log %s writable again (%d lines were lost)", file, failedLines);
                    failing = false;
                }
            } catch (IOException | RuntimeException e) {
                failedLines++;
                out.close();
                if (!failing) {
                    failing = true;
                    LOG.warnf("cannot write escalation log %s: %s (the event is kept in memory only; "
                            + "further failures are not logged until it recovers)", file, e.toString());
                }
            }
        }
    }

    /** The last {@code n} events (fewer if fewer were recorded), oldest first. */
    public synchronized List<EscalationEvent> recent(int n) {
        int skip = Math.max(0, recent.size() - Math.max(0, n));
        List<EscalationEvent> out = new ArrayList<>(recent.size() - skip);
        int i = 0;
        for (EscalationEvent e : recent) {
            if (i++ >= skip) {
                out.add(e);
            }
        }
        return out;
    }

    /** Lines that could not be written since the log was opened. */
    public synchronized long failedLines() {
        return failedLines;
    }

    @Override
    public synchronized void close() {
        closed = true;
        if (out != null) {
            out.close();
        }
    }

    /** Convenience for tests and tools: the events of one log file, unparseable lines skipped. */
    public static List<EscalationEvent> read(Path file) throws IOException {
        Objects.requireNonNull(file, "file");
        List<EscalationEvent> events = new ArrayList<>();
        for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
            if (!line.isBlank()) {
                try {
                    events.add(EscalationEvent.fromJson(line));
                } catch (IllegalArgumentException ignored) {
                    // a torn last line after a crash
                }
            }
        }
        return events;
    }
}
