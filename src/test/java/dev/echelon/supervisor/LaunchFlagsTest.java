package dev.echelon.supervisor;

import dev.echelon.registry.InstanceSpec;
import dev.echelon.registry.ModelRegistry;
import dev.echelon.registry.RegistryLoader;
import dev.echelon.registry.RegistryMode;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LaunchFlagsTest {

    static final ModelRegistry REGISTRY = new RegistryLoader(RegistryMode.FULL, Path.of("models"), false)
            .load(Path.of("model_registry.yaml"));
    static final LlamaServerHelp V050 = LlamaServerHelp.recordedV050();

    private static InstanceSpec instance(String id) {
        return REGISTRY.instances().filter(i -> i.id().equals(id)).findFirst().orElseThrow();
    }

    @Test
    void recordedHelpIsParsedIntoFlagsAndRemovedFlags() {
        for (String f : List.of("-m", "--model", "--host", "--port", "-ngl", "--n-gpu-layers", "-c", "-np",
                "--load-mode", "-md", "-ngld", "--spec-type", "--spec-draft-n-max", "--spec-draft-n-min",
                "--spec-draft-p-min", "--metrics", "-a", "-fa", "-t")) {
            assertTrue(V050.accepts(f), f + " is in v0.5.0's --help");
        }
        for (String gone : List.of("--draft-max", "--draft-min", "--mlock", "--no-mmap")) {
            assertFalse(V050.accepts(gone), gone + " is not accepted by v0.5.0");
        }
        assertTrue(V050.removed("--draft-max"), "--draft-max is marked removed");
        assertEquals(FlagDialect.SPEC_V050, V050.dialect());
    }

    @Test
    void everyInstanceOfTheShippedRegistryGetsFlagsThatV050Accepts() {
        LaunchFlags flags = new LaunchFlags(REGISTRY, Path.of("/models"), FlagDialect.SPEC_V050);
        REGISTRY.instances().filter(i -> !i.external()).forEach(i -> {
            List<String> args = flags.build(i, 18100);
            Supervisor.checkFlags(i.id(), args, V050); // throws on any flag the recorded --help does not list
        });
    }

    @Test
    void coderLaunchesWithItsDraftThroughSpecTypeDraftSimple() {
        List<String> args = new LaunchFlags(REGISTRY, Path.of("/models"), FlagDialect.SPEC_V050)
                .build(instance("coder-0"), 18102);
        String line = String.join(" ", args);
        assertTrue(line.startsWith("-m /models/qwen2.5-coder-32b-instruct-q4_k_m.gguf --host 127.0.0.1 --port 18102"),
                line);
        assertTrue(line.contains("-ngl 48"), line);
        assertTrue(line.contains("-md /models/qwen2.5-0.5b-instruct-q8_0.gguf -ngld all"), line);
        assertTrue(line.contains("--spec-type draft-simple --spec-draft-n-max 8 --spec-draft-n-min 0 "
                + "--spec-draft-p-min 0.6"), "without --spec-type draft-simple v0.5.0 never uses the draft: " + line);
        assertTrue(line.contains("-c 8192") && line.contains("-np 1") && line.contains("--load-mode mmap"), line);
        assertFalse(line.contains("--draft-max"), line);
    }

    @Test
    void instancesWithoutADraftGetNoSpeculationFlags() {
        String line = String.join(" ", new LaunchFlags(REGISTRY, Path.of("m"), FlagDialect.SPEC_V050)
                .build(instance("frontdoor-0"), 18100));
        assertTrue(line.contains("-ngl all") && line.contains("-np 4") && line.contains("-a frontdoor"), line);
        assertFalse(line.contains("-md") || line.contains("--spec"), line);
    }

    @Test
    void legacyDialectFlagsAreRefusedByAV050Server() {
        List<String> legacy = new LaunchFlags(REGISTRY, Path.of("m"), FlagDialect.LEGACY_DRAFT)
                .build(instance("coder-0"), 18102);
        assertTrue(legacy.contains("--draft-max"));
        LaunchException e = assertThrows(LaunchException.class, () -> Supervisor.checkFlags("coder-0", legacy, V050));
        assertTrue(e.getMessage().contains("--draft-max was removed from the installed llama-server's --help"),
                e.getMessage());
    }

    @Test
    void olderHelpTextSelectsTheLegacyDialect() {
        LlamaServerHelp old = LlamaServerHelp.parse("""
                -m,    --model FNAME                    model path
                --port PORT                             port to listen (default: 8080)
                --draft-max, --draft, --draft-n N       number of tokens to draft (default: 16)
                --mlock                                 force system to keep model in RAM
                """);
        assertEquals(FlagDialect.LEGACY_DRAFT, old.dialect());
        assertTrue(old.accepts("--draft-max") && old.accepts("--mlock"));
    }
}
