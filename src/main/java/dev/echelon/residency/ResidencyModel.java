package dev.echelon.residency;

import dev.echelon.cost.Calibration;
import dev.echelon.cost.CostModel;
import dev.echelon.cost.ServiceCost;
import dev.echelon.registry.DraftPairing;
import dev.echelon.registry.InstanceSpec;
import dev.echelon.registry.LaunchSpec;
import dev.echelon.registry.ModelRegistry;
import dev.echelon.registry.ModelSpec;
import dev.echelon.registry.ResidencyState;
import dev.echelon.registry.RoleKind;
import dev.echelon.registry.RoleSpec;
import dev.echelon.registry.Tier;
import dev.echelon.registry.VariantSpec;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The residency controller's model of the world: which roles it manages, what every placement of each costs in
 * bytes (per layer, so partial offload is expressible; per variant, so precision counts) and in time (through the
 * one {@link CostModel}), the budgets, and which placements and transitions are admissible. Planner, guardrails,
 * peer policies and the simulator all ask this one object, so they agree on what fits and what things cost.
 */
public final class ResidencyModel {

    /**
     * GPU memory a llama-server process takes beyond weights and KV cache (CUDA context, compute buffers), measured
     * at ~250–500 MiB for 8k contexts; counted once per process with any layer on the GPU.
     */
    public static final long GPU_OVERHEAD_BYTES = 384L << 20;
    /** Stopping a server (SIGTERM, memory freed). */
    public static final double STOP_SECONDS = 0.2;
    /** A mid-sized request, for comparing how fast placements serve: 1,000 prompt tokens, 200 generated. */
    public static final int REFERENCE_PROMPT_TOKENS = 1000;
    public static final int REFERENCE_OUTPUT_TOKENS = 200;
    /** Partial-offload layer counts considered, as fractions of the model's layers. */
    static final int PARTIAL_STEPS = 8;

    private final Map<String, ResidentRole> roles;
    private final Budgets budgets;
    private final CostModel cost;
    private final DraftAcceptance acceptance;

    /** A model that prices every role without speculation ({@link DraftAcceptance#NONE}). */
    public ResidencyModel(List<ResidentRole> roles, Budgets budgets, CostModel cost) {
        this(roles, budgets, cost, DraftAcceptance.NONE);
    }

    /** @param acceptance what each role's draft achieves: credited in {@link #service} for roles with a draft */
    public ResidencyModel(List<ResidentRole> roles, Budgets budgets, CostModel cost, DraftAcceptance acceptance) {
        Map<String, ResidentRole> m = new LinkedHashMap<>();
        roles.forEach(r -> m.put(r.name(), r));
        this.roles = java.util.Collections.unmodifiableMap(m);
        this.budgets = budgets;
        this.cost = cost;
        this.acceptance = acceptance;
    }

    /** The same roles and budgets, with speculation priced from {@code acceptance}. */
    public ResidencyModel withAcceptance(DraftAcceptance acceptance) {
        return new ResidencyModel(List.copyOf(roles.values()), budgets, cost, acceptance);
    }

    /**
     * The roles the controller manages: every generating role with a model and at least one instance Echelon starts
     * itself (external servers and in-process embedders are outside its reach).
     */
    public static ResidencyModel of(ModelRegistry registry, Budgets budgets, CostModel cost) {
        List<ResidentRole> out = new ArrayList<>();
        List<String> managed = registry.roles().values().stream().filter(ResidencyModel::managed)
                .map(RoleSpec::name).toList();
        for (RoleSpec role : registry.roles().values()) {
            if (!managed.contains(role.name())) {
                continue;
            }
            ModelSpec model = role.model().orElseThrow();
            List<InstanceSpec> own = role.instances().stream().filter(i -> !i.external()).toList();
            LaunchSpec launch = own.get(0).launch().orElseThrow();
            long floorBytes = Optional.ofNullable(registry.residency().precisionFloors().get(role.name()))
                    .flatMap(model::variant).map(VariantSpec::bytes).orElse(0L);
            List<VariantSpec> variants = model.variants().stream().filter(v -> v.bytes() >= floorBytes)
                    .sorted(Comparator.comparingLong(VariantSpec::bytes).reversed()).toList();
            Optional<ModelSpec> draftModel = registry.draftFor(role.name()).map(DraftPairing::draft)
                    .flatMap(registry::role).flatMap(RoleSpec::model);
            Optional<VariantSpec> draft = draftModel.map(ModelSpec::referenceVariant);
            Optional<String> fallback = role.fallbacks().stream().filter(managed::contains).findFirst();
            VariantSpec start = model.variant(launch.variant()).orElse(model.referenceVariant());
            int ngl = launch.gpuLayers().resolve(start.layers());
            out.add(new ResidentRole(role.name(), role.tier(), variants, own.size(), launch.ctxSize(),
                    launch.parallel(), draft, Calibration.of(model), fallback,
                    Optional.ofNullable(registry.residency().pins().get(role.name())),
                    placementFor(start, ngl), draftModel.filter(d -> d.mock() != null).map(Calibration::of)));
        }
        return new ResidencyModel(out, budgets, cost);
    }

