package dev.echelon.tools;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntPredicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The uids sandboxed programs run as, one run per uid at a time.
 *
 * <p>Why not one shared uid: the process limit (RLIMIT_NPROC) counts every process of the uid on the machine, so
 * with one uid for all runs a fork bomb, or the processes of a run still being torn down, spend the process budget of
 * every other run started meanwhile ("bwrap: Can't fork for pid 1"). One uid per run gives each its own budget, as
 * isolate (the IOI sandbox, boxes from uid 60000) does.
 *
 * <p>A uid is leased only while no process of it is alive, so a run never inherits a predecessor's dying processes;
 * leases rotate through the range, which leaves a released uid the longest time to empty before it comes round
 * again. Leases are shared by every pool in the JVM (uids are a machine-wide resource); two services on one machine
 * should be given ranges of their own.
 */
public final class SandboxUids {

    /** 64 uids from 60000: Debian's regular users end at 59999, and 60000–64999 are allocated only on demand. */
    public static final String DEFAULT_RANGE = "60000-60063";

    /** One uid or first-last; nine digits at most, so that each end fits an int. */
    private static final Pattern RANGE = Pattern.compile("(\\d{1,9})(?:-(\\d{1,9}))?");

    private static final Set<Integer> LEASED = ConcurrentHashMap.newKeySet();

    private final int first;
    private final int last;
    private final IntPredicate hasProcesses;
    private final AtomicInteger next = new AtomicInteger();

    /**
     * @param hasProcesses whether a process of the uid is alive (on Linux: {@link #procHasProcesses})
     */
    public SandboxUids(int first, int last, IntPredicate hasProcesses) {
        if (first <= 0 || last < first) {
            throw new IllegalArgumentException("sandbox uids must be a range of positive uids first-last, got "
                    + first + "-" + last + " (uid 0 would run programs as root)");
        }
        this.first = first;
        this.last = last;
        this.hasProcesses = hasProcesses;
    }

    /** {@link #DEFAULT_RANGE}, checked against {@code /proc}. */
    public static SandboxUids defaults() {
        return parse(DEFAULT_RANGE);
    }

    /** {@code 60000-60063}, or one uid ({@code 65534}: one run at a time). */
    public static SandboxUids parse(String range) {
        Matcher m = RANGE.matcher(range.strip());
        if (!m.matches()) {
            throw new IllegalArgumentException("sandbox uids must be first-last (e.g. " + DEFAULT_RANGE
                    + ") or one uid, got '" + range + "'");
        }
        int first = Integer.parseInt(m.group(1));
        int last = m.group(2) == null ? first : Integer.parseInt(m.group(2));
        return new SandboxUids(first, last, SandboxUids::procHasProcesses);
    }

    public int first() {
        return first;
    }

    public int last() {
        return last;
    }

    public int size() {
        return last - first + 1;
    }

    /**
     * The next uid that no run holds and no process uses.
     *
     * @throws SandboxUnavailableException when every uid of the range is held or still has processes
     */
    public Lease lease() {
        int size = size();
        int start = Math.floorMod(next.getAndIncrement(), size);
        for (int i = 0; i < size; i++) {
            int uid = first + (start + i) % size;
            if (!LEASED.add(uid)) {
                continue;
            }
            boolean free = false;
            try {
                free = !hasProcesses.test(uid);
            } finally {
                if (!free) {
                    LEASED.remove(uid); // still has processes, or could not be checked: not this run's
                }
            }
            if (free) {
                next.set(start + i + 1);
                return new Lease(uid);
            }
        }
        throw new SandboxUnavailableException("all " + size + " sandbox uids (" + first + "-" + last
                + ") are in use by running programs; try again when one ends, or give ORCHESTRATOR_SANDBOX_UIDS a "
                + "larger range");
    }

    /**
     * Whether a process whose effective uid is {@code uid} is alive: the owner of its {@code /proc/PID}.
     *
     * @throws SandboxUnavailableException when {@code /proc} cannot be read: a uid that cannot be checked is not
     *     leased, since its run might share its process limit with a predecessor's processes
     */
    public static boolean procHasProcesses(int uid) {
        try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
            return procs.filter(p -> p.getFileName().toString().chars().allMatch(Character::isDigit))
                    .anyMatch(p -> ownedBy(p, uid));
        } catch (IOException | UncheckedIOException e) {
            throw new SandboxUnavailableException("cannot read /proc to check that sandbox uid " + uid
                    + " has no processes left: " + e.getMessage());
        }
    }

    /** A process that ended while /proc was being read owns nothing. */
    private static boolean ownedBy(Path proc, int uid) {
        try {
            return ((Integer) Files.getAttribute(proc, "unix:uid")) == uid;
        } catch (NoSuchFileException e) {
            return false;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** One run's uid; closing it returns the uid to the pool. */
    public static final class Lease implements AutoCloseable {
        private final int uid;
        private boolean closed;

        private Lease(int uid) {
            this.uid = uid;
        }

        public int uid() {
            return uid;
        }

        @Override
        public synchronized void close() {
            if (!closed) {
                closed = true;
                LEASED.remove(uid);
            }
        }
    }
}
