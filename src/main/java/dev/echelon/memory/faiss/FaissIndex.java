package dev.echelon.memory.faiss;

import dev.echelon.memory.TopK;
import dev.echelon.memory.VectorIndex;
import org.bytedeco.javacpp.Pointer;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.locks.ReadWriteLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.LongPredicate;
import java.util.zip.CRC32C;

/**
 * A {@link VectorIndex} over libfaiss: exact (IndexFlatIP) while small, HNSW once the live vectors pass
 * {@link FaissSettings#hnswThreshold()}, both behind an IndexIDMap2 so that faiss returns store ids.
 *
 * <p>HNSW cannot delete: a removed or replaced vector becomes a tombstone (see src/main/cpp/echelon_faiss.h) that
 * searches skip, and once tombstones pass {@link FaissSettings#compactFraction()} of the rows the index is rebuilt
 * without them (as flat again if it has shrunk below half the threshold). Rebuilds that a single write triggers
 * (compactions, the switch to HNSW) run on a background thread: only copying the live rows holds the write lock, the
 * old index serves meanwhile and journals writes, and the result is swapped in after replaying them. A 1M-vector
 * HNSW build takes about 11 minutes on two cores, so holding the lock through it is not an option; the price is a
 * second copy of the vectors in memory while it runs. Bulk {@link #addAll} calls (a load at startup) rebuild inline.
 *
 * <p>Searches filter with a predicate (one scope among many) by over-fetching: the fetch grows, guided by the share
 * of hits the filter accepted, until k are accepted; when the graph would have to be walked too far, an exhaustive
 * scan of the stored rows answers instead, so the result never depends on how selective the filter is.
 *
 * <p>Thread safety: searches share a read lock and run concurrently (faiss's search is const), except that one whose
 * fetch must go deeper than efSearch holds the write lock for that search (see {@link #search}). Additions, removals,
 * the copy that starts a rebuild and the swap that ends it hold the write lock; snapshots the read lock, so searches
 * continue while one is written.
 * Native memory (about 1.6 KB per vector, plus the graph) is freed by {@link #close()}, not by the garbage collector.
 */
public final class FaissIndex implements VectorIndex, AutoCloseable {

    public static final String FLAT = "faiss-flat";
    public static final String HNSW = "faiss-hnsw";

    private static final Logger LOG = Logger.getLogger(FaissIndex.class);
    /** Searches run on request threads, many at once: one OpenMP thread each keeps them from oversubscribing. */
    private static final int SEARCH_THREADS = 1;
    /** Rows scored per JNI call in the exhaustive scan. */
    private static final int SCAN_CHUNK = 16_384;
    /**
     * Single additions between two reachability repairs, as a fraction of the rows. A repair walks the whole graph
     * (O(rows * 2M)), so one every rows/128 additions costs the same per addition whatever the size: measured 3.4 ms
     * per repair at 25k clustered vectors and 13.7 ms at 100k, about 2 % on a single addition (0.75 and 0.92 ms).
     * One every rows/1024 cost 15-19 %.
     */
    static final int REPAIR_PER_ROWS = 128;

    private final int dims;
    private volatile FaissSettings settings;
    private final ReadWriteLock lock = new ReentrantReadWriteLock();
    private Faiss.Index index;
    private volatile boolean hnsw;
    private long live;
    private long rows;
    /** Vectors added to the graph since its last reachability repair. */
    private long addedSinceRepair;
    /** Writes made while a background rebuild runs, replayed onto its result; null when none runs. */
    private List<Change> journal;
    /** Completes when the background rebuild in flight (if any) has been swapped in or abandoned. */
    private CompletableFuture<Void> rebuilding = CompletableFuture.completedFuture(null);

    /** A write to replay onto an index that was being rebuilt while it happened. */
    private sealed interface Change permits Added, Removed {
    }

    private record Added(long[] ids, float[] vectors) implements Change {
    }

    private record Removed(long id) implements Change {
    }

    /** An empty index with the default settings (flat until 20,000 vectors). */
    public FaissIndex(int dims) {
        this(dims, FaissSettings.defaults());
    }

