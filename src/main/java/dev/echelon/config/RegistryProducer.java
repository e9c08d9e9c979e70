package dev.echelon.config;

import dev.echelon.registry.ModelRegistry;
import dev.echelon.registry.RegistryLoader;
import dev.echelon.registry.RegistryMode;
import dev.echelon.tools.Tool;
import jakarta.enterprise.inject.Any;
import jakarta.enterprise.inject.Instance;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

import java.nio.file.Path;
import java.util.Set;
import java.util.stream.Collectors;

/** Loads and validates {@code model_registry.yaml} once; an invalid file stops startup (see {@link EchelonBoot}). */
public class RegistryProducer {

    @Produces
    @Singleton
    ModelRegistry registry(EchelonConfig config, @Any Instance<Tool> tools) {
        RegistryMode mode = RegistryMode.parse(config.registryMode());
        // Mock mode simulates the GGUF files; real launches need them.
        boolean requireFiles = !config.mockMode();
        // a role's tools list may name only tools that exist as beans: a typo stops startup with its key path
        Set<String> toolNames = tools.stream().map(Tool::name).collect(Collectors.toSet());
        return new RegistryLoader(mode, Path.of(config.modelsDir()), requireFiles, toolNames)
                .load(Path.of(config.registryPath()));
    }
}
