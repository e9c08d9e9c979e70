package dev.echelon.speculation;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.echelon.backend.BackendTimeouts;
import dev.echelon.backend.LlamaServerClient;
import dev.echelon.registry.DraftPairing;
import dev.echelon.registry.ModelRegistry;
import dev.echelon.registry.ModelSpec;
import dev.echelon.registry.VariantSpec;
import dev.echelon.supervisor.HealthProbe;
import dev.echelon.supervisor.InFlightDrain;
import dev.echelon.supervisor.Readiness;
import dev.echelon.supervisor.ServerProcess;
import dev.echelon.supervisor.ServerState;
import dev.echelon.supervisor.SpeculationLaunch;
import dev.echelon.supervisor.Supervisor;
import okhttp3.HttpUrl;
import okhttp3.OkHttpClient;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;

/**
 * Checks each registry pairing of a target with a Tier D draft through both servers: the draft runs alone for a
 * moment (a probe server, CPU only), the target is asked once it serves, and their {@link VocabularyFingerprint}s
 * must match — vocabulary type and size, BOS/EOS, and identical token ids for every probe string. A draft whose
 * vocabulary differs cannot help (llama-server checks draft ids against the target's, or translates text at a cost
 * that eats the gain), so speculation is turned off for that target with a warning that says why.
 *
 * <p>A target launches with its draft only once the pair has been verified: at the first start it serves without
 * one, and is relaunched with it when the check passes. The verdict is kept in {@code data/speculation-pairs.json}
 * keyed by both files' identities (path, size, modification time), so later starts launch with the draft at once;
 * the target's fingerprint is checked again after every restart, against the draft's from the probe.
 */
public final class PairingCheck {