    /** An empty index that switches to HNSW above {@code hnswThreshold} live vectors. */
    public FaissIndex(int dims, int hnswThreshold) {
        this(dims, FaissSettings.defaults().withHnswThreshold(hnswThreshold));
    }

    /** @throws IllegalStateException with the reason when the FAISS library is unavailable ({@link FaissSupport}) */
    public FaissIndex(int dims, FaissSettings settings) {
        FaissSupport.require();
        if (dims < 1) {
            throw new IllegalArgumentException("dims must be positive: " + dims);
        }
        this.dims = dims;
        this.settings = settings;
        this.index = Faiss.new_flat(dims).owned();
    }

    private FaissIndex(int dims, FaissSettings settings, Faiss.Index loaded, boolean hnsw, long live) {
        this.dims = dims;
        this.settings = settings;
        this.index = loaded;
        this.hnsw = hnsw;
        this.live = live;
        this.rows = loaded.ntotal();
        Faiss.set_ef(loaded, settings.efConstruction(), settings.efSearch());
        if (hnsw) {
            // a snapshot written before repairs existed may hold nodes no search reaches
            repair(loaded, "the snapshot's graph");
        }
    }

    @Override
    public void add(long id, float[] vector) {
        addAll(new long[] {id}, vector);
    }

    /**
     * Adds or replaces many vectors at once ({@code vectors} holds {@code ids.length} rows back to back): a rebuild
     * from the store goes through here, since one native call lets faiss insert into the graph on
     * {@link FaissSettings#buildThreads()} threads. When an id repeats, its last row wins.
     */
    @Override
    public void addAll(long[] ids, float[] vectors) {
        if (vectors.length != (long) ids.length * dims) {
            throw new IllegalArgumentException(vectors.length + " floats for " + ids.length + " vectors of " + dims);
        }
        for (long id : ids) {
            if (id < 0) {
                throw new IllegalArgumentException("ids must be non-negative (negative labels mark tombstones): " + id);
            }
        }
        Map<Long, Integer> lastRow = new LinkedHashMap<>();
        for (int i = 0; i < ids.length; i++) {
            lastRow.remove(ids[i]);
            lastRow.put(ids[i], i);
        }
        long[] keptIds = new long[lastRow.size()];
        float[] kept = keptIds.length == ids.length ? vectors : new float[keptIds.length * dims];
        int j = 0;
        for (Map.Entry<Long, Integer> e : lastRow.entrySet()) {
            keptIds[j] = e.getKey();
            if (kept != vectors) {
                System.arraycopy(vectors, e.getValue() * dims, kept, j * dims, dims);
            }
            j++;
        }
        lock.writeLock().lock();
        try {
            open();
            if (!hnsw && journal == null && live + keptIds.length > settings.hnswThreshold()) {
                // a bulk load (startup, nothing served yet) switches inline; a single addition in the background
                rebuild(true, settings.background() && ids.length == 1);
            }
            for (long id : keptIds) {
                if (Faiss.remove(index, id)) {
                    live--;
                }
            }
            Faiss.add(index, keptIds.length, kept, keptIds, settings.buildThreads());
            live += keptIds.length;
            rows = index.ntotal();
            repairIfDue(keptIds.length, keptIds.length > 1);
            if (journal != null) {
                journal.add(new Added(keptIds, kept.clone()));
            }
            compactIfWorthIt();
        } finally {
            lock.writeLock().unlock();
        }
    }

    @Override
    public void remove(long id) {
        lock.writeLock().lock();
        try {
            open();
            if (Faiss.remove(index, id)) {
                live--;
                rows = index.ntotal();
                if (journal != null) {
                    journal.add(new Removed(id));
                }
                compactIfWorthIt();
            }
        } finally {
            lock.writeLock().unlock();
        }
    }

    /** Whether {@code id} is live in the index. */
    public boolean contains(long id) {
        lock.readLock().lock();
        try {
            open();
            return Faiss.contains(index, id);
        } finally {
            lock.readLock().unlock();
        }
    }

