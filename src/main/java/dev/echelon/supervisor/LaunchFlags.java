package dev.echelon.supervisor;

import dev.echelon.registry.DraftPairing;
import dev.echelon.registry.InstanceSpec;
import dev.echelon.registry.LaunchSpec;
import dev.echelon.registry.ModelRegistry;
import dev.echelon.registry.ModelSpec;
import dev.echelon.registry.RoleSpec;
import dev.echelon.registry.VariantSpec;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Turns a registry instance (its launch template, variant and draft pairing) into llama-server's command line.
 * The one place that knows llama-server's flag names.
 */
public final class LaunchFlags {

    private final ModelRegistry registry;
    private final Path modelsDir;
    private final FlagDialect dialect;
    private final DraftSettings drafts;

    /** With the registry's pairings as they are (no adaptation). */
    public LaunchFlags(ModelRegistry registry, Path modelsDir, FlagDialect dialect) {
        this(registry, modelsDir, dialect, DraftSettings.of(registry));
    }

    /** @param drafts how each role speculates now; read at every build */
    public LaunchFlags(ModelRegistry registry, Path modelsDir, FlagDialect dialect, DraftSettings drafts) {
        this.registry = registry;
        this.modelsDir = modelsDir;
        this.dialect = dialect;
        this.drafts = drafts;
    }

    /** The flags for {@code instance} listening on 127.0.0.1:{@code port}, with its registry variant. */
    public List<String> build(InstanceSpec instance, int port) {
        LaunchSpec launch = instance.launch().orElseThrow(() -> new IllegalArgumentException(
                "instance " + instance.id() + " is external (" + instance.url().orElse(null) + "); nothing to launch"));
        return build(instance, launch, port);
    }

    /** As {@link #build(InstanceSpec, int)}, with a launch spec that may differ from the registry's (residency). */
    public List<String> build(InstanceSpec instance, LaunchSpec launch, int port) {
        RoleSpec role = registry.requireRole(instance.role());
        ModelSpec model = role.model().orElseThrow(() -> new IllegalArgumentException(
                "role " + role.name() + " has no model to launch"));
        VariantSpec variant = model.variant(launch.variant()).orElseThrow(() -> new IllegalArgumentException(
                "role " + role.name() + " has no variant " + launch.variant()));
        List<String> args = new ArrayList<>();
        args.addAll(List.of("-m", modelPath(variant).toString()));
        args.addAll(List.of("--host", "127.0.0.1", "--port", Integer.toString(port)));
        args.addAll(List.of("-a", role.name()));
        args.addAll(List.of("-ngl", launch.gpuLayers().flagValue()));
        args.addAll(List.of("-c", Integer.toString(launch.ctxSize())));
        args.addAll(List.of("-np", Integer.toString(launch.parallel())));
        if (launch.kvUnified() && launch.parallel() > 1) {
            args.add("-kvu"); // one slot has all of -c either way
        }
        if (launch.threads() > 0) {
            args.addAll(List.of("-t", Integer.toString(launch.threads())));
        }
        args.addAll(List.of("-fa", launch.flashAttn()));
        args.addAll(dialect.loadModeFlags(launch.loadMode()));
        args.add("--metrics");
        boolean cpuOnly = !launch.gpuLayers().all() && launch.gpuLayers().count() <= 0;
        args.addAll(speculationFlags(role.name(), cpuOnly));
        args.addAll(launch.extraArgs());
        return List.copyOf(args);
    }

    /** The speculation flags {@code role} is launched with now ({@link DraftSettings}); empty when it does not. */
    public List<String> speculationFlags(String role, boolean cpuOnly) {
        SpeculationLaunch spec = drafts.of(role);
        return switch (spec.mode()) {
            case OFF -> List.of();
            case NGRAM -> dialect.ngramFlags(spec.nMax());
            case DRAFT -> registry.draftFor(role).map(pair -> draftFlags(pair, spec, cpuOnly)).orElse(List.of());
        };
    }

    /** A target kept off the GPU (residency S3) keeps its draft off it too: the draft rides with its target. */
    private List<String> draftFlags(DraftPairing pair, SpeculationLaunch spec, boolean cpuOnly) {
        ModelSpec draft = registry.requireRole(pair.draft()).model().orElseThrow();
        List<String> out = new ArrayList<>();
        out.addAll(List.of("-md", modelPath(draft.referenceVariant()).toString()));
        out.addAll(List.of("-ngld", cpuOnly ? "0" : pair.draftGpuLayers().flagValue()));
        out.addAll(dialect.draftFlags(spec.nMax(), spec.nMin(), spec.pMin()));
        return out;
    }

    /**
     * A short-lived server of a Tier D draft alone, for the pairing check: CPU only, a small context, one slot — it
     * only answers {@code /props}, {@code /v1/models} and {@code /tokenize}.
     */
    public List<String> draftProbe(String draftRole, int port) {
        ModelSpec draft = registry.requireRole(draftRole).model().orElseThrow(() -> new IllegalArgumentException(
                "draft role " + draftRole + " has no model"));
        return List.of("-m", modelPath(draft.referenceVariant()).toString(), "--host", "127.0.0.1", "--port",
                Integer.toString(port), "-a", draftRole, "-ngl", "0", "-c", "512", "-np", "1");
    }

    Path modelPath(VariantSpec variant) {
        Path p = Path.of(variant.path());
        return p.isAbsolute() ? p : modelsDir.resolve(p);
    }
}
