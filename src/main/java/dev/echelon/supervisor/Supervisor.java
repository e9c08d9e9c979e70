package dev.echelon.supervisor;

import dev.echelon.registry.InstanceSpec;
import dev.echelon.registry.LaunchSpec;
import dev.echelon.registry.ModelSpec;
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
    private final LaunchFlags flags;
    private final LlamaServerHelp help;
    private final ModelRegistry registry;
    private final Map<String, ServerProcess> servers = new LinkedHashMap<>();
    /** What a managed instance was started from, so that the residency controller can relaunch it with new flags. */
    private final Map<String, Launchable> launchables = new LinkedHashMap<>();
    private final List<Consumer<StateChange>> listeners = new CopyOnWriteArrayList<>();
    private final ScheduledExecutorService scheduler;
    private final DraftSettings drafts;
    private final PortAllocator ports;
    private final Path logDir;

    public Supervisor(ModelRegistry registry, Launcher launcher, LlamaServerHelp help, HealthProbe probe,
            PortAllocator ports, Path modelsDir, Path logDir, RestartPolicy restartPolicy, Duration stopGrace) {
        this(registry, launcher, help, probe, ports, modelsDir, logDir, restartPolicy, stopGrace,
                DraftSettings.of(registry));
    }

    /** @param drafts how each role speculates; every launch reads it, so its changes apply from the next launch */
    public Supervisor(ModelRegistry registry, Launcher launcher, LlamaServerHelp help, HealthProbe probe,
            PortAllocator ports, Path modelsDir, Path logDir, RestartPolicy restartPolicy, Duration stopGrace,
            DraftSettings drafts) {
        this.drafts = drafts;
        this.ports = ports;
        this.logDir = logDir;
        this.launcher = launcher;
        this.help = help;
        this.registry = registry;
        this.scheduler = Executors.newScheduledThreadPool(2, r -> {
            Thread t = new Thread(r, "echelon-supervisor");
            t.setDaemon(true);
            return t;
        });
        this.flags = new LaunchFlags(registry, modelsDir, launcher.dialect(), drafts);
        registry.instances().forEach(i -> i.launch().filter(l -> l.port() > 0).ifPresent(l -> ports.reserve(l.port())));
        for (RoleSpec role : registry.roles().values()) {
            for (InstanceSpec inst : role.instances()) {
                ServerProcess server;
                if (inst.external()) {
                    server = new ExternalServer(inst.id(), role.name(), inst.url().orElseThrow(), probe, scheduler);
                } else {
                    int port = inst.launch().orElseThrow().port() > 0 ? inst.launch().orElseThrow().port()
                            : ports.allocate();
                    Launchable l = new Launchable(inst, port, logDir.resolve(inst.id() + ".log"),
                            new java.util.concurrent.atomic.AtomicReference<>(inst.launch().orElseThrow()));
                    launchables.put(inst.id(), l);
                    command(l); // an unknown flag fails here, at construction, not at the first start
                    server = new ManagedServer(inst.id(), role.name(), launcher, () -> command(l), probe, scheduler,
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
                String hint = "-kvu".equals(a) ? " (asked for by kv_unified: true in model_registry.yaml; with "
                        + "kv_unified: false each of the instance's slots holds ctx_size / parallel tokens)" : "";
                throw new LaunchException(instanceId, "flag " + a + (help.removed(a) ? " was removed from" : " is not in")
                        + " the installed llama-server's --help" + hint + "; command line: " + String.join(" ", args),
                        null);
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

    // ---- residency actions: the residency controller's actuator drives these --------------------------------------

    /**
     * A managed instance's registry spec, the address and log it keeps across relaunches, and the launch settings it
     * runs with now (the registry's, or the last residency placement's).
     */
    private record Launchable(InstanceSpec spec, int port, Path logFile,
            java.util.concurrent.atomic.AtomicReference<LaunchSpec> launch) {
    }

    /**
     * The command line for the instance's next launch, built afresh each time: a crash restart or a relaunch picks up
     * the current placement and the current speculation settings ({@link DraftSettings}).
     */
    private LaunchCommand command(Launchable l) {
        List<String> args = flags.build(l.spec(), l.launch().get(), l.port());
        checkFlags(l.spec().id(), args, help);
        return new LaunchCommand(l.spec().id(), args, "127.0.0.1", l.port(), l.logFile());
    }

    private Launchable launchable(String instanceId) {
        Launchable l = launchables.get(instanceId);
        if (l == null) {
            throw new IllegalArgumentException(servers.containsKey(instanceId)
                    ? "instance " + instanceId + " is external; Echelon cannot start or stop it"
                    : "no instance " + instanceId);
        }
        return l;
    }

    /**
     * Stops {@code instanceId} (if running) and starts it again with {@code launch} in place of its registry launch
     * settings — another variant, GPU layer count or load mode — on the same port, so clients keep their address.
     * Not a crash: restart counters are untouched. Completes when the new server has been launched (it is then
     * loading; {@link ServerProcess#awaitReady} tells when it serves).
     *
     * @throws LaunchException when a flag of the new command line is unknown to the installed llama-server
     */
    public CompletableFuture<Void> relaunch(String instanceId, LaunchSpec launch) {
        Launchable l = launchable(instanceId);
        checkFlags(instanceId, flags.build(l.spec(), launch, l.port()), help);
        l.launch().set(launch);
        return managed(instanceId).relaunch(() -> command(l));
    }

    /**
     * Relaunches {@code instanceId} with its current placement, so that changed speculation settings take effect
     * (a new draft length, a draft turned off). It takes no new request from the call on; the requests it is
     * serving finish first ({@code drain}, for at most the role's total timeout). Queued behind any other relaunch
     * of the instance, and skipped if the instance is stopped on purpose meanwhile (its next start takes the
     * settings anyway).
     */
    public CompletableFuture<Void> reapplySpeculation(String instanceId, InFlightDrain drain) {
        Launchable l = launchable(instanceId);
        checkFlags(instanceId, flags.build(l.spec(), l.launch().get(), l.port()), help);
        ManagedServer server = managed(instanceId);
        long drainLimitMs = registry.requireRole(server.role()).timeouts().totalMs();
        return server.relaunch(() -> command(l),
                () -> drain.idle(instanceId).completeOnTimeout(null, drainLimitMs, TimeUnit.MILLISECONDS), true);
    }

    /**
     * Brings every running managed instance of {@code role} onto its current speculation settings: those whose
     * running command line differs from the one they would start with now are relaunched one after another, each
     * drained, relaunched and waited for (up to the role's load timeout) before the next, so a role with several
     * instances keeps serving throughout. Stopped instances take the settings at their next start. The pairing check
     * (a draft verified or refused) and the draft-length tuner both come here.
     */
    public CompletableFuture<Void> reapplySpeculationOf(String role, InFlightDrain drain) {
        Duration ready = Duration.ofMillis(registry.requireRole(role).timeouts().loadMs());
        CompletableFuture<Void> rolling = CompletableFuture.completedFuture(null);
        for (ServerProcess s : serversOf(role)) {
            if (s.external() || s.state() == ServerState.STOPPED || s.state() == ServerState.STOPPING) {
                continue;
            }
            // one already relaunching builds its command line when it starts, so it takes these settings too
            rolling = rolling.thenCompose(v -> s.relaunching()
                    || commandLineOfRunning(s.instanceId()).equals(commandLine(s.instanceId()))
                    ? CompletableFuture.completedFuture(null)
                    : reapplySpeculation(s.instanceId(), drain)
                            .thenCompose(x -> s.awaitReady(ready).exceptionally(e -> null)));
        }
        return rolling;
    }

    /** The command line the instance would be started with now (current placement and speculation settings). */
    public List<String> commandLine(String instanceId) {
        return command(launchable(instanceId)).args();
    }

    /** The command line of the instance's current (or last) run: what it actually runs with. */
    public List<String> commandLineOfRunning(String instanceId) {
        launchable(instanceId);
        return managed(instanceId).args();
    }

    public DraftSettings drafts() {
        return drafts;
    }

    public LaunchFlags launchFlags() {
        return flags;
    }

    /**
     * Starts a short-lived server of {@code draftRole}'s model alone (CPU only, small context) for the pairing check,
     * on a fresh port; the caller stops it. Real llama-server or a fake, as every other launch.
     */
    public ProbeServer launchDraftProbe(String draftRole) {
        int port = ports.allocate();
        List<String> args = flags.draftProbe(draftRole, port);
        checkFlags(draftRole + "-probe", args, help);
        LaunchCommand command = new LaunchCommand(draftRole + "-probe", args, "127.0.0.1", port,
                logDir.resolve(draftRole + "-probe.log"));
        return new ProbeServer(command, launcher.launch(command));
    }

    /** A server started for a check, not for traffic: its address and its process. */
    public record ProbeServer(LaunchCommand command, ServerHandle handle) implements AutoCloseable {

        public java.net.URI baseUrl() {
            return command.baseUrl();
        }

        @Override
        public void close() {
            handle.terminate();
        }
    }

    /** Stops {@code instanceId} on purpose: it stays stopped (no restart) until started or relaunched. */
    public CompletableFuture<Void> stop(String instanceId) {
        launchable(instanceId);
        return managed(instanceId).stop();
    }

    /** Starts a stopped instance again with its last command line. */
    public void start(String instanceId) {
        launchable(instanceId);
        managed(instanceId).start();
    }

    /** The registry launch settings of a managed instance: the template a residency placement is applied to. */
    public LaunchSpec registryLaunch(String instanceId) {
        return launchable(instanceId).spec().launch().orElseThrow();
    }

    /**
     * Reads the files a role's {@code variant} loads (its GGUF, and its draft's if it speculates) into host RAM, so
     * that a later start skips NVMe (S3 staging). Completes when all are read.
     */
    public CompletableFuture<Void> stage(String role, String variant) {
        return CompletableFuture.allOf(modelFiles(role, variant).stream().map(launcher::stage)
                .toArray(CompletableFuture[]::new));
    }

    /** The role went to NVMe only: its files need no longer be kept in host RAM. */
    public void unstage(String role, String variant) {
        modelFiles(role, variant).forEach(launcher::unstage);
    }

    private List<Path> modelFiles(String role, String variant) {
        ModelSpec model = registry.requireRole(role).model().orElseThrow(() -> new IllegalArgumentException(
                "role " + role + " has no model file"));
        List<Path> files = new ArrayList<>();
        files.add(flags.modelPath(model.variant(variant).orElseThrow(() -> new IllegalArgumentException(
                "role " + role + " has no variant " + variant))));
        registry.draftFor(role).flatMap(p -> registry.role(p.draft())).flatMap(RoleSpec::model)
                .ifPresent(d -> files.add(flags.modelPath(d.referenceVariant())));
        return files;
    }

    private ManagedServer managed(String instanceId) {
        return (ManagedServer) servers.get(instanceId);
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