    /**
     * Graph searches whose fetch fits within efSearch share the read lock. A filter or tombstones that need a deeper
     * fetch take the write lock for that one search, because faiss 1.7.3 keeps efSearch on the index (it ignores
     * the per-call parameter) and a fetch deeper than efSearch returns poor neighbours. Past the walk limit, an
     * exhaustive scan answers under the read lock again.
     */
    @Override
    public List<Hit> search(float[] query, int k, LongPredicate accept) {
        checkDims(query.length);
        long fetch;
        lock.readLock().lock();
        try {
            open();
            if (k <= 0 || live == 0) {
                return List.of();
            }
            if (!hnsw) {
                return searchFlat(query, k, accept);
            }
            Attempt a = walk(query, k, accept, firstFetch(k), settings.efSearch(), false);
            if (a.hits() != null) {
                return a.hits();
            }
            fetch = a.nextFetch();
        } finally {
            lock.readLock().unlock();
        }
        if (fetch <= walkLimit(k)) {
            lock.writeLock().lock();
            try {
                open();
                if (live == 0 || !hnsw) { // changed while no lock was held
                    return live == 0 ? List.of() : searchFlat(query, k, accept);
                }
                Attempt a = walk(query, k, accept, fetch, walkLimit(k), true);
                if (a.hits() != null) {
                    return a.hits();
                }
            } finally {
                lock.writeLock().unlock();
            }
        }
        lock.readLock().lock();
        try {
            open();
            return live == 0 ? List.of() : hnsw ? scan(query, k, accept) : searchFlat(query, k, accept);
        } finally {
            lock.readLock().unlock();
        }
    }

    /**
     * Unfiltered search of many queries ({@code queries} holds them back to back) in one native call: faiss scores a
     * batch of 20 or more against the flat index through BLAS (sgemm), and spreads HNSW queries over
     * {@link FaissSettings#buildThreads()} threads. Answers in query order.
     */
    public List<List<Hit>> searchBatch(float[] queries, int k) {
        if (queries.length % dims != 0) {
            throw new IllegalArgumentException(queries.length + " floats is not a whole number of " + dims + "-vectors");
        }
        int n = queries.length / dims;
        lock.readLock().lock();
        try {
            open();
            List<List<Hit>> out = new ArrayList<>(n);
            if (k <= 0 || live == 0) {
                for (int i = 0; i < n; i++) {
                    out.add(List.of());
                }
                return out;
            }
            int fetch = (int) Math.min(rows, k + (rows > live ? k : 0));
            float[] scores = new float[n * fetch];
            long[] labels = new long[n * fetch];
            Faiss.search(index, n, queries, fetch, settings.buildThreads(), scores, labels);
            long wanted = Math.min(k, live);
            for (int q = 0; q < n; q++) {
                List<Hit> hits = collect(scores, labels, q * fetch, fetch, k, id -> true);
                if (hits.size() < wanted) {
                    // tombstones crowded this query's fetch: answer it on its own
                    float[] one = new float[dims];
                    System.arraycopy(queries, q * dims, one, 0, dims);
                    hits = searchShared(one, k, id -> true);
                }
                out.add(hits);
            }
            return out;
        } finally {
            lock.readLock().unlock();
        }
    }

    /** Flat search is exact: if the first pass finds too few accepted hits, the second fetches every row. */
    private List<Hit> searchFlat(float[] query, int k, LongPredicate accept) {
        int fetch = (int) Math.min(rows, k);
        while (true) {
            List<Hit> hits = fetch(query, fetch, k, accept);
            if (hits.size() >= k || fetch >= rows) {
                return hits;
            }
            fetch = (int) rows;
        }
    }

    /** A graph search: hits when complete, or else how deep the next fetch should go. */
    private record Attempt(List<Hit> hits, long nextFetch) {
    }

    /** Enough for k live hits, given the share of rows that are tombstones. */
    private long firstFetch(int k) {
        return Math.min(rows, k + (long) Math.ceil(k * (rows - live) / (double) live));
    }

    /** Beyond this fetch, walking the graph costs about as much as scoring every row. */
    private long walkLimit(int k) {
        return Math.min(rows / 2, Math.max(4L * settings.efSearch() + k, rows / 64));
    }

