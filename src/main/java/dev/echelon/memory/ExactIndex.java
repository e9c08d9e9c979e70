package dev.echelon.memory;

import java.util.Arrays;
import java.util.List;
import java.util.function.LongPredicate;

/**
 * Exact search in plain Java: every vector is scored. Vectors live in one growing float array (row-major) with a
 * parallel id array; removal swaps the last row in. The fallback where libfaiss is absent, and the reference that
 * approximate indexes are measured against. Thread-safe: reads share, writes exclude.
 */
public final class ExactIndex implements VectorIndex {

    private final int dims;
    private final java.util.concurrent.locks.ReadWriteLock lock = new java.util.concurrent.locks.ReentrantReadWriteLock();
    private final java.util.Map<Long, Integer> rowOf = new java.util.HashMap<>();
    private float[] data;
    private long[] ids;
    private int n;

    public ExactIndex(int dims) {
        this.dims = dims;
        this.data = new float[dims * 1024];
        this.ids = new long[1024];
    }

    @Override
    public void add(long id, float[] vector) {
        if (vector.length != dims) {
            throw new IllegalArgumentException("vector has " + vector.length + " dimensions, the index " + dims);
        }
        lock.writeLock().lock();
        try {
            if (rowOf.containsKey(id)) {
                System.arraycopy(vector, 0, data, rowOf.get(id) * dims, dims);
                return;
            }
            if (n == ids.length) {
                ids = Arrays.copyOf(ids, n * 2);
                data = Arrays.copyOf(data, n * 2 * dims);
            }
            System.arraycopy(vector, 0, data, n * dims, dims);
            ids[n] = id;
            rowOf.put(id, n);
            n++;
        } finally {
            lock.writeLock().unlock();
        }
    }

    @Override
    public void remove(long id) {
        lock.writeLock().lock();
        try {
            Integer row = rowOf.remove(id);
            if (row == null) {
                return;
            }
            int last = n - 1;
            if (row != last) {
                System.arraycopy(data, last * dims, data, row * dims, dims);
                ids[row] = ids[last];
                rowOf.put(ids[row], row);
            }
            n--;
        } finally {
            lock.writeLock().unlock();
        }
    }

    @Override
    public List<Hit> search(float[] query, int k, LongPredicate accept) {
        lock.readLock().lock();
        try {
            TopK top = new TopK(k);
            for (int row = 0; row < n; row++) {
                if (!accept.test(ids[row])) {
                    continue;
                }
                float s = 0;
                int base = row * dims;
                for (int j = 0; j < dims; j++) {
                    s += data[base + j] * query[j];
                }
                top.offer(ids[row], s);
            }
            return top.best();
        } finally {
            lock.readLock().unlock();
        }
    }

    @Override
    public long size() {
        lock.readLock().lock();
        try {
            return n;
        } finally {
            lock.readLock().unlock();
        }
    }

    @Override
    public String kind() {
        return "java-exact";
    }
}
