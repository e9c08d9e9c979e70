package dev.echelon.memory;

import dev.echelon.routing.Embedder;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import org.jboss.logging.Logger;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Contextual memory: what callers said and were answered, recalled by meaning into later requests of the same API
 * key. Every change goes through one writer thread — embed, write to the store (durable when it returns), then the
 * index — so a write is acknowledged only once it survives a crash, and index snapshots always match a store
 * version. Reads (recall, search, list) run on the caller's thread, concurrently.
 */
public final class MemoryService implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(MemoryService.class);

    /** Longest text kept per memory: recall injects memories into prompts, so they must stay short. */
    public static final int MAX_TEXT_CHARS = 4000;

    /** What the memory holds and how it searches, for health data and the admin view. */
    public record Status(String backend, String index, long size, boolean ready, Optional<String> fallbackReason) {
    }

    private final MemoryStore store;
    private final MemoryIndex index;
    private final VectorIndexes indexes;
    private final Embedder embedder;
    private final MemorySettings settings;
    private final Clock clock;
    private final ExecutorService writer;
    private final ScheduledExecutorService timer;
    private final Timer recallTimer;
    private final Counter writes;
    private final Counter recalledCount;

    private MemoryService(MemoryStore store, MemoryIndex index, VectorIndexes indexes, Embedder embedder,
            MemorySettings settings, MeterRegistry metrics, Clock clock) {
        this.store = store;
        this.index = index;
        this.indexes = indexes;
        this.embedder = embedder;
        this.settings = settings;
        this.clock = clock;
        this.writer = Executors.newSingleThreadExecutor(r -> daemon(r, "echelon-memory-writer"));
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> daemon(r, "echelon-memory-timer"));
        this.recallTimer = Timer.builder("echelon.memory.search.duration")
                .description("Time to find memories for a query (embedding included)")
                .publishPercentileHistogram().register(metrics);
        this.writes = Counter.builder("echelon.memory.writes").description("Memories made durable").register(metrics);
        this.recalledCount = Counter.builder("echelon.memory.recalled")
                .description("Memories injected into requests").register(metrics);
        Gauge.builder("echelon.memory.index.size", index, MemoryIndex::size)
                .description("Vectors in the memory index").tag("backend", indexes.backend()).register(metrics);
    }

    /**
     * Starts the service: the index is opened (snapshot or rebuild) first on the writer thread, so writes queue
     * behind it; snapshots and retention run every {@link MemorySettings#snapshotEvery()}.
     */
    public static MemoryService start(MemoryStore store, VectorIndexes indexes, java.nio.file.Path snapshot,
            Embedder embedder, MemorySettings settings, MeterRegistry metrics, Clock clock) {
        MemoryIndex index = new MemoryIndex(store, indexes, snapshot);
        MemoryService service = new MemoryService(store, index, indexes, embedder, settings, metrics, clock);
        service.writer.execute(() -> {
            try {
                index.open();
            } catch (RuntimeException e) {
                LOG.errorf(e, "memory index: opening failed; searches read the store directly");
            }
        });
        long every = Math.max(1000, settings.snapshotEvery().toMillis());
        service.timer.scheduleWithFixedDelay(() -> service.writer.execute(service::maintain), every, every,
                TimeUnit.MILLISECONDS);
        return service;
    }

    private void maintain() {
        try {
            purgeNow();
            index.snapshotIfChanged();
        } catch (RuntimeException e) {
            LOG.warnf(e, "memory maintenance failed; retrying at the next interval");
        }
    }

    // ------------------------------------------------------------------ reads

    /** What to recall into a request of {@code scope} about {@code query}: top-k above the similarity threshold. */
    public List<Recalled> recall(String scope, String query) {
        List<Recalled> found = search(scope, query, settings.recallK(), settings.minSimilarity());
        recalledCount.increment(found.size());
        return found;
    }

    /**
     * The {@code k} memories of {@code scope} ranked by similarity × usefulness among those at least
     * {@code minSimilarity} similar to {@code query}.
     */
    public List<Recalled> search(String scope, String query, int k, double minSimilarity) {
        long started = System.nanoTime();
        try {
            float[] q = Vectors.unit(embedder.embed(query));
            // over-fetch by similarity, then rank by similarity × usefulness: a useful memory may be a little less similar
            List<VectorIndex.Hit> hits = index.search(scope, q, Math.max(k * 3, k + 8));
            Map<Long, Float> similar = hits.stream().filter(h -> h.score() >= minSimilarity)
                    .collect(Collectors.toMap(VectorIndex.Hit::id, VectorIndex.Hit::score, (a, b) -> a));
            List<Recalled> out = new ArrayList<>();
            for (Memory m : store.byIds(scope, similar.keySet())) {
                double sim = similar.get(m.id());
                out.add(new Recalled(m, sim, sim * m.usefulness()));
            }
            out.sort(Comparator.comparingDouble(Recalled::score).reversed()
                    .thenComparing(Comparator.comparingDouble(Recalled::similarity).reversed()));
            return out.size() > k ? List.copyOf(out.subList(0, k)) : out;
        } finally {
            recallTimer.record(System.nanoTime() - started, TimeUnit.NANOSECONDS);
        }
    }

    /** {@code scope}'s memories, newest first. */
    public List<Memory> list(String scope, int limit, int offset) {
        return store.list(scope, limit, offset);
    }

    public Optional<Memory> get(String scope, long id) {
        return store.get(id).filter(m -> m.scope().equals(scope));
    }

    public long count(String scope) {
        return store.count(scope);
    }

    // ------------------------------------------------------------------ writes (one thread)

    /**
     * Remembers {@code text} for {@code scope}. The future completes with the stored memory once it is durable (and
     * searchable); it fails when the text cannot be embedded or the store cannot write.
     */
    public CompletableFuture<Memory> remember(String scope, String session, String role, String text,
            String outcome) {
        return remember(scope, session, role, text, text, outcome);
    }

    /**
     * Remembers {@code text}, found by the meaning of {@code key}: an exchange is filed under its question, because
     * a later request is matched against what was asked, not against the answer's wording.
     */
    public CompletableFuture<Memory> remember(String scope, String session, String role, String text, String key,
            String outcome) {
        String kept = text.length() > MAX_TEXT_CHARS ? text.substring(0, MAX_TEXT_CHARS) : text;
        return onWriter(() -> {
            float[] v = Vectors.unit(embedder.embed(key));
            long id = store.add(scope, session, role, kept, key, v, outcome, clock.instant());
            index.added(id, scope, v);
            writes.increment();
            return store.get(id).orElseThrow();
        });
    }

    /** Deletes one memory of {@code scope}; completes with false when there is none with that id there. */
    public CompletableFuture<Boolean> delete(String scope, long id) {
        return onWriter(() -> {
            boolean deleted = store.delete(scope, id);
            if (deleted) {
                index.removed(List.of(id));
            }
            return deleted;
        });
    }

    /** Deletes all of {@code scope}'s memories; completes with how many there were. */
    public CompletableFuture<Integer> deleteAll(String scope) {
        return onWriter(() -> {
            List<Long> ids = store.deleteAll(scope);
            index.removed(ids);
            return ids.size();
        });
    }

    /** Usefulness feedback r ∈ [0, 1] on a memory of {@code scope}; the new value, empty when there is none. */
    public Optional<Double> reward(String scope, long id, double r) {
        return store.reward(scope, id, r, settings.eta());
    }

    /** Applies retention now (TTL and the per-key cap); completes with how many memories were purged. */
    public CompletableFuture<Integer> purge() {
        return onWriter(this::purgeNow);
    }

    private int purgeNow() {
        Instant before = settings.retention().isZero() ? Instant.EPOCH : clock.instant().minus(settings.retention());
        List<Long> ids = store.purge(before, settings.maxPerScope());
        index.removed(ids);
        if (!ids.isEmpty()) {
            LOG.infof("memory retention: purged %d memories", ids.size());
        }
        return ids.size();
    }

    public Status status() {
        return new Status(indexes.backend(), index.kind(), index.size(), index.ready(), indexes.fallbackReason());
    }

    public MemorySettings settings() {
        return settings;
    }

    /** Waits until every write submitted so far is done (tests, shutdown). */
    public void flush() {
        onWriter(() -> null).join();
    }

    @Override
    public void close() {
        timer.shutdownNow();
        writer.execute(() -> {
            try {
                index.snapshotIfChanged();
            } catch (RuntimeException e) {
                LOG.warnf(e, "memory index: the last snapshot failed; it is rebuilt from the store at the next start");
            }
        });
        writer.shutdown();
        try {
            if (!writer.awaitTermination(30, TimeUnit.SECONDS)) {
                LOG.warn("memory: writes still pending after 30 s at shutdown");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        index.close();
        store.close();
    }

    private <T> CompletableFuture<T> onWriter(Callable<T> work) {
        CompletableFuture<T> done = new CompletableFuture<>();
        try {
            writer.execute(() -> {
                try {
                    done.complete(work.call());
                } catch (Exception | LinkageError e) {
                    done.completeExceptionally(e);
                }
            });
        } catch (java.util.concurrent.RejectedExecutionException e) {
            done.completeExceptionally(new IllegalStateException("memory is shutting down"));
        }
        return done;
    }

    /** Embeds texts in the store's space, for re-embedding a store written by another model. */
    public static Function<List<String>, List<float[]>> reembedder(Embedder embedder) {
        return texts -> embedder.embedAll(texts).stream().map(Vectors::unit).toList();
    }


    private static Thread daemon(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        return t;
    }
}