    /**
     * Fetches deeper until k hits are accepted or the fetch would pass {@code maxFetch}. With {@code widenEf} (the
     * caller holds the write lock) efSearch is raised to each fetch for the call and restored afterwards.
     */
    private Attempt walk(float[] query, int k, LongPredicate accept, long fetch, long maxFetch, boolean widenEf) {
        try {
            while (fetch <= maxFetch) {
                int f = (int) fetch;
                if (widenEf) {
                    Faiss.set_ef(index, settings.efConstruction(), Math.max(settings.efSearch(), f));
                }
                float[] scores = new float[f];
                long[] labels = new long[f];
                Faiss.search(index, 1, query, f, SEARCH_THREADS, scores, labels);
                int valid = 0;
                int accepted = 0;
                for (long label : labels) {
                    if (label >= 0) {
                        valid++;
                        if (accept.test(label)) {
                            accepted++;
                        }
                    }
                }
                if (accepted >= k || valid >= live) {
                    return new Attempt(collect(scores, labels, 0, f, k, accept), 0);
                }
                // grow by the observed acceptance rate (with a margin), at least doubling and at most 16-fold
                double rate = accepted / (double) f;
                long next = accepted == 0 ? fetch * 16 : (long) Math.ceil(k / rate * 1.5);
                fetch = Math.max(fetch * 2, Math.min(next, fetch * 16));
            }
            return new Attempt(null, fetch);
        } finally {
            if (widenEf) {
                Faiss.set_ef(index, settings.efConstruction(), settings.efSearch());
            }
        }
    }

    /** Under the read lock only: the graph within efSearch, else the exhaustive scan. */
    private List<Hit> searchShared(float[] query, int k, LongPredicate accept) {
        if (!hnsw) {
            return searchFlat(query, k, accept);
        }
        Attempt a = walk(query, k, accept, firstFetch(k), settings.efSearch(), false);
        return a.hits() != null ? a.hits() : scan(query, k, accept);
    }

    private List<Hit> fetch(float[] query, int fetch, int k, LongPredicate accept) {
        float[] scores = new float[fetch];
        long[] labels = new long[fetch];
        Faiss.search(index, 1, query, fetch, SEARCH_THREADS, scores, labels);
        return collect(scores, labels, 0, fetch, k, accept);
    }

    /** faiss answers best first; keeps up to k live, accepted hits in that order. */
    private static List<Hit> collect(float[] scores, long[] labels, int from, int count, int k, LongPredicate accept) {
        List<Hit> hits = new ArrayList<>(k);
        for (int i = from; i < from + count && hits.size() < k; i++) {
            long id = labels[i];
            if (id >= 0 && accept.test(id)) {
                hits.add(new Hit(id, scores[i]));
            }
        }
        return hits;
    }

    /** Exact answer: every stored row scored, tombstones and rejected ids skipped. */
    private List<Hit> scan(float[] query, int k, LongPredicate accept) {
        TopK top = new TopK(k);
        float[] scores = new float[(int) Math.min(SCAN_CHUNK, rows)];
        long[] labels = new long[scores.length];
        for (long from = 0; from < rows; from += SCAN_CHUNK) {
            long to = Math.min(rows, from + SCAN_CHUNK);
            Faiss.scan(index, query, from, to, scores, labels);
            for (int i = 0; i < to - from; i++) {
                long id = labels[i];
                if (id >= 0 && top.admits(scores[i]) && accept.test(id)) {
                    top.offer(id, scores[i]);
                }
            }
        }
        return top.best();
    }

    /** Live vectors (what a search can return). */
    @Override
    public long size() {
        lock.readLock().lock();
        try {
            return live;
        } finally {
            lock.readLock().unlock();
        }
    }

    /** Removed or replaced vectors still in the HNSW graph, awaiting compaction; always 0 for flat. */
    public long tombstones() {
        lock.readLock().lock();
        try {
            return rows - live;
        } finally {
            lock.readLock().unlock();
        }
    }

    @Override
    public String kind() {
        return hnsw ? HNSW : FLAT;
    }

    public int dims() {
        return dims;
    }

    public FaissSettings settings() {
        return settings;
    }

