package dev.echelon.backend;

/**
 * The call was cancelled on our side: {@link StreamHandle#cancel()}, the listener threw from {@code onEvent}, or the
 * calling thread was interrupted. Delivered as the single terminal {@code onError} of a cancelled stream.
 */
public class BackendCancelledException extends BackendException {

    public BackendCancelledException(String instanceId, String baseUrl, String endpoint, String detail,
            Throwable cause) {
        super(instanceId, baseUrl, endpoint, detail, cause);
    }
}
