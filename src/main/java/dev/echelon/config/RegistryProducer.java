package dev.echelon.config;

import dev.echelon.registry.ModelRegistry;
import dev.echelon.registry.RegistryLoader;
import dev.echelon.registry.RegistryMode;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

import java.nio.file.Path;

/** Loads and validates {@code model_registry.yaml} once; an invalid file stops startup (see {@link EchelonBoot}). */
public class RegistryProducer {

    @Produces
    @Singleton
    ModelRegistry registry(EchelonConfig config) {
        RegistryMode mode = RegistryMode.parse(config.registryMode());
        // Mock mode simulates the GGUF files; real launches need them.
        boolean requireFiles = !config.mockMode();
        return new RegistryLoader(mode, Path.of(config.modelsDir()), requireFiles).load(Path.of(config.registryPath()));
    }
}
