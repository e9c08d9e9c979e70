package dev.echelon.backend;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertTrue;

/** A StreamListener that records everything, with arrival times, and counts terminal callbacks. */
class Recorder<T> implements StreamListener<T> {

    final List<T> events = Collections.synchronizedList(new ArrayList<>());
    final List<Long> eventNanos = Collections.synchronizedList(new ArrayList<>());
    final AtomicInteger completes = new AtomicInteger();
    final AtomicInteger errors = new AtomicInteger();
    final AtomicInteger eventsAfterTerminal = new AtomicInteger();
    final CountDownLatch terminal = new CountDownLatch(1);
    final CountDownLatch firstEvent = new CountDownLatch(1);
    volatile BackendException error;
    volatile long terminalNanos;

    @Override
    public void onEvent(T event) {
        if (terminal.getCount() == 0) {
            eventsAfterTerminal.incrementAndGet();
        }
        eventNanos.add(System.nanoTime());
        events.add(event);
        firstEvent.countDown();
    }

    @Override
    public void onComplete() {
        completes.incrementAndGet();
        terminalNanos = System.nanoTime();
        terminal.countDown();
    }

    @Override
    public void onError(BackendException e) {
        error = e;
        errors.incrementAndGet();
        terminalNanos = System.nanoTime();
        terminal.countDown();
    }

    void awaitTerminal(long ms) throws InterruptedException {
        assertTrue(terminal.await(ms, TimeUnit.MILLISECONDS), "no terminal callback within " + ms + " ms");
    }

    int terminalCalls() {
        return completes.get() + errors.get();
    }

    List<T> snapshot() {
        synchronized (events) {
            return List.copyOf(events);
        }
    }
}
