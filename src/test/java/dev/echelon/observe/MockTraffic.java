package dev.echelon.observe;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.echelon.residency.control.ResidencyController;
import dev.echelon.supervisor.Supervisor;

import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A mock traffic run through the real HTTP API, shared by the metrics and dashboard tests: {@code auto} requests with
 * easy and hard prompts (routing, gate failures, escalations), explicit role requests streamed and not, the traffic
 * shift to the expert that makes the residency planner move weights, and a burst against a queue of one (429s).
 * Each request carries its own X-Request-Id ({@code obs-N}) so log lines can be matched to it.
 */
final class MockTraffic {

    static final ObjectMapper JSON = new ObjectMapper();
    static final List<String> EASY = List.of("Hello there!", "Hi, how are you?", "What is the capital of France?",
            "Say good morning.", "Thanks, bye!");
    static final List<String> HARD = List.of(
            "Prove that there are infinitely many primes of the form 4k+3, then derive the density of such primes "
                    + "using Dirichlet's theorem and explain every step rigorously.",
            "Design a distributed event-sourced order service with exactly-once semantics across three regions; "
                    + "compare sagas and two-phase commit with failure analysis.",
            "Write a lock-free multi-producer multi-consumer queue in C++ with memory ordering proofs.");

    /** Retries on 429 for every part of the run but the burst. */
    private static final int PATIENT = 20;

    private final URL base;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final AtomicInteger ids = new AtomicInteger();
    final Map<String, AtomicInteger> servedBy = new ConcurrentHashMap<>();
    final Map<Integer, AtomicInteger> statuses = new ConcurrentHashMap<>();
    final List<String> requestIds = java.util.Collections.synchronizedList(new ArrayList<>());

    MockTraffic(URL base) {
        this.base = base;
    }

    static void awaitReady(Supervisor supervisor) throws Exception {
        CompletableFuture.allOf(supervisor.servers().stream().map(s -> s.awaitReady(Duration.ofSeconds(30)))
                .toArray(CompletableFuture[]::new)).get(40, TimeUnit.SECONDS);
    }

    /**
     * One chat request; the HTTP status. With {@code retries}, a 429 is sent again after its Retry-After, as the
     * OpenAI SDKs do: the queue of one that makes the burst meet 429s must not keep the routing and escalation part
     * of the run (hard prompts reaching the weak front door) from happening. Only the final status is counted.
     */
    int chat(String model, String prompt, boolean stream, int maxTokens, int retries) throws Exception {
        String body = JSON.writeValueAsString(Map.of("model", model, "max_tokens", maxTokens, "stream", stream,
                "messages", List.of(Map.of("role", "user", "content", prompt))));
        HttpResponse<String> r;
        int attempt = 0;
        while (true) {
            String id = "obs-" + ids.incrementAndGet();
            requestIds.add(id);
            r = http.send(HttpRequest.newBuilder(URI.create(base + "v1/chat/completions"))
                    .header("Content-Type", "application/json").header("X-Request-Id", id)
                    .timeout(Duration.ofSeconds(60)).POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                    HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() != 429 || attempt++ >= retries) {
                break;
            }
            long after = r.headers().firstValueAsLong("Retry-After").orElse(1);
            Thread.sleep(Math.min(after, 5) * 1000 + 50L * attempt);
        }
        statuses.computeIfAbsent(r.statusCode(), k -> new AtomicInteger()).incrementAndGet();
        if (r.statusCode() == 200 && !stream) {
            JsonNode meta = JSON.readTree(r.body()).path("x_echelon");
            servedBy.computeIfAbsent(meta.path("role").asText(), k -> new AtomicInteger()).incrementAndGet();
        }
        return r.statusCode();
    }

    String get(String path) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(base + path)).GET()
                .timeout(Duration.ofSeconds(20)).build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) {
            throw new AssertionError("GET " + path + ": " + r.statusCode() + " " + r.body());
        }
        return r.body();
    }

    /** The whole run: a few dozen requests across roles, a residency move, a 429 burst. */
    void run(ResidencyController residency) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<CompletableFuture<Integer>> calls = new ArrayList<>();
            for (int i = 0; i < 12; i++) {
                String prompt = i % 3 == 2 ? HARD.get(i % HARD.size()) : EASY.get(i % EASY.size());
                boolean stream = i % 4 == 1;
                calls.add(CompletableFuture.supplyAsync(() -> call("auto", prompt, stream, 48, PATIENT), pool));
            }
            for (int i = 0; i < 8; i++) {
                String prompt = i % 2 == 0 ? EASY.get(i % EASY.size()) : HARD.get(i % HARD.size());
                calls.add(CompletableFuture.supplyAsync(() -> call("greeter", prompt, false, 64, PATIENT), pool));
            }
            CompletableFuture.allOf(calls.toArray(CompletableFuture[]::new)).get(120, TimeUnit.SECONDS);
            // the traffic shifts to the expert until the planner has moved something (or 15 s have passed)
            long before = residency.ledger().recent(200).size();
            long end = System.nanoTime() + Duration.ofSeconds(15).toNanos();
            while (System.nanoTime() < end && residency.ledger().recent(200).size() == before) {
                List<CompletableFuture<Integer>> wave = new ArrayList<>();
                for (int i = 0; i < 4; i++) {
                    wave.add(CompletableFuture.supplyAsync(() -> call("expert",
                            "Explain the trade-offs of event sourcing for an order service.", false, 24, PATIENT),
                            pool));
                }
                CompletableFuture.allOf(wave.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
            }
            // a burst against two slots and a queue of one, sent once: the rest are refused with 429
            List<CompletableFuture<Integer>> burst = new ArrayList<>();
            ExecutorService wide = Executors.newFixedThreadPool(10);
            try {
                for (int i = 0; i < 10; i++) {
                    burst.add(CompletableFuture.supplyAsync(() -> call("greeter", EASY.get(0), false, 400, 0), wide));
                }
                CompletableFuture.allOf(burst.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
            } finally {
                wide.shutdown();
            }
        } finally {
            pool.shutdown();
        }
    }

    private int call(String model, String prompt, boolean stream, int maxTokens, int retries) {
        try {
            return chat(model, prompt, stream, maxTokens, retries);
        } catch (Exception e) {
            throw new IllegalStateException(model + ": " + e, e);
        }
    }
}
