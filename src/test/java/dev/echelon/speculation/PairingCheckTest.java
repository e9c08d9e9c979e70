package dev.echelon.speculation;

import dev.echelon.fake.FakeOptions;
import dev.echelon.registry.ModelRegistry;
import dev.echelon.supervisor.ClientHealthProbe;
import dev.echelon.supervisor.InFlightDrain;
import dev.echelon.supervisor.FakeSupervisors;
import dev.echelon.supervisor.PortAllocator;
import dev.echelon.supervisor.ServerProcess;
import dev.echelon.supervisor.SpeculationLaunch;
import dev.echelon.supervisor.Supervisor;
import io.vertx.core.Vertx;
import okhttp3.OkHttpClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The pairing check through real (fake) servers started by the Supervisor: a draft of the target's family is
 * verified and switched on; a draft with another tokenizer is detected before it is ever passed to the target, and
 * the target serves without speculation, with a message that says why.
 */
class PairingCheckTest {

    static Vertx vertx;
    static final OkHttpClient HTTP = new OkHttpClient();
    static final PortAllocator PORTS = new PortAllocator(19850);

    @BeforeAll
    static void start() {
        vertx = Vertx.vertx();
    }

    @AfterAll
    static void stop() {
        vertx.close();
    }

    static String registry(String coderExtra) {
        return """
                version: 1
                residency: {gpu_bytes: 80GiB, host_ram_bytes: 128GiB}
                tiers:
                  A: {name: front door, description: t}
                  B: {name: experts, description: t}
                  C: {name: workers, description: t}
                  D: {name: drafts, description: t}
                launch_templates:
                  gpu: {gpu_layers: all, ctx_size: 2048, parallel: 1, load_mode: mmap, flash_attn: auto}
                roles:
                  coder:
                    tier: B
                    description: t
                    model:
                      name: coder
                      family: qwen2.5
                      variants:
                        - {name: q4, path: coder.gguf, quant: Q4_K_M, bytes: 4000000000, layers: 32, kv_bytes_per_token: 65536, context_length: 32768}
                      mock: {capability: 0.9, prefill_tps_gpu: 8000, decode_tps_gpu: 200, prefill_tps_cpu: 50, decode_tps_cpu: 5, nvme_to_ram_bytes_per_s: 7GB, ram_to_gpu_bytes_per_s: 25GB, process_start_ms: 100}
                    instances:
                      - {id: coder-0, template: gpu%s}
                  writer:
                    tier: A
                    description: t
                    model:
                      name: writer
                      family: qwen2.5
                      variants:
                        - {name: q4, path: writer.gguf, quant: Q4_K_M, bytes: 4000000000, layers: 32, kv_bytes_per_token: 65536, context_length: 32768}
                      mock: {capability: 0.9, prefill_tps_gpu: 8000, decode_tps_gpu: 200, prefill_tps_cpu: 50, decode_tps_cpu: 5, nvme_to_ram_bytes_per_s: 7GB, ram_to_gpu_bytes_per_s: 25GB, process_start_ms: 100}
                    instances:
                      - {id: writer-0, template: gpu}
                  draft_qwen:
                    tier: D
                    kind: draft
                    description: t
                    model:
                      name: qwen-draft
                      family: qwen2.5
                      variants:
                        - {name: q8, path: qwen-draft.gguf, quant: Q8_0, bytes: 500000000, layers: 24, kv_bytes_per_token: 12288, context_length: 32768}
                      mock: {capability: 0.2, prefill_tps_gpu: 16000, decode_tps_gpu: 2000, prefill_tps_cpu: 400, decode_tps_cpu: 60, nvme_to_ram_bytes_per_s: 7GB, ram_to_gpu_bytes_per_s: 25GB, process_start_ms: 50}
                  draft_llama:
                    tier: D
                    kind: draft
                    description: t
                    model:
                      name: mislabelled-draft
                      family: qwen2.5
                      variants:
                        - {name: q8, path: llama-draft.gguf, quant: Q8_0, bytes: 600000000, layers: 16, kv_bytes_per_token: 12288, context_length: 32768}
                      mock: {capability: 0.2, prefill_tps_gpu: 16000, decode_tps_gpu: 2000, prefill_tps_cpu: 400, decode_tps_cpu: 60, nvme_to_ram_bytes_per_s: 7GB, ram_to_gpu_bytes_per_s: 25GB, process_start_ms: 50, tokenizer: llama3}
                speculation:
                  pairs:
                    - {target: coder, draft: draft_qwen, n_max: 6, n_min: 0, p_min: 0.0}
                    - {target: writer, draft: draft_llama, n_max: 6, n_min: 0, p_min: 0.0}
                escalation:
                  chains:
                    general: [writer, coder]
                """.formatted(coderExtra);
    }

