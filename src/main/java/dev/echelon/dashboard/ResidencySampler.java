package dev.echelon.dashboard;

import dev.echelon.residency.Footprint;
import dev.echelon.residency.control.ResidencyController;
import dev.echelon.residency.control.ResidencySnapshot;
import io.quarkus.runtime.StartupEvent;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.jboss.logging.Logger;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Keeps the dashboard's history of residency: one {@link ResidencySample} per second for the last ten minutes, in a
 * ring. The controller only knows its present; the timeline and the GPU-pressure chart need its recent past.
 */
@ApplicationScoped
public class ResidencySampler {

    private static final Logger LOG = Logger.getLogger(ResidencySampler.class);
    static final int CAPACITY = 600;
    static final long PERIOD_MS = 1_000;

    private final ResidencyController residency;
    private final Deque<ResidencySample> ring = new ArrayDeque<>(CAPACITY);
    private ScheduledExecutorService timer;

    public ResidencySampler(ResidencyController residency) {
        this.residency = residency;
    }

    void start(@Observes StartupEvent event) {
        timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "echelon-dashboard-sampler");
            t.setDaemon(true);
            return t;
        });
        timer.scheduleAtFixedRate(this::sampleSafely, 0, PERIOD_MS, TimeUnit.MILLISECONDS);
    }

    @PreDestroy
    void stop() {
        if (timer != null) {
            timer.shutdownNow();
        }
    }

    private void sampleSafely() {
        try {
            add(sample());
        } catch (RuntimeException e) {
            // a failed sample is a gap in the chart, never a dead sampler (a thrown exception would end the schedule)
            LOG.debugf("dashboard sample skipped: %s", e.toString());
        }
    }

    ResidencySample sample() {
        ResidencySnapshot snap = residency.snapshot();
        Map<String, String> states = new TreeMap<>();
        residency.model().roles().keySet().forEach(r -> states.put(r, snap.live(r).state().name()));
        Footprint used = snap.reserved(residency.model());
        var budgets = residency.model().budgets();
        return new ResidencySample(System.currentTimeMillis(), states, used.gpuBytes(), budgets.gpuBytes(),
                used.hostBytes(), budgets.hostRamBytes());
    }

    synchronized void add(ResidencySample s) {
        if (ring.size() >= CAPACITY) {
            ring.removeFirst();
        }
        ring.addLast(s);
    }

    /** The samples of the last {@code seconds}, oldest first. */
    public synchronized List<ResidencySample> last(int seconds) {
        long from = System.currentTimeMillis() - seconds * 1000L;
        return ring.stream().filter(s -> s.epochMs() >= from).toList();
    }
}