    private static boolean managed(RoleSpec r) {
        return r.kind() == RoleKind.GENERATE && r.tier() != Tier.D && r.model().isPresent()
                && r.instances().stream().anyMatch(i -> !i.external());
    }

    /** The state a variant at {@code ngl} GPU layers is in. */
    public static RolePlacement placementFor(VariantSpec v, int ngl) {
        if (ngl <= 0) {
            return RolePlacement.cpu(v.name());
        }
        if (ngl >= v.layers()) {
            return RolePlacement.gpu(v.lowBit() ? ResidencyState.S1 : ResidencyState.S0, v.name(), v.layers());
        }
        return RolePlacement.gpu(ResidencyState.S2, v.name(), ngl);
    }

    public Map<String, ResidentRole> roles() {
        return roles;
    }

    public ResidentRole role(String name) {
        ResidentRole r = roles.get(name);
        if (r == null) {
            throw new IllegalArgumentException("role '" + name + "' is not managed by the residency controller");
        }
        return r;
    }

    public boolean manages(String role) {
        return roles.containsKey(role);
    }

    public Budgets budgets() {
        return budgets;
    }

    public CostModel cost() {
        return cost;
    }

    public DraftAcceptance acceptance() {
        return acceptance;
    }

    /** Where the registry's launch settings put every role. */
    public Placement initialPlacement() {
        Map<String, RolePlacement> m = new LinkedHashMap<>();
        roles.values().forEach(r -> m.put(r.name(), r.initial()));
        return new Placement(m);
    }

    // ---- admissibility ----------------------------------------------------------------------------------------

    /** Why {@code p} is not admissible for {@code role} (variant, precision floor, state/layers, pin), or null. */
    public String inadmissible(String roleName, RolePlacement p) {
        ResidentRole role = role(roleName);
        Optional<VariantSpec> v = role.variant(p.variant());
        if (v.isEmpty()) {
            return "variant '" + p.variant() + "' is not allowed (allowed, precision floor applied: "
                    + role.variants().stream().map(VariantSpec::name).toList() + ")";
        }
        int layers = v.get().layers();
        switch (p.state()) {
            case S0 -> {
                if (v.get().lowBit()) {
                    return "S0 needs a full-precision variant; " + p.variant() + " is low-bit (that is S1)";
                }
                if (p.gpuLayers() != layers) {
                    return "S0 has all " + layers + " layers in GPU memory, not " + p.gpuLayers();
                }
            }
            case S1 -> {
                if (!v.get().lowBit()) {
                    return "S1 needs a low-bit variant; " + p.variant() + " is full precision (that is S0)";
                }
                if (p.gpuLayers() != layers) {
                    return "S1 has all " + layers + " layers in GPU memory, not " + p.gpuLayers();
                }
            }
            case S2 -> {
                if (p.gpuLayers() >= layers) {
                    return "S2 is partial offload: fewer than " + layers + " GPU layers";
                }
            }
            case S5 -> {
                return "S5 cannot be planned";
            }
            case S6 -> {
                if (role.fallback().isEmpty()) {
                    return "S6 needs a fallback role that the controller manages";
                }
            }
            default -> {
            }
        }
        if (role.pin().isPresent() && p.depth() > role.pin().get().ordinal()) {
            return "pinned at " + role.pin().get() + " or above";
        }
        return null;
    }