    record Booted(Supervisor supervisor, PairingCheck check, Map<String, ServerBehaviour> behaviours)
            implements AutoCloseable {
        @Override
        public void close() {
            supervisor.stopAll(Duration.ofSeconds(5));
            supervisor.close();
        }
    }

    static Booted boot(Path dir, String coderExtra) throws Exception {
        FakeSupervisors.Fleet fleet = FakeSupervisors.create(vertx, HTTP, PORTS, dir, registry(coderExtra),
                new FakeOptions(0.01, false, 0));
        ModelRegistry reg = fleet.registry();
        Supervisor sup = fleet.supervisor();
        Map<String, ServerBehaviour> seen = new ConcurrentHashMap<>();
        PairingCheck check = new PairingCheck(reg, sup, InFlightDrain.NONE, HTTP, new ClientHealthProbe(HTTP),
                dir.resolve("speculation-pairs.json"), dir, Duration.ofSeconds(20), seen::put);
        check.prepare();
        sup.startAll();
        return new Booted(sup, check, seen);
    }

    @Test
    void anIncompatibleDraftIsDetectedAtStartupAndTheTargetServesWithoutIt(@TempDir Path dir) throws Exception {
        try (Booted b = boot(dir, "")) {
            Supervisor sup = b.supervisor();
            assertFalse(sup.commandLineOfRunning("writer-0").contains("-md"),
                    "an unverified draft is never handed to the target");
            List<PairingCheck.Verdict> verdicts = b.check().verifyAll();
            PairingCheck.Verdict writer = verdicts.stream().filter(v -> v.target().equals("writer")).findFirst()
                    .orElseThrow();
            assertFalse(writer.compatible());
            String msg = writer.message();
            assertTrue(msg.startsWith("speculation disabled for writer: its draft draft_llama has a different "
                    + "vocabulary"), msg);
            assertTrue(msg.contains("probe strings tokenize differently"), msg);
            assertTrue(msg.contains("same model family"), msg);
            assertEquals(SpeculationLaunch.Mode.OFF, sup.drafts().of("writer").mode());
            assertEquals(msg, sup.drafts().reason("writer").orElseThrow());
            assertFalse(sup.commandLineOfRunning("writer-0").contains("-md"));

            PairingCheck.Verdict coder = verdicts.stream().filter(v -> v.target().equals("coder")).findFirst()
                    .orElseThrow();
            assertTrue(coder.compatible(), coder.differences().toString());
            assertEquals(SpeculationLaunch.draft(6, 0, 0.0), sup.drafts().of("coder"));
            assertTrue(sup.commandLineOfRunning("coder-0").contains("-md"), "verified: relaunched with its draft");
            assertTrue(sup.commandLineOfRunning("coder-0").containsAll(List.of("--spec-type", "draft-simple")));
            for (ServerProcess s : sup.servers()) {
                s.awaitReady(Duration.ofSeconds(20)).get();
            }
            assertEquals(ServerBehaviour.PER_INSTANCE, b.behaviours().get("coder"),
                    "the fake ignores per-request lengths as llama-server v0.5.0 does");
        }
        // the next start remembers both verdicts for these files: the draft at once, the bad one stays off
        try (Booted again = boot(dir, "")) {
            assertTrue(again.supervisor().commandLineOfRunning("coder-0").contains("-md"));
            assertFalse(again.supervisor().commandLineOfRunning("writer-0").contains("-md"));
            assertTrue(again.supervisor().drafts().reason("writer").orElseThrow().contains("different vocabulary"));
        }
    }

    @Test
    void theHonourProbeTellsAServerThatTakesPerRequestLengths(@TempDir Path dir) throws Exception {
        try (Booted b = boot(dir, ", extra_args: [\"--fake-honour-spec-request\"]")) {
            b.check().verifyAll();
            assertEquals(ServerBehaviour.PER_REQUEST, b.behaviours().get("coder"));
            assertTrue(b.behaviours().get("writer") == null, "a target without speculation is not probed");
        }
    }
}
