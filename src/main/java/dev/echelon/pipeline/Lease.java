package dev.echelon.pipeline;

import dev.echelon.backend.PooledInstance;

import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A slot on one backend instance, held while a request generates. Released exactly once, which hands the slot to
 * the next waiting request of the role.
 *
 * @param queueMs    time spent waiting for a slot (all of it)
 * @param loadWaitMs the part of that wait during which no instance of the role was ready (it was loading)
 */
public final class Lease {

    private final PooledInstance instance;
    private final long queueMs;
    private final long loadWaitMs;
    private final Runnable onRelease;
    private final AtomicBoolean released = new AtomicBoolean();

    Lease(PooledInstance instance, long queueMs, long loadWaitMs, Runnable onRelease) {
        this.instance = instance;
        this.queueMs = queueMs;
        this.loadWaitMs = loadWaitMs;
        this.onRelease = onRelease;
    }

    public PooledInstance instance() {
        return instance;
    }

    public long queueMs() {
        return queueMs;
    }

    public long loadWaitMs() {
        return loadWaitMs;
    }

    public void release() {
        if (released.compareAndSet(false, true)) {
            instance.release();
            onRelease.run();
        }
    }
}
