package dev.echelon.fake;

import dev.echelon.registry.ModelSpec;
import dev.echelon.registry.VariantSpec;

import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/** Resolves the file a fake llama-server is told to load ({@code -m}, {@code -md}) to a registry model and variant. */
@FunctionalInterface
public interface FakeModelCatalog {

    Optional<FakeModel> byPath(String modelPath);

    /**
     * A catalog over registry models whose variant paths are relative to {@code modelsDir} (or absolute). A path
     * matches a variant when both resolve to the same file, when it equals the variant's path as written, or, failing
     * both, when the file names are equal.
     */
    static FakeModelCatalog of(Collection<ModelSpec> models, Path modelsDir) {
        List<ModelSpec> all = List.copyOf(models);
        Path dir = modelsDir == null ? null : modelsDir.toAbsolutePath().normalize();
        return modelPath -> {
            if (modelPath == null || modelPath.isBlank()) {
                return Optional.empty();
            }
            Path asked;
            try {
                asked = Path.of(modelPath).normalize();
            } catch (InvalidPathException e) {
                return Optional.empty();
            }
            Path askedAbs = asked.isAbsolute() ? asked : (dir == null ? asked.toAbsolutePath() : dir.resolve(asked))
                    .normalize();
            Path askedCwd = asked.toAbsolutePath().normalize();
            FakeModel byName = null;
            for (ModelSpec m : all) {
                for (VariantSpec v : m.variants()) {
                    Path vp;
                    try {
                        vp = Path.of(v.path()).normalize();
                    } catch (InvalidPathException e) {
                        continue;
                    }
                    Path vAbs = (vp.isAbsolute() ? vp : (dir == null ? vp.toAbsolutePath() : dir.resolve(vp)))
                            .normalize();
                    if (vAbs.equals(askedAbs) || vAbs.equals(askedCwd) || v.path().equals(modelPath)) {
                        return Optional.of(new FakeModel(m, v));
                    }
                    if (byName == null && vp.getFileName() != null && asked.getFileName() != null
                            && Objects.equals(vp.getFileName().toString(), asked.getFileName().toString())) {
                        byName = new FakeModel(m, v);
                    }
                }
            }
            return Optional.ofNullable(byName);
        };
    }
}
