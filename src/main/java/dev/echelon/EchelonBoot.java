package dev.echelon;

import dev.echelon.config.EchelonConfig;
import dev.echelon.config.EffectiveConfig;
import dev.echelon.config.InvalidSettingException;
import dev.echelon.pipeline.Pipeline;
import dev.echelon.speculation.PairingCheck;
import dev.echelon.registry.ModelRegistry;
import dev.echelon.registry.RegistryValidationException;
import dev.echelon.residency.control.ResidencyController;
import dev.echelon.supervisor.LaunchException;
import dev.echelon.supervisor.Supervisor;
import io.quarkus.runtime.ShutdownDelayInitiatedEvent;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Singleton;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.util.Optional;

/**
 * The composition root's start and stop: validate the registry, log the effective configuration once, start every
 * backend. An invalid registry or an unusable llama-server binary stops startup with a message that names the
 * file, the key path and the reason — not a stack trace.
 */
@Singleton
public class EchelonBoot {

    /** Exit status for a configuration error (sysexits.h EX_CONFIG). */
    public static final int EXIT_CONFIG = 78;
    private static final Logger LOG = Logger.getLogger(EchelonBoot.class);
    /** Streams are ended this long before the shutdown delay runs out, so their last events still get written. */
    private static final long DRAIN_MARGIN_MS = 300;

    private final EchelonConfig config;
    private final Instance<ModelRegistry> registry;
    private final Instance<Supervisor> supervisor;
    private final Instance<Pipeline> pipeline;
    private final Instance<ResidencyController> residency;
    private final Instance<PairingCheck> pairing;
    private volatile EffectiveConfig effective;

    public EchelonBoot(EchelonConfig config, Instance<ModelRegistry> registry, Instance<Supervisor> supervisor,
            Instance<Pipeline> pipeline, Instance<ResidencyController> residency, Instance<PairingCheck> pairing) {
        this.pairing = pairing;
        this.config = config;
        this.registry = registry;
        this.supervisor = supervisor;
        this.pipeline = pipeline;
        this.residency = residency;
    }

    /**
     * Runs before every other startup observer (the MCP catalog, the dashboard's sampler): they build beans from the
     * registry and settings, and a bad configuration must be refused here, with file, key path and reason, not end as
     * another observer's stack trace.
     */
    void onStart(@Observes @jakarta.annotation.Priority(jakarta.interceptor.Interceptor.Priority.PLATFORM_BEFORE)
            StartupEvent event) {
        try {
            ModelRegistry r = registry.get();
            Supervisor s = supervisor.get();
            effective = EffectiveConfig.of(config, r, s.launcher().describe());
            LOG.info(effective.summary());
            ResidencyController controller = residency.get(); // settings checked before any backend starts
            PairingCheck drafts = pairing.get();
            drafts.prepare(); // an unverified draft is never handed to its target
            s.startAll();
            controller.start(); // from the placement the supervisor just launched
            checkDraftsInBackground(drafts);
            // build the request path now, off the startup thread: loading the routing embeddings takes a second
            // or two that the first request should not pay
            Thread warm = new Thread(() -> {
                try {
                    pipeline.get();
                } catch (RuntimeException e) {
                    LOG.warn("warming the request path failed; it will be built on the first request", e);
                }
            }, "echelon-warm-up");
            warm.setDaemon(true);
            warm.start();
        } catch (RegistryValidationException e) {
            refuse(config.registryPath() + " rejected, Echelon will not start.\n" + e.getMessage());
        } catch (LaunchException e) {
            refuse("cannot start backends: " + e.getMessage());
        } catch (InvalidSettingException e) {
            refuse("invalid setting " + e.getMessage());
        } catch (RuntimeException e) {
            Throwable root = e;
            while (root.getCause() != null && root.getCause() != root) {
                if (root instanceof RegistryValidationException || root instanceof LaunchException
                        || root instanceof InvalidSettingException) {
                    break;
                }
                root = root.getCause();
            }
            if (root instanceof RegistryValidationException || root instanceof LaunchException
                    || root instanceof InvalidSettingException) {
                refuse(root.getMessage());
            } else {
                throw e;
            }
        }
    }

    /**
     * The pairing check starts each draft alone and waits for its target to serve: seconds that startup does not
     * wait for (targets serve without their draft meanwhile). It runs again whenever a target restarts.
     */
    private void checkDraftsInBackground(PairingCheck drafts) {
        java.util.concurrent.ExecutorService worker = java.util.concurrent.Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "echelon-draft-pairing");
            t.setDaemon(true);
            return t;
        });
        worker.execute(() -> {
            drafts.verifyAll();
            drafts.watchRestarts(worker);
        });
    }

    /**
     * Ends the process at once: nothing has been started yet (no backend, no request), and a normal exit would first
     * sit out the shutdown delay that exists to drain requests.
     */
    private void refuse(String message) {
        LOG.error(message);
        System.err.println("echelon: " + message);
        System.err.flush();
        System.out.flush();
        Runtime.getRuntime().halt(EXIT_CONFIG);
    }

    /**
     * Shutdown begins with Quarkus's shutdown delay ({@code quarkus.shutdown.delay}, set to the drain time), during
     * which HTTP still serves: in-flight requests get that long to finish and open streams are then ended cleanly.
     * The drain runs on its own thread because Quarkus waits out the delay after this observer returns.
     */
    void onShutdownRequested(@Observes ShutdownDelayInitiatedEvent event) {
        if (effective != null) {
            long ms = Math.max(0, config.api().shutdownDrainMs() - DRAIN_MARGIN_MS);
            Thread drain = new Thread(() -> pipeline.get().drain(Duration.ofMillis(ms)), "echelon-drain");
            drain.setDaemon(true);
            drain.start();
        }
    }

    void onStop(@Observes ShutdownEvent event) {
        if (effective != null) {
            // first the requests (they need their backends; anything still open is ended now), then the backends
            pipeline.get().drain(Duration.ZERO);
            residency.get().close(); // no transition may start while the backends stop
            supervisor.get().stopAll(Duration.ofMillis(config.supervisor().stopGraceMs() + 2_000));
        }
    }

    /** The configuration in force; empty until startup has validated it. */
    public Optional<EffectiveConfig> effective() {
        return Optional.ofNullable(effective);
    }
}
