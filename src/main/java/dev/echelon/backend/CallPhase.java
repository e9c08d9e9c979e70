package dev.echelon.backend;

import okhttp3.Interceptor;
import okhttp3.Response;

import java.io.IOException;

/**
 * How far one HTTP call got; attached to the request as a tag and updated by a network interceptor, so a timeout can
 * be reported as connect / first byte / between bytes.
 */
final class CallPhase {

    volatile boolean connected;
    volatile boolean responseStarted;

    /** Network interceptors run once a connection is established, and return once response headers are read. */
    static final Interceptor INTERCEPTOR = new Interceptor() {
        @Override
        public Response intercept(Chain chain) throws IOException {
            CallPhase phase = chain.request().tag(CallPhase.class);
            if (phase != null) {
                phase.connected = true;
            }
            Response response = chain.proceed(chain.request());
            if (phase != null) {
                phase.responseStarted = true;
            }
            return response;
        }
    };
}
