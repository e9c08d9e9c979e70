package dev.echelon.registry;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RegistryLoaderTest {

    /** A small valid registry; each invalid case below changes one thing in it. */
    static final String VALID = """
            version: 1
            residency:
              gpu_bytes: 24GiB
              host_ram_bytes: 64GiB
              pins: {frontdoor: S1}
            tiers:
              A: {name: front door}
              B: {name: experts}
              C: {name: workers}
              D: {name: drafts}
            launch_templates:
              gpu: {gpu_layers: all, ctx_size: 4096, parallel: 2}
            roles:
              frontdoor:
                tier: A
                model:
                  name: small
                  family: qwen2.5
                  variants:
                    - {name: q8_0, path: small-q8_0.gguf, quant: Q8_0, bytes: 1894532128, layers: 28, kv_bytes_per_token: 28672, context_length: 32768}
                instances:
                  - {id: frontdoor-0, template: gpu}
                fallbacks: [worker]
              worker:
                tier: C
                model:
                  name: mid
                  family: qwen2.5
                  variants:
                    - {name: q4_k_m, path: mid-q4_k_m.gguf, quant: Q4_K_M, bytes: 4683073184, layers: 28, kv_bytes_per_token: 57344, context_length: 32768}
                instances:
                  - {id: worker-0, template: gpu}
              coder:
                tier: B
                model:
                  name: big
                  family: qwen2.5
                  variants:
                    - {name: q4_k_m, path: big-q4_k_m.gguf, quant: Q4_K_M, bytes: 19851335840, layers: 64, kv_bytes_per_token: 262144, context_length: 32768}
                    - {name: q8_0, path: big-q8_0.gguf, quant: Q8_0, bytes: 34820885024, layers: 64, kv_bytes_per_token: 262144, context_length: 32768}
                instances:
                  - {id: coder-0, template: gpu, gpu_layers: 48}
              draft_general:
                tier: D
                kind: draft
                model:
                  name: tiny
                  family: qwen2.5
                  variants:
                    - {name: q8_0, path: tiny-q8_0.gguf, quant: Q8_0, bytes: 531068512, layers: 24, kv_bytes_per_token: 12288, context_length: 32768}
            speculation:
              pairs:
                - {target: coder, draft: draft_general, n_max: 8}
            escalation:
              chains:
                code: [frontdoor, worker, coder]
            """;

    private static final RegistryLoader LOADER = new RegistryLoader(RegistryMode.FULL, Path.of("models"), false);

    private static RegistryValidationException invalid(String yaml) {
        return assertThrows(RegistryValidationException.class,
                () -> LOADER.parse(yaml, "model_registry.yaml"));
    }

    @Test
    void validRegistryLoadsIntoRecords() {
        ModelRegistry r = LOADER.parse(VALID, "model_registry.yaml");
        assertEquals(4, r.roles().size());
        assertEquals("frontdoor", r.frontDoor().name());
        RoleSpec coder = r.requireRole("coder");
        assertEquals(Tier.B, coder.tier());
        assertEquals(34820885024L, coder.model().orElseThrow().variant("q8_0").orElseThrow().bytes());
        LaunchSpec launch = coder.instances().get(0).launch().orElseThrow();
        assertEquals(48, launch.gpuLayers().count());
        assertEquals(4096, launch.ctxSize(), "template value inherited");
        assertEquals(2, launch.parallel());
        assertEquals("draft_general", r.draftFor("coder").orElseThrow().draft());
        assertEquals(List.of("frontdoor", "worker", "coder"), r.chains().get("code"));
        assertEquals(24L << 30, r.residency().gpuBytes());
        assertEquals(ResidencyState.S1, r.residency().pins().get("frontdoor"));
        assertEquals(RoleKind.DRAFT, r.requireRole("draft_general").kind());
    }

    @Test
    void shippedRegistryIsValid() {
        ModelRegistry r = LOADER.load(Path.of("model_registry.yaml"));
        assertTrue(r.roles().keySet().containsAll(List.of("frontdoor", "coder", "architect", "worker", "math",
                "draft_general", "embedder")));
        for (Tier t : Tier.values()) {
            assertFalse(r.rolesOf(t).isEmpty(), "tier " + t + " has a role");
        }
        // honest sizes: a 32B model at Q4_K_M is about 20 GB
        long coderBytes = r.requireRole("coder").model().orElseThrow().referenceVariant().bytes();
        assertTrue(coderBytes > 18e9 && coderBytes < 21e9, "coder bytes " + coderBytes);
    }

    /**
     * What one request may take on a role's servers, as llama-server splits it: {@code -c} over {@code -np} slots
     * (Echelon always sets {@code -np}, so the KV cache is unified only when asked for).
     */
    @Test
    void aRequestTakesItsSlotsShareOfTheContextUnlessTheCacheIsUnified() {
        ModelRegistry shipped = LOADER.load(Path.of("model_registry.yaml"));
        Map<String, Integer> perRequest = new java.util.TreeMap<>();
        for (String role : List.of("frontdoor", "worker", "math", "coder", "architect")) {
            perRequest.put(role, shipped.requireRole(role).requestContextTokens().orElseThrow());
        }
        // the gpu template's slots share their 8,192 (kv_unified); math's and the architect's one slot has all of -c
        assertEquals(Map.of("frontdoor", 8192, "worker", 8192, "math", 4096, "coder", 8192, "architect", 16384),
                perRequest);

        ModelRegistry split = LOADER.parse(VALID, "model_registry.yaml");
        assertEquals(2048, split.requireRole("coder").requestContextTokens().orElseThrow()); // 4,096 over 2 slots
        ModelRegistry unified = LOADER.parse(VALID.replace("{id: worker-0, template: gpu}",
                "{id: worker-0, template: gpu, extra_args: [-kvu]}").replace("{id: coder-0, template: gpu,",
                "{id: coder-0, template: gpu, kv_unified: true,"), "model_registry.yaml");
        assertEquals(4096, unified.requireRole("worker").requestContextTokens().orElseThrow()); // shared by both
        assertEquals(4096, unified.requireRole("coder").requestContextTokens().orElseThrow());
        assertTrue(unified.requireRole("coder").instances().get(0).launch().orElseThrow().kvUnified());
        assertTrue(unified.requireRole("draft_general").requestContextTokens().isEmpty(), "no server of its own");
    }

    static Stream<Arguments> invalidRegistries() {
        return Stream.of(
                Arguments.of("negative bytes",
                        VALID.replace("bytes: 34820885024", "bytes: -5"),
                        "model_registry.yaml: roles.coder.model.variants[1].bytes: must be > 0 (was -5)"),
                Arguments.of("unknown key",
                        VALID.replace("    tier: B\n", "    tier: B\n    modle: x\n"),
                        "model_registry.yaml: roles.coder.modle: unknown key"),
                Arguments.of("unknown escalation target",
                        VALID.replace("code: [frontdoor, worker, coder]", "code: [frontdoor, worker, codr]"),
                        "model_registry.yaml: escalation.chains.code[2]: unknown role 'codr'"),
                Arguments.of("escalation cycle in one chain",
                        VALID.replace("code: [frontdoor, worker, coder]", "code: [frontdoor, worker, frontdoor]"),
                        "model_registry.yaml: escalation.chains.code[2]: escalation cycle"),
                Arguments.of("escalation cycle across chains",
                        VALID.replace("code: [frontdoor, worker, coder]",
                                "code: [frontdoor, worker, coder]\n    back: [worker, frontdoor]"),
                        "model_registry.yaml: escalation.chains: escalation cycle across chains: "),
                Arguments.of("draft without target",
                        VALID.replace("- {target: coder, draft: draft_general, n_max: 8}",
                                "- {draft: draft_general, n_max: 8}"),
                        "model_registry.yaml: speculation.pairs[0].target: required"),
                Arguments.of("draft that is not tier D",
                        VALID.replace("draft: draft_general, n_max", "draft: worker, n_max"),
                        "model_registry.yaml: speculation.pairs[0].draft: role 'worker' is tier C"),
                Arguments.of("duplicate role",
                        VALID.replace("  draft_general:\n", "  worker:\n    tier: C\n  draft_general:\n"),
                        "model_registry.yaml: roles.worker: duplicate key"),
                Arguments.of("missing tier",
                        VALID.replace("  C: {name: workers}\n", ""),
                        "model_registry.yaml: tiers.C: required"),
                Arguments.of("bad URL",
                        VALID.replace("- {id: worker-0, template: gpu}", "- {id: worker-0, url: 'htp:/nowhere'}"),
                        "model_registry.yaml: roles.worker.instances[0].url: must be an http(s) URL"),
                Arguments.of("unknown tier letter",
                        VALID.replace("    tier: C\n", "    tier: E\n"),
                        "model_registry.yaml: roles.worker.tier: must be one of A, B, C, D (was 'E')"),
                Arguments.of("unknown variant on an instance",
                        VALID.replace("{id: coder-0, template: gpu, gpu_layers: 48}",
                                "{id: coder-0, template: gpu, variant: q5_k_m}"),
                        "model_registry.yaml: roles.coder.instances[0].variant: unknown variant 'q5_k_m'"),
                Arguments.of("unknown fallback",
                        VALID.replace("fallbacks: [worker]", "fallbacks: [wroker]"),
                        "model_registry.yaml: roles.frontdoor.fallbacks[0]: unknown role 'wroker'"),
                Arguments.of("pin to an unknown state",
                        VALID.replace("pins: {frontdoor: S1}", "pins: {frontdoor: S9}"),
                        "model_registry.yaml: residency.pins.frontdoor: must be one of S0"),
                Arguments.of("substitution as a pin",
                        VALID.replace("pins: {frontdoor: S1}", "pins: {frontdoor: S6}"),
                        "model_registry.yaml: residency.pins.frontdoor: S6 (substituted by a fallback) cannot be a floor"),
                Arguments.of("precision floor naming a variant the role lacks",
                        VALID.replace("pins: {frontdoor: S1}", "pins: {frontdoor: S1}\n  precision_floors: {coder: q2_k}"),
                        "model_registry.yaml: residency.precision_floors.coder: role 'coder' has no variant 'q2_k'"),
                Arguments.of("precision floor for an unknown role",
                        VALID.replace("pins: {frontdoor: S1}", "pins: {frontdoor: S1}\n  precision_floors: {codr: q4}"),
                        "model_registry.yaml: residency.precision_floors.codr: unknown role 'codr'"),
                Arguments.of("capability out of range",
                        VALID.replace("name: mid\n", "name: mid\n      mock: {capability: 1.5}\n"),
                        "model_registry.yaml: roles.worker.model.mock.capability: must be between 0 and 1 (was 1.5)"),
                Arguments.of("more GPU layers than the model has",
                        VALID.replace("gpu_layers: 48", "gpu_layers: 80"),
                        "model_registry.yaml: roles.coder.instances[0].gpu_layers: must be <= the variant's 64 layers"),
                Arguments.of("duplicate instance id",
                        VALID.replace("{id: worker-0, template: gpu}", "{id: frontdoor-0, template: gpu}"),
                        "model_registry.yaml: roles.worker.instances[0].id: duplicate instance id 'frontdoor-0'"),
                Arguments.of("B tier is terminal",
                        VALID.replace("code: [frontdoor, worker, coder]", "code: [frontdoor, coder, worker]"),
                        "model_registry.yaml: escalation.chains.code[1]: role 'coder' is tier B, which is terminal"),
                Arguments.of("a draft role in a chain",
                        VALID.replace("code: [frontdoor, worker, coder]", "code: [frontdoor, draft_general]"),
                        "model_registry.yaml: escalation.chains.code[1]: role 'draft_general' is tier D"),
                Arguments.of("no front door",
                        VALID.replace("  frontdoor:\n    tier: A\n", "  frontdoor:\n    tier: C\n"),
                        "model_registry.yaml: roles: no tier A role"),
                Arguments.of("wrong type",
                        VALID.replace("layers: 28, kv_bytes_per_token: 57344", "layers: many, kv_bytes_per_token: 57344"),
                        "model_registry.yaml: roles.worker.model.variants[0].layers: must be an integer (was 'many')"),
                Arguments.of("bad load mode",
                        VALID.replace("gpu: {gpu_layers: all,", "gpu: {load_mode: mlockk, gpu_layers: all,"),
                        "model_registry.yaml: launch_templates.gpu.load_mode: must be one of"),
                Arguments.of("missing model",
                        VALID.replace("""
                                    model:
                                      name: mid
                                      family: qwen2.5
                                      variants:
                                        - {name: q4_k_m, path: mid-q4_k_m.gguf, quant: Q4_K_M, bytes: 4683073184, layers: 28, kv_bytes_per_token: 57344, context_length: 32768}
                                """, ""),
                        "model_registry.yaml: roles.worker.model: required"),
                Arguments.of("not YAML",
                        "roles: [unclosed",
                        "model_registry.yaml: not valid YAML"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("invalidRegistries")
    void invalidRegistryIsRefusedWithTheKeyPath(String name, String yaml, String expected) {
        RegistryValidationException e = invalid(yaml);
        assertTrue(e.errors().stream().anyMatch(err -> err.startsWith(expected)),
                name + ": expected an error starting with\n  " + expected + "\nbut got\n  "
                        + String.join("\n  ", e.errors()));
        assertTrue(e.getMessage().contains(expected), "the exception message lists the error");
    }

    /** The loader as Echelon builds it: with the names of the tools that exist. */
    private static final RegistryLoader WITH_TOOLS = new RegistryLoader(RegistryMode.FULL, Path.of("models"), false,
            java.util.Set.of("run_code", "web_fetch"));

    @Test
    void roleToolsAreReadInOrder() {
        ModelRegistry r = WITH_TOOLS.parse(VALID.replace("    fallbacks: [worker]\n",
                "    fallbacks: [worker]\n    tools: [web_fetch, run_code]\n"), "model_registry.yaml");
        assertEquals(List.of("web_fetch", "run_code"), r.requireRole("frontdoor").tools());
        assertEquals(List.of(), r.requireRole("worker").tools(), "no tools key: no tools");
    }

    static Stream<Arguments> invalidTools() {
        return Stream.of(
                Arguments.of("unknown tool",
                        "    fallbacks: [worker]\n    tools: [run_code, shell_exec]\n",
                        "model_registry.yaml: roles.frontdoor.tools[1]: unknown tool 'shell_exec' (tools: run_code, "
                                + "web_fetch)"),
                Arguments.of("tool listed twice",
                        "    fallbacks: [worker]\n    tools: [run_code, run_code]\n",
                        "model_registry.yaml: roles.frontdoor.tools[1]: tool 'run_code' is listed twice"),
                Arguments.of("tools not a list",
                        "    fallbacks: [worker]\n    tools: run_code\n",
                        "model_registry.yaml: roles.frontdoor.tools: "));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("invalidTools")
    void invalidRoleToolsAreRefusedWithTheKeyPath(String name, String toolsLine, String expected) {
        String yaml = VALID.replace("    fallbacks: [worker]\n", toolsLine);
        RegistryValidationException e = assertThrows(RegistryValidationException.class,
                () -> WITH_TOOLS.parse(yaml, "model_registry.yaml"));
        assertTrue(e.errors().stream().anyMatch(err -> err.startsWith(expected)),
                name + ": expected an error starting with\n  " + expected + "\nbut got\n  "
                        + String.join("\n  ", e.errors()));
    }

    @Test
    void draftRolesCallNoTools() {
        String yaml = VALID.replace("    kind: draft\n", "    kind: draft\n    tools: [run_code]\n");
        RegistryValidationException e = assertThrows(RegistryValidationException.class,
                () -> WITH_TOOLS.parse(yaml, "model_registry.yaml"));
        assertTrue(e.errors().stream().anyMatch(err -> err.startsWith(
                "model_registry.yaml: roles.draft_general.tools: only roles that answer users call tools")),
                String.join("\n", e.errors()));
    }

    @Test
    void shippedRegistryGivesToolsToWorkersAndExperts() {
        ModelRegistry r = WITH_TOOLS.load(Path.of("model_registry.yaml"));
        assertTrue(r.requireRole("coder").tools().contains("run_code"));
        assertTrue(r.requireRole("worker").tools().containsAll(List.of("run_code", "web_fetch")));
        assertTrue(r.requireRole("architect").tools().contains("web_fetch"));
        assertEquals(List.of(), r.requireRole("frontdoor").tools(), "the front door triages; it runs nothing");
    }

    @Test
    void everyErrorIsReportedAtOnce() {
        String yaml = VALID.replace("bytes: 34820885024", "bytes: -5")
                .replace("    tier: B\n", "    tier: B\n    modle: x\n")
                .replace("fallbacks: [worker]", "fallbacks: [nobody]");
        RegistryValidationException e = invalid(yaml);
        assertEquals(3, e.errors().size(), String.join("\n", e.errors()));
    }

    @Test
    void leanModeAcceptsExternalUrlsWithoutModels() {
        String lean = VALID.replace("""
                    model:
                      name: mid
                      family: qwen2.5
                      variants:
                        - {name: q4_k_m, path: mid-q4_k_m.gguf, quant: Q4_K_M, bytes: 4683073184, layers: 28, kv_bytes_per_token: 57344, context_length: 32768}
                    instances:
                      - {id: worker-0, template: gpu}
                """, """
                    instances:
                      - {id: worker-0, url: "http://10.0.0.5:8080"}
                """);
        assertThrows(RegistryValidationException.class, () -> LOADER.parse(lean, "r.yaml"), "full mode wants a model");
        ModelRegistry r = new RegistryLoader(RegistryMode.LEAN, Path.of("models"), false).parse(lean, "r.yaml");
        assertTrue(r.requireRole("worker").instances().get(0).external());
        assertTrue(r.requireRole("worker").model().isEmpty());
    }

    @Test
    void missingModelFilesAreErrorsForRealLaunches(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
        RegistryLoader strict = new RegistryLoader(RegistryMode.FULL, dir, true);
        RegistryValidationException e = assertThrows(RegistryValidationException.class,
                () -> strict.parse(VALID, "model_registry.yaml"));
        assertTrue(e.errors().stream().anyMatch(s -> s.startsWith(
                "model_registry.yaml: roles.coder.instances[0].variant: model file ")), String.join("\n", e.errors()));
        for (String f : List.of("small-q8_0.gguf", "mid-q4_k_m.gguf", "big-q4_k_m.gguf")) {
            Files.writeString(dir.resolve(f), "GGUF");
        }
        assertEquals(4, strict.parse(VALID, "model_registry.yaml").roles().size());
    }
}