    private static final Logger LOG = Logger.getLogger(PairingCheck.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    /** The outcome for one pairing. */
    public record Verdict(String target, String draft, boolean compatible, List<String> differences) {

        public Verdict {
            differences = List.copyOf(differences);
        }

        public String message() {
            return compatible ? "draft " + draft + " shares " + target + "'s vocabulary: speculation on"
                    : "speculation disabled for " + target + ": its draft " + draft + " has a different vocabulary ("
                            + String.join("; ", differences) + "). Pair " + target
                            + " with a draft of the same model family (the same tokenizer), or remove the pairing "
                            + "from the registry's speculation.pairs.";
        }
    }

    private final ModelRegistry registry;
    private final Supervisor supervisor;
    private final InFlightDrain drain;
    private final OkHttpClient http;
    private final HealthProbe health;
    private final Path stateFile;
    private final Path modelsDir;
    private final Duration readyTimeout;
    private final BiConsumer<String, ServerBehaviour> behaviour;
    private final Map<String, VocabularyFingerprint> drafts = new ConcurrentHashMap<>();
    private final Map<String, Verdict> verdicts = new ConcurrentHashMap<>();
    /** Targets this check keeps from drafting (unverified, or incompatible); adaptation's own "off" is not here. */
    private final java.util.Set<String> heldOff = ConcurrentHashMap.newKeySet();

    /**
     * @param drain     when an instance has no request in flight: a relaunch with the draft waits for it
     * @param behaviour told, per target role, whether its servers honour per-request draft lengths (probed once the
     *                  target runs with its draft)
     */
    public PairingCheck(ModelRegistry registry, Supervisor supervisor, InFlightDrain drain, OkHttpClient http,
            HealthProbe health, Path stateFile, Path modelsDir, Duration readyTimeout,
            BiConsumer<String, ServerBehaviour> behaviour) {
        this.registry = registry;
        this.supervisor = supervisor;
        this.drain = drain;
        this.http = http;
        this.health = health;
        this.stateFile = stateFile;
        this.modelsDir = modelsDir;
        this.readyTimeout = readyTimeout;
        this.behaviour = behaviour;
    }

    /**
     * Before any server starts: a pairing verified compatible for these very files launches with its draft; any other
     * launches without one until {@link #verifyAll} has checked it (a known-incompatible one stays off, and says so).
     */
    public void prepare() {
        Map<String, JsonNode> known = load();
        for (DraftPairing p : registry.drafts()) {
            JsonNode v = known.get(key(p));
            if (v != null && v.path("compatible").asBoolean(false)) {
                continue; // DraftSettings start from the registry's pairing
            }
            if (v != null) {
                List<String> diffs = new ArrayList<>();
                v.path("differences").forEach(d -> diffs.add(d.asText()));
                Verdict verdict = new Verdict(p.target(), p.draft(), false, diffs);
                verdicts.put(p.target(), verdict);
                holdOff(p.target(), verdict.message());
                LOG.warn(verdict.message() + " (checked before with these files)");
            } else {
                holdOff(p.target(), "pairing with " + p.draft() + " not verified yet");
            }
        }
    }

    /**
     * Checks every pairing (blocking: probe servers start, targets are waited for) and applies the verdicts; a
     * target that is stopped (residency) is checked when it next becomes ready.
     */
    public List<Verdict> verifyAll() {
        List<Verdict> out = new ArrayList<>();
        for (DraftPairing p : registry.drafts()) {
            try {
                verify(p).ifPresent(out::add);
            } catch (RuntimeException e) {
                LOG.warnf("speculation: could not check the pairing %s → %s: %s", p.target(), p.draft(), e.toString());
            }
        }
        return out;
    }

    /** Checks again whenever a paired target becomes ready: after a crash restart or a residency relaunch. */
    public Runnable watchRestarts(java.util.concurrent.Executor executor) {
        return supervisor.onChange(change -> {
            if (change.to() != ServerState.READY) {
                return;
            }
            supervisor.server(change.instanceId()).flatMap(s -> registry.draftFor(s.role()))
                    .ifPresent(p -> executor.execute(() -> {
                        try {
                            verify(p);
                        } catch (RuntimeException e) {
                            LOG.warnf("speculation: re-checking %s → %s failed: %s", p.target(), p.draft(),
                                    e.toString());
                        }
                    }));
        });
    }

    public Optional<Verdict> verdict(String target) {
        return Optional.ofNullable(verdicts.get(target));
    }

    /** Checks one pairing against a running instance of its target; empty when none runs. */
    public synchronized Optional<Verdict> verify(DraftPairing pair) {
        Optional<ServerProcess> running = supervisor.serversOf(pair.target()).stream()
                .filter(s -> s.state() == ServerState.READY || s.state() == ServerState.LOADING
                        || s.state() == ServerState.STARTING)
                .findFirst();
        if (running.isEmpty()) {
            return Optional.empty();
        }
        ServerProcess target = running.get();
        try {
            target.awaitReady(readyTimeout).get(readyTimeout.toMillis() + 1000, TimeUnit.MILLISECONDS);
        } catch (Exception e) {
            LOG.warnf("speculation: %s did not become ready within %d ms; its pairing is checked when it does",
                    target.instanceId(), readyTimeout.toMillis());
            return Optional.empty();
        }
        VocabularyFingerprint draftFp = drafts.computeIfAbsent(pair.draft(), this::probeDraft);
        VocabularyFingerprint targetFp = VocabularyFingerprint.of(client(target));
        List<String> diffs = targetFp.differences(draftFp);
        Verdict verdict = new Verdict(pair.target(), pair.draft(), diffs.isEmpty(), diffs);
        Verdict before = verdicts.put(pair.target(), verdict);
        save(pair, verdict);
        if (verdict.compatible()) {
            if (before == null || !before.compatible()) {
                LOG.info("speculation: " + verdict.message());
            }
            if (heldOff.remove(pair.target())) {
                supervisor.drafts().set(pair.target(), SpeculationLaunch.draft(pair.nMax(), pair.nMin(), pair.pMin()),
                        verdict.message());
            }
        } else {
            LOG.warn(verdict.message());
            holdOff(pair.target(), verdict.message());
        }
        boolean wantsDraft = supervisor.drafts().of(pair.target()).mode() == SpeculationLaunch.Mode.DRAFT;
        supervisor.reapplySpeculationOf(pair.target(), drain).join(); // a draft on or off changes the command line
        if (wantsDraft) {
            supervisor.serversOf(pair.target()).stream().filter(s -> s.state() == ServerState.READY).findFirst()
                    .ifPresent(s -> behaviour.accept(pair.target(), HonourProbe.probe(client(s))));
        }
        return Optional.of(verdict);
    }

    private void holdOff(String target, String why) {
        heldOff.add(target);
        supervisor.drafts().set(target, SpeculationLaunch.OFF, why);
    }

    /** Starts the draft alone, reads its fingerprint, stops it. */
    private VocabularyFingerprint probeDraft(String draftRole) {
        try (Supervisor.ProbeServer probe = supervisor.launchDraftProbe(draftRole)) {
            long deadline = System.nanoTime() + readyTimeout.toNanos();
            while (health.probe(probe.baseUrl()) != Readiness.READY) {
                if (System.nanoTime() > deadline || !probe.handle().alive()) {
                    throw new IllegalStateException("the probe server of draft " + draftRole + " did not become ready"
                            + (probe.handle().alive() ? " within " + readyTimeout.toMillis() + " ms" : ": it exited"));
                }
                Thread.sleep(20);
            }
            return VocabularyFingerprint.of(new LlamaServerClient(HttpUrl.get(probe.baseUrl()), draftRole + "-probe",
                    http, BackendTimeouts.DEFAULTS));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while probing draft " + draftRole, e);
        }
    }

    private LlamaServerClient client(ServerProcess s) {
        return new LlamaServerClient(HttpUrl.get(s.baseUrl()), s.instanceId(), http, BackendTimeouts.DEFAULTS);
    }

    // ---- the verdicts file -------------------------------------------------------------------------------------

    private String key(DraftPairing p) {
        return p.target() + "|" + identity(p.target()) + "|" + p.draft() + "|" + identity(p.draft());
    }

    /** A model file's identity: its path, and its size and modification time where the file exists. */
    private String identity(String role) {
        ModelSpec m = registry.requireRole(role).model().orElseThrow();
        VariantSpec v = m.referenceVariant();
        Path file = Path.of(v.path()).isAbsolute() ? Path.of(v.path()) : modelsDir.resolve(v.path());
        try {
            return file + ":" + Files.size(file) + ":" + Files.getLastModifiedTime(file).toMillis();
        } catch (IOException e) {
            return file + ":" + v.bytes(); // mock mode: no file, the registry's size stands for it
        }
    }

    private Map<String, JsonNode> load() {
        Map<String, JsonNode> out = new LinkedHashMap<>();
        if (!Files.exists(stateFile)) {
            return out;
        }
        try {
            JSON.readTree(stateFile.toFile()).path("pairs").forEach(n -> out.put(n.path("key").asText(), n));
        } catch (IOException e) {
            LOG.warnf("speculation: %s is unreadable (%s); every pairing is checked again", stateFile, e.toString());
        }
        return out;
    }

    private synchronized void save(DraftPairing pair, Verdict v) {
        Map<String, JsonNode> all = load();
        ObjectNode n = JSON.createObjectNode();
        n.put("key", key(pair));
        n.put("target", v.target());
        n.put("draft", v.draft());
        n.put("compatible", v.compatible());
        ArrayNode d = n.putArray("differences");
        v.differences().forEach(d::add);
        all.put(key(pair), n);
        ObjectNode root = JSON.createObjectNode();
        ArrayNode pairs = root.putArray("pairs");
        all.values().forEach(pairs::add);
        try {
            Files.createDirectories(stateFile.toAbsolutePath().getParent());
            Path tmp = stateFile.resolveSibling(stateFile.getFileName() + ".tmp");
            Files.writeString(tmp, JSON.writerWithDefaultPrettyPrinter().writeValueAsString(root));
            Files.move(tmp, stateFile, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            LOG.warnf("speculation: could not record the pairing verdict in %s: %s", stateFile, e.toString());
        }
    }
}
