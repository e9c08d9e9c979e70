package dev.echelon.pipeline;

import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One request in flight: what to cancel when its client goes away or Echelon shuts down. Whatever holds it (the
 * admission ticket, then the backend call) is swapped in as the request moves along.
 */
public final class Execution {

    private final GenerationCall call;
    private final ResponseSink sink;
    private final AtomicBoolean cancelled = new AtomicBoolean();
    private final AtomicBoolean finished = new AtomicBoolean();
    private volatile Admission.Ticket ticket;
    private volatile Runnable backendCancel;
    private final Admission admission;

    Execution(GenerationCall call, ResponseSink sink, Admission admission) {
        this.call = call;
        this.sink = sink;
        this.admission = admission;
    }

    public GenerationCall call() {
        return call;
    }

    ResponseSink sink() {
        return sink;
    }

    void waitingOn(Admission.Ticket t) {
        this.ticket = t;
    }

    void generatingWith(Runnable cancelBackend) {
        this.backendCancel = cancelBackend;
        if (cancelled.get()) {
            cancelBackend.run();
        }
    }

    void generatingWith(Future<?> backendCall) {
        generatingWith(() -> backendCall.cancel(true));
    }

    /** The client went away: stop waiting, stop the backend's generation, free the slot. */
    public void cancel() {
        if (!cancelled.compareAndSet(false, true)) {
            return;
        }
        Admission.Ticket t = ticket;
        if (t != null) {
            admission.withdraw(t);
        }
        Runnable c = backendCancel;
        if (c != null) {
            c.run();
        }
    }

    public boolean cancelled() {
        return cancelled.get();
    }

    /** Marks the end; true only for the first caller. */
    boolean finish() {
        return finished.compareAndSet(false, true);
    }

    public boolean finished() {
        return finished.get();
    }
}
