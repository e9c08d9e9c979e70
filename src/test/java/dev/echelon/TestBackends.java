package dev.echelon;

import dev.echelon.registry.ModelRegistry;
import dev.echelon.speculation.PairingCheck;
import dev.echelon.supervisor.ServerState;
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

    /**
     * As {@link #awaitAllReady}, and also past the draft pairing checks, for a test that relaunches a server itself
     * and watches its history: on a first start (no verdict cached in the data directory) a paired target serves
     * without its draft until its check passes, then is relaunched with it. Waits until every paired target has its
     * verdict and every server runs the command line it should and is ready.
     */
    public static void awaitSettled(Supervisor supervisor, PairingCheck pairing, ModelRegistry registry)
            throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (true) {
            boolean verdicts = registry.roles().keySet().stream().filter(r -> registry.draftFor(r).isPresent())
                    .allMatch(r -> pairing.verdict(r).isPresent());
            boolean settled = supervisor.servers().stream().filter(s -> !s.external())
                    .allMatch(s -> s.state() == ServerState.READY
                            && supervisor.commandLineOfRunning(s.instanceId())
                            .equals(supervisor.commandLine(s.instanceId())));
            if (verdicts && settled) {
                return;
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("backends did not settle within 60 s (pairing verdicts: " + verdicts
                        + ")");
            }
            Thread.sleep(50);
        }
    }

    public static String base(URL url) {
        String s = url.toString();
        return s.endsWith("/") ? s.substring(0, s.length() - 1) : s;
    }
}
