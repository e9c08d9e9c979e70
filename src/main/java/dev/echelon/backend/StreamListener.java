package dev.echelon.backend;

/**
 * Receives the events of one streamed generation. All callbacks of one stream come from the same reader thread, one
 * at a time. After zero or more {@link #onEvent} calls, exactly one terminal callback follows: {@link #onComplete()}
 * (the final event arrived) or {@link #onError} — including on {@link StreamHandle#cancel()}, which is reported as
 * {@code onError(BackendCancelledException)}. If {@code onEvent} throws, the stream is cancelled and
 * {@code onError(BackendCancelledException)} (cause: the listener's exception) is delivered.
 */
public interface StreamListener<T> {

    /** One parsed {@code data:} event, delivered as soon as it arrived. */
    void onEvent(T event);

    /** The final event was received (for /completion: the one with {@code stop:true}, already passed to onEvent). */
    void onComplete();

    /** The stream failed or was cancelled; no more callbacks follow. */
    void onError(BackendException error);
}
