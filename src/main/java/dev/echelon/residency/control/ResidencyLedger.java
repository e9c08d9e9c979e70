package dev.echelon.residency.control;

import dev.echelon.journal.RotatingFile;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.echelon.registry.ResidencyState;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The residency ledger: every finished transition goes to three places — Micrometer (a counter per role and edge,
 * planned and actual duration timers, GPU/host pressure and per-role state gauges), a JSONL trace in the data
 * directory ({@code residency-trace.jsonl}, rotated at a size: {@code .1} … {@code .keep}), and a ring of the most
 * recent entries for {@code GET /admin/residency}.
 *
 * <p>Thread-safe. It never throws into the controller: an I/O failure is logged once per run of failures and the
 * entry is still kept in memory and in the metrics.
 */
public final class ResidencyLedger implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(ResidencyLedger.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path file;
    private final int capacity;
    private final MeterRegistry metrics;
    private final Deque<LedgerEntry> recent = new ArrayDeque<>();
    private final AtomicLong steps = new AtomicLong();
    private final AtomicReference<double[]> pressure = new AtomicReference<>(new double[] {0, 0});
    /** GPU used, GPU budget, host used, host budget, in bytes. */
    private final AtomicReference<long[]> bytes = new AtomicReference<>(new long[4]);
    private final Map<String, AtomicLong> stateGauges = new ConcurrentHashMap<>();
    private final RotatingFile out;
    private boolean failing;
    private boolean closed;

    /**
     * @param file     the live trace file (its directory is created); {@code null}: memory and metrics only
     * @param maxBytes rotate before a line would take the file past this size
     * @param keep     rotated files kept
     * @param capacity entries kept in memory
     */
    public ResidencyLedger(Path file, long maxBytes, int keep, int capacity, MeterRegistry metrics) {
        if (maxBytes <= 0 || keep < 0 || capacity < 1) {
            throw new IllegalArgumentException("maxBytes > 0, keep >= 0 and capacity >= 1 expected");
        }
        this.file = file;
        this.out = file == null ? null : new RotatingFile(file, maxBytes, keep);
        this.capacity = capacity;
        this.metrics = metrics;
        Gauge.builder("echelon.residency.gpu.pressure", pressure, p -> p.get()[0])
                .description("Fraction of the GPU budget the live placement uses").register(metrics);
        Gauge.builder("echelon.residency.host.pressure", pressure, p -> p.get()[1])
                .description("Fraction of the host-RAM budget the live placement uses").register(metrics);
        String[][] series = {{"echelon.residency.gpu.bytes", "used"}, {"echelon.residency.gpu.bytes", "budget"},
                {"echelon.residency.host.bytes", "used"}, {"echelon.residency.host.bytes", "budget"}};
        for (int i = 0; i < series.length; i++) {
            int at = i;
            Gauge.builder(series[i][0], bytes, b -> b.get()[at]).baseUnit("bytes").tag("kind", series[i][1])
                    .description("Bytes the settled placement uses, and the budget it must fit").register(metrics);
        }
    }

    public Path file() {
        return file;
    }

    /** The next step number: transitions are numbered when they start. */
    public long nextStep() {
        return steps.incrementAndGet();
    }

    /** Records a finished transition. Never throws. */
    public void record(LedgerEntry e) {
        Counter.builder("echelon.residency.transitions").description("Residency transitions by role, edge and outcome")
                .tag("role", e.unit()).tag("from", e.oldState().name()).tag("to", e.newState().name())
                .tag("outcome", e.ok() ? "ok" : "failed").register(metrics).increment();
        Timer.builder("echelon.residency.transition.planned").description("Planned transition time (controller clock)")
                .tag("role", e.unit()).register(metrics).record(Duration.ofNanos(Math.round(e.plannedMs() * 1e6)));
        Timer.builder("echelon.residency.transition.actual").description("Measured transition time (controller clock)")
                .tag("role", e.unit()).register(metrics).record(Duration.ofNanos(Math.round(e.actualMs() * 1e6)));
        metrics.counter("echelon.residency.bytes.moved", "role", e.unit()).increment(e.bytesMoved());
        synchronized (this) {
            if (recent.size() >= capacity) {
                recent.removeFirst();
            }
            recent.addLast(e);
            if (file != null && !closed) {
                write(e);
            }
        }
    }

    /** Updates the live gauges, with the bytes behind the pressures: used and budget, GPU and host RAM. */
    public void live(Map<String, ResidencyState> states, dev.echelon.residency.Footprint used,
            dev.echelon.residency.Budgets budgets) {
        bytes.set(new long[] {used.gpuBytes(), budgets.gpuBytes(), used.hostBytes(), budgets.hostRamBytes()});
        live(states, budgets.gpuPressure(used), budgets.hostPressure(used));
    }

    /** Updates the live gauges: the state of each role (S0 = 0 … S6 = 6) and GPU/host pressure. */
    public void live(Map<String, ResidencyState> states, double gpuPressure, double hostPressure) {
        pressure.set(new double[] {gpuPressure, hostPressure});
        states.forEach((role, s) -> stateGauges.computeIfAbsent(role, r -> {
            AtomicLong v = new AtomicLong();
            Gauge.builder("echelon.residency.state", v, AtomicLong::get)
                    .description("Residency state of a role: 0 = S0 … 6 = S6").tag("role", r).register(metrics);
            return v;
        }).set(s.ordinal()));
    }

    /** The last {@code n} entries, oldest first. */
    public synchronized List<LedgerEntry> recent(int n) {
        List<LedgerEntry> all = new ArrayList<>(recent);
        return List.copyOf(all.subList(Math.max(0, all.size() - Math.max(0, n)), all.size()));
    }

    @Override
    public synchronized void close() {
        closed = true;
        if (out != null) {
            out.close();
        }
    }

    private void write(LedgerEntry e) {
        try {
            out.line(JSON.writeValueAsString(e.toMap()));
            if (failing) {
                LOG.infof("residency trace %s is writable again", file);
                failing = false;
            }
        } catch (IOException | RuntimeException ex) {
            out.close();
            if (!failing) {
                failing = true;
                LOG.warnf("cannot write residency trace %s: %s (entries stay in memory and metrics)", file,
                        ex.toString());
            }
        }
    }

    /** The trace's lines as maps, oldest first, across {@code file.keep} … {@code file.1}, {@code file}. */
    public static List<Map<String, Object>> read(Path file, int keep) throws IOException {
        List<Path> files = new ArrayList<>();
        for (int i = keep; i >= 1; i--) {
            files.add(file.resolveSibling(file.getFileName() + "." + i));
        }
        files.add(file);
        return readAll(files);
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> readAll(Collection<Path> files) throws IOException {
        List<Map<String, Object>> out = new ArrayList<>();
        for (Path f : files) {
            if (!Files.exists(f)) {
                continue;
            }
            for (String line : Files.readAllLines(f, StandardCharsets.UTF_8)) {
                if (!line.isBlank()) {
                    try {
                        out.add(JSON.readValue(line, Map.class));
                    } catch (IOException torn) {
                        // a torn last line after a crash
                    }
                }
            }
        }
        return out;
    }
}
