package dev.echelon;

import dev.echelon.supervisor.Supervisor;

import java.net.URL;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** Shared by the tests that run the whole service: wait for every fake backend, and the base URL without a slash. */
public final class TestBackends {

    private TestBackends() {
    }

    public static void awaitAllReady(Supervisor supervisor) throws Exception {
        CompletableFuture.allOf(supervisor.servers().stream().map(s -> s.awaitReady(Duration.ofSeconds(30)))
                .toArray(CompletableFuture[]::new)).get(40, TimeUnit.SECONDS);
    }

    public static String base(URL url) {
        String s = url.toString();
        return s.endsWith("/") ? s.substring(0, s.length() - 1) : s;
    }
}
