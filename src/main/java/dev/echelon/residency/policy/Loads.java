package dev.echelon.residency.policy;

import dev.echelon.registry.VariantSpec;
import dev.echelon.residency.Footprint;
import dev.echelon.residency.Observation;
import dev.echelon.residency.Placement;
import dev.echelon.residency.ResidencyModel;
import dev.echelon.residency.ResidentRole;
import dev.echelon.residency.RolePlacement;

import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * The placement moves the peer products make, expressed in the residency model: load a role the way its launch
 * settings say, load it with as many GPU layers as free memory allows, evict it. Shared by the peer policies so they
 * differ only in <em>when</em> they load and evict, which is what the comparison is about.
 */
final class Loads {

    private Loads() {
    }

    /**
     * Where a role's registry launch settings put it when it is started: its initial placement if that is a running
     * state; otherwise (the registry starts it cold or substituted) its largest all-GPU option that fits on its own.
     */
    static RolePlacement launch(ResidencyModel model, String role) {
        RolePlacement initial = model.role(role).initial();
        if (initial.running()) {
            return initial;
        }
        Placement empty = model.initialPlacement().map((r, p) -> r.equals(role) ? p : RolePlacement.cold(p.variant()));
        return model.options(role).stream()
                .filter(p -> p.running() && p.gpuLayers() == model.role(role).requireVariant(p.variant()).layers())
                .filter(p -> model.fits(empty.with(role, p)))
                .findFirst() // options() lists variants largest first
                .orElseGet(() -> RolePlacement.cpu(model.role(role).smallestVariant().name()));
    }

    /**
     * A server that has loaded nothing yet (Ollama, llama.cpp's router, llama-swap at start): every role cold except
     * those a pin keeps loaded, which stay at their launch placement.
     */
    static Placement startEmpty(ResidencyModel model) {
        return model.initialPlacement().map((role, p) -> evictable(model, role) ? RolePlacement.cold(p.variant())
                : launch(model, role));
    }

    /** The variant a role is launched with: the GGUF file the user configured. */
    static VariantSpec launchVariant(ResidencyModel model, String role) {
        ResidentRole r = model.role(role);
        return r.requireVariant(launch(model, role).variant());
    }

    /**
     * {@code role} in {@code variant} with the most GPU layers that fit beside the rest of {@code placement}: all
     * layers if possible, else partial offload, else CPU only; empty when not even the CPU placement fits host RAM.
     */
    static Optional<RolePlacement> mostGpuLayersThatFit(ResidencyModel model, Placement placement, String role,
            VariantSpec variant) {
        for (int k = variant.layers(); k >= 0; k--) {
            RolePlacement p = ResidencyModel.placementFor(variant, k);
            if (model.admissible(role, p) && model.fits(placement.with(role, p))) {
                return Optional.of(p);
            }
        }
        return Optional.empty();
    }

    /** Unloaded: the process stopped and the file cold on NVMe; empty when a pin forbids it. */
    static Optional<RolePlacement> evicted(ResidencyModel model, String role, RolePlacement current) {
        RolePlacement cold = RolePlacement.cold(current.variant());
        return model.admissible(role, cold) ? Optional.of(cold) : Optional.empty();
    }

    /**
     * Whether unloading {@code role} frees memory where {@code wanted} overflows a budget (evicting a CPU-only model
     * does not help a model that does not fit in GPU memory).
     */
    static boolean freesWhatIsShort(ResidencyModel model, Placement wanted, String role) {
        Footprint total = model.footprint(wanted);
        Footprint own = model.footprint(role, wanted.of(role));
        return (total.gpuBytes() > model.budgets().gpuBytes() && own.gpuBytes() > 0)
                || (total.hostBytes() > model.budgets().hostRamBytes() && own.hostBytes() > 0);
    }

    static boolean evictable(ResidencyModel model, String role) {
        return model.admissible(role, RolePlacement.cold(model.role(role).smallestVariant().name()));
    }

    /**
     * A pending request, as the peers' servers keep one: a role whose requests wait while {@code target} leaves it
     * unloaded (a later load unloaded it before it ever ran) is loaded again — unless that load would unload a role
     * with requests in flight or queued, in which case the load is undone and waits for a later tick, so two waiting
     * models do not take the GPU from each other tick after tick.
     *
     * @param load loads a role into the policy's target
     * @param undo puts the policy's target back to the placement given
     */
    static void retryPending(Observation now, Supplier<Placement> target, Consumer<String> load,
            Consumer<Placement> undo) {
        for (String role : target.get().roles().keySet()) {
            if (now.queued(role) == 0 || target.get().of(role).running()) {
                continue;
            }
            Placement before = target.get();
            load.accept(role);
            Placement after = target.get();
            if (before.roles().keySet().stream()
                    .anyMatch(r -> now.busy(r) && before.of(r).running() && !after.of(r).running())) {
                undo.accept(before);
            }
        }
    }
}