    public boolean admissible(String role, RolePlacement p) {
        return inadmissible(role, p) == null;
    }

    /** Whether {@code p} runs {@code role} with every layer of its variant on the GPU (S0/S1, or S2 at all layers). */
    public boolean wholeGpu(String role, RolePlacement p) {
        return p.running() && p.gpuLayers() >= role(role).requireVariant(p.variant()).layers();
    }

    /**
     * The one way to make a {@link Transition}: checks the ladder and the target, and prices it.
     *
     * @throws IllegalTransitionException when the ladder has no such edge or the target is inadmissible
     */
    public Transition transition(String role, RolePlacement from, RolePlacement to) {
        String bad = inadmissible(role, to);
        if (bad != null) {
            throw new IllegalTransitionException(role, from, to, bad);
        }
        if (!Ladder.legal(from, to)) {
            throw new IllegalTransitionException(role, from, to, Ladder.why(from, to));
        }
        return new Transition(role, from, to, transitionSeconds(role, from, to), bytesMoved(role, from, to));
    }

    /**
     * Candidate placements of a role, for planners and policies: S0/S1 per variant, S2 at eighths of the layers,
     * S3 per variant, S4, and S6 when a fallback exists; pins and precision floors applied.
     */
    public List<RolePlacement> options(String roleName) {
        ResidentRole role = role(roleName);
        List<RolePlacement> out = new ArrayList<>();
        for (VariantSpec v : role.variants()) {
            out.add(placementFor(v, v.layers()));
            for (int i = PARTIAL_STEPS - 1; i >= 1; i--) {
                int k = Math.max(1, Math.round((float) v.layers() * i / PARTIAL_STEPS));
                RolePlacement p = RolePlacement.gpu(ResidencyState.S2, v.name(), k);
                if (k < v.layers() && !out.contains(p)) {
                    out.add(p);
                }
            }
        }
        for (VariantSpec v : role.variants()) {
            out.add(RolePlacement.cpu(v.name()));
        }
        out.add(RolePlacement.cold(role.smallestVariant().name()));
        if (role.fallback().isPresent()) {
            out.add(RolePlacement.substituted(role.smallestVariant().name()));
        }
        return out.stream().filter(p -> admissible(roleName, p)).toList();
    }

    // ---- bytes ------------------------------------------------------------------------------------------------

    /**
     * Bytes {@code p} occupies. Weights and KV cache split by the fraction of layers on the GPU (llama.cpp keeps an
     * offloaded layer's KV with it); the draft sits on the GPU whenever any of its target does; each process with
     * GPU layers adds {@link #GPU_OVERHEAD_BYTES}. S4 and S6 occupy nothing.
     */
    public Footprint footprint(String roleName, RolePlacement p) {
        if (!p.running()) {
            return Footprint.ZERO;
        }
        ResidentRole role = role(roleName);
        VariantSpec v = role.requireVariant(p.variant());
        double f = (double) p.gpuLayers() / v.layers();
        long weights = v.bytes();
        long kv = v.kvBytesPerToken() * role.ctxSize();
        long draft = role.draft().map(d -> d.bytes() + d.kvBytesPerToken() * role.ctxSize()).orElse(0L);
        long gpu = 0;
        long host;
        if (f > 0) {
            gpu = Math.round(f * (weights + kv)) + draft + GPU_OVERHEAD_BYTES;
            host = Math.round((1 - f) * (weights + kv));
        } else {
            host = weights + kv + draft;
        }
        return new Footprint(gpu * role.instances(), host * role.instances());
    }

    public Footprint footprint(Placement p) {
        Footprint total = Footprint.ZERO;
        for (Map.Entry<String, RolePlacement> e : p.roles().entrySet()) {
            total = total.plus(footprint(e.getKey(), e.getValue()));
        }
        return total;
    }

    public boolean fits(Placement p) {
        return footprint(p).within(budgets);
    }

    // ---- time -------------------------------------------------------------------------------------------------

