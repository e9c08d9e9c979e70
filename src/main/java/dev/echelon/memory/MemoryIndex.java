package dev.echelon.memory;

import org.jboss.logging.Logger;

import java.nio.file.Path;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Keeps a {@link VectorIndex} in step with the {@link MemoryStore}, which is the truth. At startup the saved snapshot
 * is used when it was written at the store's current version; otherwise (missing, corrupt, out of step after a
 * crash) the index is rebuilt from the store. Until it is ready, searches score the caller's own memories straight
 * from the store, so recall is never wrong, only slower. Searches see only the caller's scope: the filter is an
 * id → scope map kept beside the index.
 *
 * <p>Writes come from one thread (the memory writer), which is also the one that saves snapshots, so a snapshot's
 * version always matches its contents. Searches run concurrently.
 */
public final class MemoryIndex implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(MemoryIndex.class);
    private static final int REBUILD_BATCH = 10_000;

    private final MemoryStore store;
    private final VectorIndexes indexes;
    private final Path snapshot;
    private final Map<Long, String> scopeOf = new ConcurrentHashMap<>();
    private volatile VectorIndex index;
    private volatile boolean ready;
    private long savedVersion = -1;

    public MemoryIndex(MemoryStore store, VectorIndexes indexes, Path snapshot) {
        this.store = store;
        this.indexes = indexes;
        this.snapshot = snapshot;
    }

    /**
     * Loads the snapshot or rebuilds from the store. Run it off the request path: rebuilding a large HNSW index
     * takes minutes. Writes that arrive meanwhile are queued behind it on the writer thread.
     */
    public void open() {
        long version = store.version();
        long started = System.nanoTime();
        store.forEachScope(scopeOf::put);
        VectorIndex loaded = indexes.load(snapshot, store.dims(), version).orElse(null);
        if (loaded != null && loaded.size() == scopeOf.size()) {
            index = loaded;
            savedVersion = version;
            LOG.infof("memory index: %d memories from the snapshot (%s) in %d ms", loaded.size(), loaded.kind(),
                    (System.nanoTime() - started) / 1_000_000);
        } else {
            if (loaded instanceof AutoCloseable c) {
                closeQuietly(c);
            }
            VectorIndex fresh = indexes.create(store.dims());
            rebuild(fresh);
            index = fresh;
            LOG.infof("memory index: rebuilt %d memories from the store (%s) in %d ms", fresh.size(), fresh.kind(),
                    (System.nanoTime() - started) / 1_000_000);
        }
        ready = true;
    }

    /** Fills {@code fresh} from the store in batches (one native call per batch for FAISS: parallel insertion). */
    private void rebuild(VectorIndex fresh) {
        int dims = store.dims();
        long[] ids = new long[REBUILD_BATCH];
        float[] rows = new float[REBUILD_BATCH * dims];
        int[] n = {0};
        store.forEachVector(m -> {
            System.arraycopy(m.vector(), 0, rows, n[0] * dims, dims);
            ids[n[0]++] = m.id();
            if (n[0] == REBUILD_BATCH) {
                fresh.addAll(ids, rows);
                n[0] = 0;
            }
        });
        if (n[0] > 0) {
            fresh.addAll(java.util.Arrays.copyOf(ids, n[0]), java.util.Arrays.copyOf(rows, n[0] * dims));
        }
    }

    public boolean ready() {
        return ready;
    }

    /** Records a memory the store has just made durable. */
    public void added(long id, String scope, float[] vector) {
        scopeOf.put(id, scope);
        VectorIndex i = index;
        if (i != null) {
            i.add(id, vector);
        }
    }

    /** Forgets memories the store has just deleted. */
    public void removed(Collection<Long> ids) {
        VectorIndex i = index;
        for (long id : ids) {
            if (i != null) {
                i.remove(id);
            }
            scopeOf.remove(id);
        }
    }

    /** The {@code k} memories of {@code scope} most similar to {@code query}, most similar first. */
    public List<VectorIndex.Hit> search(String scope, float[] query, int k) {
        VectorIndex i = index;
        if (!ready || i == null) {
            return exactFromStore(scope, query, k);
        }
        return i.search(query, k, id -> scope.equals(scopeOf.get(id)));
    }

    private List<VectorIndex.Hit> exactFromStore(String scope, float[] query, int k) {
        TopK top = new TopK(k);
        store.forEachVectorOf(scope, m -> {
            top.offer(m.id(), (float) Vectors.dot(m.vector(), query));
        });
        return top.best();
    }

    /** Saves the index when it changed since the last save; call it from the writer thread. */
    public void snapshotIfChanged() {
        VectorIndex i = index;
        if (!ready || i == null) {
            return;
        }
        long version = store.version();
        if (version == savedVersion) {
            return;
        }
        if (indexes.save(i, snapshot, version)) {
            savedVersion = version;
        }
    }

    public long size() {
        VectorIndex i = index;
        return i == null ? 0 : i.size();
    }

    /** What backs the index now, e.g. {@code faiss-hnsw}, or {@code loading} while it is rebuilt. */
    public String kind() {
        VectorIndex i = index;
        return ready && i != null ? i.kind() : "loading";
    }

    @Override
    public void close() {
        if (index instanceof AutoCloseable c) {
            closeQuietly(c);
        }
    }

    private static void closeQuietly(AutoCloseable c) {
        try {
            c.close();
        } catch (Exception e) {
            LOG.debugf(e, "closing a vector index failed");
        }
    }
}
