package dev.echelon.residency;

import dev.echelon.cost.Calibration;
import dev.echelon.registry.ResidencyState;
import dev.echelon.registry.Tier;
import dev.echelon.registry.VariantSpec;

import java.util.List;
import java.util.Optional;

/**
 * One role as the residency controller sees it: the unit whose weights move. Drafts are not units of their own;
 * their bytes ride with their target ({@link #draft}).
 *
 * @param variants       the variants the controller may place, largest (most precise) first, precision floor
 *                       applied
 * @param instances      llama-server processes of the role; each holds its own copy of the weights
 * @param ctxSize        {@code -c} per instance: the KV cache reserved for it
 * @param parallel       slots per instance
 * @param draft          the paired draft's variant, loaded with the target (on the GPU whenever the target is)
 * @param fallback       the managed role that serves this one's traffic in S6, if any
 * @param pin            the floor state from the registry's pins
 * @param initial        the placement the registry's launch settings describe: where the controller starts
 * @param draftSpeeds    the draft model's own calibration; empty: its speeds are the target's, scaled by its bytes
 *                       (decoding is memory-bound)
 */
public record ResidentRole(String name, Tier tier, List<VariantSpec> variants, int instances, int ctxSize,
        int parallel, Optional<VariantSpec> draft, Calibration calibration, Optional<String> fallback,
        Optional<ResidencyState> pin, RolePlacement initial, Optional<Calibration> draftSpeeds) {

    public ResidentRole {
        variants = List.copyOf(variants);
        if (variants.isEmpty()) {
            throw new IllegalArgumentException("role " + name + " has no variant to place");
        }
    }

    /** A role whose draft, if any, runs at the target's speeds scaled by its bytes. */
    public ResidentRole(String name, Tier tier, List<VariantSpec> variants, int instances, int ctxSize, int parallel,
            Optional<VariantSpec> draft, Calibration calibration, Optional<String> fallback,
            Optional<ResidencyState> pin, RolePlacement initial) {
        this(name, tier, variants, instances, ctxSize, parallel, draft, calibration, fallback, pin, initial,
                Optional.empty());
    }

    /** The calibration the draft decodes and prefills with. */
    public Calibration draftCalibration() {
        return draftSpeeds.orElse(calibration);
    }

    public Optional<VariantSpec> variant(String name) {
        return variants.stream().filter(v -> v.name().equals(name)).findFirst();
    }

    public VariantSpec requireVariant(String variantName) {
        return variant(variantName).orElseThrow(() -> new IllegalArgumentException(
                "role " + name + " may not use variant '" + variantName + "' (allowed: "
                        + variants.stream().map(VariantSpec::name).toList() + ")"));
    }

    /** How many requests the role serves at once: its parallel slots over all its instances (at least one). */
    public int slots() {
        return Math.max(1, parallel) * Math.max(1, instances);
    }

    /** The smallest allowed variant: what a cold role loads when it must come up fast. */
    public VariantSpec smallestVariant() {
        return variants.get(variants.size() - 1);
    }

    public int layers() {
        return variants.get(0).layers();
    }

    /** Tier A first: when memory cannot hold everything, lower-priority roles' requests wait. */
    public int priority() {
        return switch (tier) {
            case A -> 3;
            case B -> 2;
            case C -> 1;
            case D -> 0;
        };
    }
}