    /**
     * Time to first token and per output token for a request to a running placement. A role with a draft is credited
     * with speculation where its acceptance α is known ({@link DraftAcceptance}): each target pass verifies k drafted
     * tokens and yields (1 − α^(k+1)) / (1 − α) of them ({@link CostModel#speculativeSecondsPerToken(
     * dev.echelon.cost.Calibration, long, double, int, double, int, double)}), at the k that decodes fastest at this
     * placement — the draft sits on the GPU whenever any of its target does, while a verification on CPU layers is
     * compute-bound — and the draft prefills the prompt too. Without a figure (nothing measured yet) the role is
     * priced as decoding alone.
     *
     * @throws IllegalArgumentException for S4/S5/S6, which cannot serve
     */
    public ServiceCost service(String roleName, RolePlacement p, int promptTokens, int concurrent) {
        if (!p.running()) {
            throw new IllegalArgumentException(p.state() + " cannot serve; role " + roleName + " must load first");
        }
        ResidentRole role = role(roleName);
        VariantSpec v = role.requireVariant(p.variant());
        double f = (double) p.gpuLayers() / v.layers();
        int sequences = Math.max(1, concurrent);
        ServiceCost plain = cost.serviceCost(role.calibration(), v, f, promptTokens, sequences);
        java.util.OptionalDouble alpha = role.draft().isPresent() ? acceptance.alpha(roleName)
                : java.util.OptionalDouble.empty();
        if (alpha.isEmpty()) {
            return plain;
        }
        double draftOnGpu = f > 0 ? 1 : 0;
        double draftTpot = cost.decodeSecondsPerToken(role.draftCalibration(), role.draft().get().bytes(),
                draftOnGpu, sequences);
        double best = cost.fastestSecondsPerToken(role.calibration(), v.bytes(), f, sequences, draftTpot,
                acceptance.longestDraft(), alpha.getAsDouble());
        if (best >= plain.tpotSeconds()) {
            return plain; // no draft length pays at this α: the tuner turns drafting off
        }
        return new ServiceCost(plain.ttftSeconds() + cost.prefillSeconds(role.draftCalibration(), draftOnGpu,
                promptTokens), best);
    }

    /** Seconds one reference request takes from arrival to last token at {@code p}, alone on the role. */
    public double referenceSeconds(String roleName, RolePlacement p) {
        return service(roleName, p, REFERENCE_PROMPT_TOKENS, 1).totalSeconds(REFERENCE_OUTPUT_TOKENS);
    }

    /** Seconds from asking for {@code to} until the role serves there (0 for a pure demotion to S4/S6). */
    public double transitionSeconds(String roleName, RolePlacement from, RolePlacement to) {
        if (!to.running()) {
            return from.running() ? STOP_SECONDS : 0;
        }
        ResidentRole role = role(roleName);
        VariantSpec v = role.requireVariant(to.variant());
        Calibration c = role.calibration();
        double f = (double) to.gpuLayers() / v.layers();
        boolean fromNvme = !inPageCache(from, to.variant());
        double seconds = (from.running() ? STOP_SECONDS : 0) + cost.loadSeconds(c, v.bytes(), f, fromNvme, true);
        if (role.draft().isPresent()) {
            seconds += cost.loadSeconds(c, role.draft().get().bytes(), f > 0 ? 1 : 0, fromNvme, false);
        }
        return seconds;
    }

    /** Bytes read from NVMe plus bytes uploaded to GPU memory by {@code from → to}. */
    public long bytesMoved(String roleName, RolePlacement from, RolePlacement to) {
        if (!to.running()) {
            return 0;
        }
        ResidentRole role = role(roleName);
        VariantSpec v = role.requireVariant(to.variant());
        double f = (double) to.gpuLayers() / v.layers();
        long draft = role.draft().map(VariantSpec::bytes).orElse(0L);
        long fromDisk = inPageCache(from, to.variant()) ? 0 : v.bytes() + draft;
        long toGpu = Math.round(f * v.bytes()) + (f > 0 ? draft : 0);
        return (fromDisk + toGpu) * role.instances();
    }

    /** A running process memory-maps its file, so the same variant restarts from the page cache, not from NVMe. */
    private static boolean inPageCache(RolePlacement from, String variant) {
        return from.running() && from.variant().equals(variant);
    }
}