    /**
     * Changes efSearch (recall against latency; see bench/memory). It is index state in faiss 1.7.3, which ignores
     * the per-call parameter, so the change waits for running searches and applies to the next ones.
     */
    public void efSearch(int efSearch) {
        lock.writeLock().lock();
        try {
            open();
            settings = settings.withEf(settings.efConstruction(), efSearch);
            Faiss.set_ef(index, settings.efConstruction(), efSearch);
        } finally {
            lock.writeLock().unlock();
        }
    }

    /**
     * Writes a snapshot that reflects {@code storeVersion}: faiss's bytes, then a {@link SnapshotTrailer} (kind,
     * dims, version, counts, length, CRC32C), to a temporary file that is fsynced and atomically renamed over
     * {@code file}, so a crash leaves either the old snapshot or the new one. Searches continue meanwhile.
     */
    public void save(Path file, long storeVersion) throws IOException {
        Path abs = file.toAbsolutePath();
        Path tmp = abs.resolveSibling(abs.getFileName() + ".tmp");
        lock.readLock().lock();
        try {
            open();
            Files.createDirectories(abs.getParent());
            Files.deleteIfExists(tmp);
            Faiss.save(index, tmp.toString());
            long length = Files.size(tmp);
            SnapshotTrailer trailer = new SnapshotTrailer(hnsw, dims, storeVersion, live, rows, length, crc(tmp, length));
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE, StandardOpenOption.APPEND)) {
                ByteBuffer b = trailer.encode();
                while (b.hasRemaining()) {
                    ch.write(b);
                }
                ch.force(true);
            }
            Files.move(tmp, abs, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            try (FileChannel dir = FileChannel.open(abs.getParent(), StandardOpenOption.READ)) {
                dir.force(true); // the rename itself survives a crash only once the directory is synced
            }
        } catch (RuntimeException e) {
            Files.deleteIfExists(tmp);
            throw new IOException("could not write the FAISS snapshot " + abs + ": " + e.getMessage(), e);
        } finally {
            lock.readLock().unlock();
        }
    }

    /** {@link #load(Path, int, long, FaissSettings)} with the default settings. */
    public static Optional<FaissIndex> load(Path file, int dims, long expectedVersion) {
        return load(file, dims, expectedVersion, FaissSettings.defaults());
    }

    /**
     * The snapshot at {@code file} if it is complete, intact, of {@code dims} dimensions and taken at
     * {@code expectedVersion} of the store; otherwise empty (the reason is logged), and the caller rebuilds from
     * the store. Checks run before faiss parses anything, because faiss trusts the sizes it reads.
     *
     * @throws IllegalStateException when the FAISS library is unavailable
     */
    public static Optional<FaissIndex> load(Path file, int dims, long expectedVersion, FaissSettings settings) {
        FaissSupport.require();
        Optional<String> refusal;
        try {
            refusal = refusal(file, dims, expectedVersion);
        } catch (IOException e) {
            refusal = Optional.of("unreadable: " + e.getMessage());
        }
        if (refusal.isPresent()) {
            LOG.infof("FAISS snapshot %s not used (%s); the index will be rebuilt from the store", file, refusal.get());
            return Optional.empty();
        }
        SnapshotTrailer t;
        try {
            t = trailer(file).orElseThrow();
        } catch (IOException e) {
            LOG.infof("FAISS snapshot %s not used (unreadable: %s)", file, e.getMessage());
            return Optional.empty();
        }
        Faiss.Index loaded = null;
        try {
            loaded = Faiss.load(file.toAbsolutePath().toString()).owned();
            long liveLoaded = Faiss.live_count(loaded);
            if (loaded.d() != dims || loaded.ntotal() != t.rows() || liveLoaded != t.live()
                    || Faiss.is_hnsw(loaded) != t.hnsw()) {
                LOG.infof("FAISS snapshot %s not used (its contents disagree with its trailer)", file);
                loaded.close();
                return Optional.empty();
            }
            return Optional.of(new FaissIndex(dims, settings, loaded, t.hnsw(), liveLoaded));
        } catch (RuntimeException e) {
            if (loaded != null) {
                loaded.close();
            }
            LOG.infof("FAISS snapshot %s not used (faiss could not read it: %s)", file, e.getMessage());
            return Optional.empty();
        }
    }

    private static Optional<String> refusal(Path file, int dims, long expectedVersion) throws IOException {
        if (!Files.isRegularFile(file)) {
            return Optional.of("missing");
        }
        Optional<SnapshotTrailer> trailer = trailer(file);
        if (trailer.isEmpty()) {
            return Optional.of("no valid trailer: truncated or not a snapshot");
        }
        SnapshotTrailer t = trailer.get();
        if (t.payloadLength() != Files.size(file) - SnapshotTrailer.SIZE) {
            return Optional.of("truncated: " + Files.size(file) + " bytes for a payload of " + t.payloadLength());
        }
        if (t.dims() != dims) {
            return Optional.of(t.dims() + " dimensions, expected " + dims);
        }
        if (t.storeVersion() != expectedVersion) {
            return Optional.of("taken at store version " + t.storeVersion() + ", the store is at " + expectedVersion);
        }
        if (crc(file, t.payloadLength()) != t.crc()) {
            return Optional.of("checksum mismatch: corrupted");
        }
        return Optional.empty();
    }

    private static Optional<SnapshotTrailer> trailer(Path file) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = ch.size();
            if (size < SnapshotTrailer.SIZE) {
                return Optional.empty();
            }
            ByteBuffer b = ByteBuffer.allocate(SnapshotTrailer.SIZE);
            while (b.hasRemaining() && ch.read(b, size - SnapshotTrailer.SIZE + b.position()) > 0) {
                // read until the trailer is complete
            }
            return SnapshotTrailer.decode(b.flip());
        }
    }

    private static long crc(Path file, long length) throws IOException {
        CRC32C crc = new CRC32C();
        ByteBuffer b = ByteBuffer.allocateDirect(1 << 20);
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            long left = length;
            while (left > 0) {
                b.clear().limit((int) Math.min(b.capacity(), left));
                int r = ch.read(b);
                if (r < 0) {
                    throw new IOException("file ended " + left + " bytes early");
                }
                left -= r;
                crc.update(b.flip());
            }
        }
        return crc.getValue();
    }

    /**
     * Waits until no background rebuild is in flight (one that finishes may start another, when the writes it
     * replayed left enough tombstones). For tests, benchmarks and orderly shutdown.
     */
    public void awaitRebuild() throws InterruptedException {
        while (true) {
            CompletableFuture<Void> pending;
            lock.readLock().lock();
            try {
                pending = rebuilding;
            } finally {
                lock.readLock().unlock();
            }
            if (pending.isDone()) {
                return;
            }
            try {
                pending.get();
            } catch (java.util.concurrent.ExecutionException e) {
                return; // a failed rebuild is logged where it fails; the old index still serves
            }
        }
    }

    /** Whether a background rebuild is in flight (health data). */
    public boolean rebuildInFlight() {
        lock.readLock().lock();
        try {
            return !rebuilding.isDone();
        } finally {
            lock.readLock().unlock();
        }
    }

    /** Frees the native index; a background rebuild in flight is abandoned. Later calls throw. */
    @Override
    public void close() {
        lock.writeLock().lock();
        try {
            if (index != null) {
                index.close();
                index = null;
                journal = null;
            }
        } finally {
            lock.writeLock().unlock();
        }
    }

    private void compactIfWorthIt() {
        long tombstones = rows - live;
        if (hnsw && journal == null && tombstones > settings.compactFraction() * rows) {
            rebuild(live >= settings.hnswThreshold() / 2, settings.background());
        }
    }

    /**
     * Rebuilds with the live vectors only, as HNSW or flat; the caller holds the write lock. Inline, the new index
     * replaces the old at once. In the background, the live rows are copied now (the only part that needs the
     * lock), the build runs on its own thread while the old index keeps serving and journals every write, and the
     * result is swapped in once the journal has been replayed onto it.
     */
    private void rebuild(boolean asHnsw, boolean inBackground) {
        long t0 = System.nanoTime();
        Pointer staged = Faiss.stage(index);
        long dropped = rows - live;
        if (!inBackground) {
            try {
                swapIn(build(staged, asHnsw), asHnsw, t0, dropped);
            } finally {
                Faiss.delete_staged(staged);
            }
            return;
        }
        journal = new ArrayList<>();
        CompletableFuture<Void> done = new CompletableFuture<>();
        rebuilding = done;
        Thread t = new Thread(() -> {
            try {
                Faiss.Index next = null;
                try {
                    next = build(staged, asHnsw);
                } catch (RuntimeException e) {
                    LOG.warnf("FAISS background rebuild as %s failed; the current index keeps serving: %s",
                            asHnsw ? HNSW : FLAT, e.getMessage());
                } finally {
                    Faiss.delete_staged(staged);
                }
                finishInBackground(next, asHnsw, t0, dropped);
            } finally {
                done.complete(null);
            }
        }, "faiss-rebuild");
        t.setDaemon(true);
        t.start();
    }

    /** A new index from staged rows; a graph is repaired before anyone can search it. */
    private Faiss.Index build(Pointer staged, boolean asHnsw) {
        Faiss.Index built = Faiss.build(staged, asHnsw, settings.m(), settings.efConstruction(), settings.efSearch(),
                settings.buildThreads()).owned();
        if (asHnsw) {
            repair(built, "the rebuilt graph");
        }
        return built;
    }

    /**
     * HNSW can leave a node that no search reaches, a stored memory never recalled (echelon_faiss.h measures how
     * often). A bulk addition is repaired at once; single additions are, once they add up to rows/128, so a node
     * that a single addition orphans stays unfindable for fewer than that many further additions. The caller holds
     * the write lock.
     */
    private void repairIfDue(long added, boolean bulk) {
        if (!hnsw) {
            return;
        }
        addedSinceRepair += added;
        if (bulk || addedSinceRepair * REPAIR_PER_ROWS >= rows) {
            repair(index, "the graph");
            addedSinceRepair = 0;
        }
    }

    /** Links back what no search reached, saying so when there was any. */
    private static void repair(Faiss.Index graph, String what) {
        long linked = Faiss.repair_reachability(graph);
        if (linked > 0) {
            LOG.infof("FAISS: %d node(s) of %s that no search reached linked back in", linked, what);
        }
    }

    private void finishInBackground(Faiss.Index next, boolean asHnsw, long t0, long dropped) {
        lock.writeLock().lock();
        try {
            List<Change> changes = journal;
            journal = null;
            if (next == null) {
                return;
            }
            if (index == null) { // closed meanwhile
                next.close();
                return;
            }
            long replayed = 0;
            for (Change c : changes) {
                if (c instanceof Added a) {
                    for (long id : a.ids()) {
                        Faiss.remove(next, id);
                    }
                    Faiss.add(next, a.ids().length, a.vectors(), a.ids(), settings.buildThreads());
                    replayed += a.ids().length;
                } else if (c instanceof Removed r) {
                    Faiss.remove(next, r.id());
                }
            }
            swapIn(next, asHnsw, t0, dropped);
            repairIfDue(replayed, false);
            compactIfWorthIt();
        } finally {
            lock.writeLock().unlock();
        }
    }

    /** The caller holds the write lock. {@code live} is unchanged: the new index holds the same live ids. */
    private void swapIn(Faiss.Index next, boolean asHnsw, long t0, long dropped) {
        index.close();
        index = next;
        hnsw = asHnsw;
        rows = next.ntotal();
        addedSinceRepair = 0; // build() repaired it
        Faiss.set_ef(next, settings.efConstruction(), settings.efSearch());
        LOG.infof("FAISS index rebuilt as %s: %d vectors (%d tombstones dropped) in %d ms", asHnsw ? HNSW : FLAT,
                live, dropped, (System.nanoTime() - t0) / 1_000_000);
    }

    private void open() {
        if (index == null) {
            throw new IllegalStateException("the FAISS index is closed");
        }
    }

    private void checkDims(int n) {
        if (n != dims) {
            throw new IllegalArgumentException("vector has " + n + " dimensions, the index " + dims);
        }
    }
}
