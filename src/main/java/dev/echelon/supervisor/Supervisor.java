package dev.echelon.supervisor;

import dev.echelon.registry.InstanceSpec;
import dev.echelon.registry.ModelRegistry;
import dev.echelon.registry.RoleSpec;
import org.jboss.logging.Logger;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Keeps every configured backend instance running: one {@link ServerProcess} per registry instance, started through
 * the launcher (real or fake) or watched at its external URL. It does not decide what should run where — that is
 * the residency controller's job, which drives it.
 */
public final class Supervisor implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(Supervisor.class);

    private final Launcher launcher;
    private final Map<String, ServerProcess> servers = new LinkedHashMap<>();
    private final List<Consumer<StateChange>> listeners = new CopyOnWriteArrayList<>();
    private final ScheduledExecutorService scheduler;

    public Supervisor(ModelRegistry registry, Launcher launcher, LlamaServerHelp help, HealthProbe probe,
            PortAllocator ports, Path modelsDir, Path logDir, RestartPolicy restartPolicy, Duration stopGrace) {
        this.launcher = launcher;
        this.scheduler = Executors.newScheduledThreadPool(2, r -> {
            Thread t = new Thread(r, "echelon-supervisor");
            t.setDaemon(true);
            return t;
        });
        LaunchFlags flags = new LaunchFlags(registry, modelsDir, launcher.dialect());
        registry.instances().forEach(i -> i.launch().filter(l -> l.port() > 0).ifPresent(l -> ports.reserve(l.port())));
        for (RoleSpec role : registry.roles().values()) {
            for (InstanceSpec inst : role.instances()) {
                ServerProcess server;
                if (inst.external()) {
                    server = new ExternalServer(inst.id(), role.name(), inst.url().orElseThrow(), probe, scheduler);
                } else {
                    int port = inst.launch().orElseThrow().port() > 0 ? inst.launch().orElseThrow().port()
                            : ports.allocate();
                    List<String> args = flags.build(inst, port);
                    checkFlags(inst.id(), args, help);
                    LaunchCommand command = new LaunchCommand(inst.id(), args, "127.0.0.1", port,
                            logDir.resolve(inst.id() + ".log"));
                    server = new ManagedServer(inst.id(), role.name(), launcher, () -> command, probe, scheduler,
                            restartPolicy, Duration.ofMillis(role.timeouts().loadMs()), stopGrace);
                }
                server.onChange(c -> listeners.forEach(l -> l.accept(c)));
                servers.put(inst.id(), server);
            }
        }
    }

    /**
     * Every flag must exist in the installed llama-server: it exits on an unknown flag, and a renamed flag (v0.5.0
     * removed --draft-max, --mlock, --no-mmap) would otherwise fail only when the process starts.
     */
    static void checkFlags(String instanceId, List<String> args, LlamaServerHelp help) {
        for (String a : args) {
            if (a.startsWith("-") && !a.matches("-?\\d+(\\.\\d+)?") && !help.accepts(a)) {
                throw new LaunchException(instanceId, "flag " + a + (help.removed(a) ? " was removed from" : " is not in")
                        + " the installed llama-server's --help; command line: " + String.join(" ", args), null);
            }
        }
    }

    public void startAll() {
        LOG.infof("starting %d backend instance(s) with %s", servers.size(), launcher.describe());
        servers.values().forEach(ServerProcess::start);
    }

    /** Stops every server in parallel and waits up to {@code timeout}. */
    public void stopAll(Duration timeout) {
        List<CompletableFuture<Void>> stops = new ArrayList<>();
        servers.values().forEach(s -> stops.add(s.stop()));
        try {
            CompletableFuture.allOf(stops.toArray(CompletableFuture[]::new)).get(timeout.toMillis(),
                    TimeUnit.MILLISECONDS);
        } catch (Exception e) {
            LOG.warnf("not every backend stopped within %d ms: %s", timeout.toMillis(), e.toString());
        }
    }

    public Collection<ServerProcess> servers() {
        return servers.values();
    }

    public Optional<ServerProcess> server(String instanceId) {
        return Optional.ofNullable(servers.get(instanceId));
    }

    public List<ServerProcess> serversOf(String role) {
        return servers.values().stream().filter(s -> s.role().equals(role)).toList();
    }

    public Launcher launcher() {
        return launcher;
    }

    /** Subscribes to the state changes of every server. */
    public Runnable onChange(Consumer<StateChange> listener) {
        listeners.add(listener);
        return () -> listeners.remove(listener);
    }

    @Override
    public void close() {
        stopAll(Duration.ofSeconds(15));
        scheduler.shutdownNow();
    }
}
