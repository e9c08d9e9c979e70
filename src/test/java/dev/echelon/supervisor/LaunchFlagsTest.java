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

    /** The gpu template unifies its slots' KV cache (one request may take all of -c); math's one slot has it anyway. */
    @Test
    void aUnifiedKvCacheIsAskedForWithKvu() {
        LaunchFlags flags = new LaunchFlags(REGISTRY, Path.of("/models"), FlagDialect.SPEC_V050);
        String frontdoor = String.join(" ", flags.build(instance("frontdoor-0"), 18100));
        assertTrue(frontdoor.contains("-c 8192 -np 4 -kvu"), frontdoor);
        List<String> math = flags.build(instance("math-0"), 18101);
        assertFalse(math.contains("-kvu"), math::toString);
        List<String> coder = flags.build(instance("coder-0"), 18102); // the gpu template's, but a single slot
        assertFalse(coder.contains("-kvu"), coder::toString);
        // a build without -kvu is refused at start with what to change
        LaunchException e = assertThrows(LaunchException.class, () -> Supervisor.checkFlags("frontdoor-0",
                flags.build(instance("frontdoor-0"), 18100), LlamaServerHelp.parse(OLDER_HELP)));
        assertTrue(e.getMessage().contains("flag -kvu is not in the installed llama-server's --help (asked for by "
                + "kv_unified: true in model_registry.yaml"), e.getMessage());
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

    /** An excerpt of an older llama-server --help (before v0.5.0 renamed the draft flags), kept verbatim. */
    static final String OLDER_HELP = """
            -m,    --model FNAME                    model path (default: `models/$filename` with filename from `--hf-file`
            --host HOST                             ip address to listen, or bind to an UNIX socket if the address ends
            --port PORT                             port to listen (default: 8080)
            -a,    --alias STRING                   set alias for model name (to be used by REST API)
            -ngl,  --gpu-layers, --n-gpu-layers N   number of layers to store in VRAM
            -c,    --ctx-size N                     size of the prompt context (default: 4096, 0 = loaded from model)
            -np,   --parallel N                     number of parallel sequences to decode (default: 1)
            -t,    --threads N                      number of threads to use during generation (default: -1)
            -fa,   --flash-attn [on|off|auto]       set Flash Attention use ('on', 'off', or 'auto', default: 'auto')
            --mlock                                 force system to keep model in RAM rather than swapping or compressing
            --no-mmap                               do not memory-map model (slower load but may reduce pageouts if not
            --metrics                               enable prometheus compatible metrics endpoint (default: disabled)
            --draft-max, --draft, --draft-n N       number of tokens to draft for speculative decoding (default: 16)
            --draft-min, --draft-n-min N            minimum number of draft tokens to use for speculative decoding
            --draft-p-min P                         minimum speculative decoding probability (greedy) (default: 0.8)
            -md,   --model-draft FNAME              draft model for speculative decoding (default: unused)
            -ngld, --gpu-layers-draft, --n-gpu-layers-draft N
                                                    number of layers to store in VRAM for the draft model
            """;

    @Test
    void theOlderFamilyBuildsDraftFlagsItsHelpAccepts() {
        LlamaServerHelp old = LlamaServerHelp.parse(OLDER_HELP);
        assertEquals(FlagDialect.LEGACY_DRAFT, old.dialect());
        List<String> args = new LaunchFlags(REGISTRY, Path.of("m"), old.dialect()).build(instance("coder-0"), 18102);
        String line = String.join(" ", args);
        assertTrue(line.contains("-md m/qwen2.5-0.5b-instruct-q8_0.gguf -ngld all --draft-max 8 --draft-min 0 "
                + "--draft-p-min 0.6"), line);
        assertFalse(line.contains("--load-mode"), "older servers have no --load-mode: " + line);
        assertFalse(line.contains("--spec-"), line);
        Supervisor.checkFlags("coder-0", args, old); // every flag is in the older --help
        LaunchException e = assertThrows(LaunchException.class, () -> Supervisor.checkFlags("coder-0",
                new LaunchFlags(REGISTRY, Path.of("m"), FlagDialect.SPEC_V050).build(instance("coder-0"), 1), old));
        assertTrue(e.getMessage().contains("is not in the installed llama-server's --help"), e.getMessage());
    }

    @Test
    void adaptedDraftLengthsAndNgramLookupAreBuiltFromTheCurrentSettings() {
        DraftSettings drafts = DraftSettings.of(REGISTRY);
        LaunchFlags flags = new LaunchFlags(REGISTRY, Path.of("m"), FlagDialect.SPEC_V050, drafts);
        drafts.set("coder", SpeculationLaunch.draft(3, 1, 0.5), "adapted");
        String line = String.join(" ", flags.build(instance("coder-0"), 18102));
        assertTrue(line.contains("--spec-type draft-simple --spec-draft-n-max 3 --spec-draft-n-min 1 "
                + "--spec-draft-p-min 0.5"), line);

        drafts.set("coder", SpeculationLaunch.ngram(6), "no draft fits");
        List<String> ngram = flags.build(instance("coder-0"), 18102);
        line = String.join(" ", ngram);
        assertTrue(line.contains("--spec-type ngram-simple --spec-ngram-simple-size-m 6"), line);
        assertFalse(line.contains("-md"), "n-gram lookup needs no draft model: " + line);
        Supervisor.checkFlags("coder-0", ngram, V050);
        assertTrue(new LaunchFlags(REGISTRY, Path.of("m"), FlagDialect.LEGACY_DRAFT, drafts)
                .speculationFlags("coder", false).isEmpty(), "older servers have no n-gram lookup");

        drafts.set("coder", SpeculationLaunch.OFF, "incompatible");
        line = String.join(" ", flags.build(instance("coder-0"), 18102));
        assertFalse(line.contains("-md") || line.contains("--spec"), line);
    }

    @Test
    void aDraftProbeIsTheDraftAloneOnTheCpu() {
        List<String> args = new LaunchFlags(REGISTRY, Path.of("/models"), FlagDialect.SPEC_V050)
                .draftProbe("draft_general", 19999);
        assertEquals(List.of("-m", "/models/qwen2.5-0.5b-instruct-q8_0.gguf", "--host", "127.0.0.1", "--port", "19999",
                "-a", "draft_general", "-ngl", "0", "-c", "512", "-np", "1"), args);
        Supervisor.checkFlags("draft_general-probe", args, V050);
    }
}
