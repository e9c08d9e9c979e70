package dev.echelon.fake;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.echelon.registry.MockProfile;
import dev.echelon.registry.ModelSpec;
import dev.echelon.registry.VariantSpec;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import okio.BufferedSource;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;

/** Models, an HTTP client and recording helpers shared by the fake server tests. */
final class FakeTestSupport {

    static final ObjectMapper JSON = new ObjectMapper();
    static final MediaType JSON_TYPE = MediaType.get("application/json");
    static final Path MODELS_DIR = Path.of("/models");

    static final OkHttpClient HTTP = new OkHttpClient.Builder()
            .readTimeout(Duration.ofSeconds(30))
            .callTimeout(Duration.ofSeconds(60))
            .retryOnConnectionFailure(false)
            .build();

    private FakeTestSupport() {
    }

    /**
     * A model with one variant at {@code models/<name>.gguf}.
     *
     * @param decodeTpsGpu tokens/s decoding fully on GPU
     */
    static ModelSpec model(String name, String family, double capability, long bytes, int layers,
            double decodeTpsGpu) {
        VariantSpec v = new VariantSpec("q4", name + ".gguf", "Q4_K_M", bytes, layers, 131_072, 8192);
        MockProfile p = new MockProfile(capability, 2000, decodeTpsGpu, 100, decodeTpsGpu / 8, 4e9, 20e9, 100);
        return new ModelSpec(name, family, List.of(v), p);
    }

    static FakeModelCatalog catalog(ModelSpec... models) {
        return FakeModelCatalog.of(List.of(models), MODELS_DIR);
    }

    static FakeOptions fast() {
        return new FakeOptions(0.0, true, 7L);
    }

    static FakeLlamaServer startReady(io.vertx.core.Vertx vertx, FakeModelCatalog catalog, FakeOptions options,
            String... args) {
        FakeLlamaServer s = FakeLlamaServer.start(vertx, List.of(args), catalog, options);
        if (!s.awaitReady(Duration.ofSeconds(20))) {
            throw new AssertionError("fake server did not become ready");
        }
        return s;
    }

    record Reply(int code, String contentType, String server, String body) {
        JsonNode json() {
            try {
                return JSON.readTree(body);
            } catch (IOException e) {
                throw new UncheckedIOException(body, e);
            }
        }
    }

    static Reply get(FakeLlamaServer s, String path) {
        return call(new Request.Builder().url(s.baseUrl() + path).get().build());
    }

    static Reply post(FakeLlamaServer s, String path, String body) {
        return call(new Request.Builder().url(s.baseUrl() + path).post(RequestBody.create(body, JSON_TYPE)).build());
    }

    static Reply post(FakeLlamaServer s, String path, Object body) {
        try {
            return post(s, path, JSON.writeValueAsString(body));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static JsonNode postJson(FakeLlamaServer s, String path, Object body) {
        Reply r = post(s, path, body);
        if (r.code() != 200) {
            throw new AssertionError("HTTP " + r.code() + ": " + r.body());
        }
        return r.json();
    }

    static Reply call(Request request) {
        try (Response r = HTTP.newCall(request).execute()) {
            return new Reply(r.code(), r.header("Content-Type"), r.header("Server"), r.body().string());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** One SSE event's data and the time it arrived. */
    record Event(String data, long nanos) {
        boolean done() {
            return data.equals("[DONE]");
        }

        JsonNode json() {
            try {
                return JSON.readTree(data);
            } catch (IOException e) {
                throw new UncheckedIOException(data, e);
            }
        }
    }

    /** Posts a streaming request and reads every {@code data:} event until the server ends the stream. */
    static List<Event> stream(FakeLlamaServer s, String path, Object body) {
        try (Response r = HTTP.newCall(new Request.Builder().url(s.baseUrl() + path)
                .post(RequestBody.create(JSON.writeValueAsString(body), JSON_TYPE)).build()).execute()) {
            if (r.code() != 200) {
                throw new AssertionError("HTTP " + r.code() + ": " + r.body().string());
            }
            List<Event> events = new ArrayList<>();
            BufferedSource src = r.body().source();
            String line;
            while ((line = src.readUtf8Line()) != null) {
                if (line.startsWith("data: ")) {
                    events.add(new Event(line.substring(6), System.nanoTime()));
                }
            }
            return events;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static String recorded(String name) {
        try (InputStream in = FakeTestSupport.class.getResourceAsStream("/llama-server-recorded/" + name)) {
            if (in == null) {
                throw new AssertionError("missing recording " + name);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static JsonNode recordedJson(String name) {
        try {
            return JSON.readTree(recorded(name));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The recorded SSE events of a stream recording, as JSON (the [DONE] line excluded). */
    static List<JsonNode> recordedEvents(String name) {
        List<JsonNode> out = new ArrayList<>();
        for (String line : recorded(name).split("\n")) {
            if (line.startsWith("data: ") && !line.equals("data: [DONE]")) {
                try {
                    out.add(JSON.readTree(line.substring(6)));
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
        }
        return out;
    }

    static Set<String> keys(JsonNode node) {
        Set<String> out = new TreeSet<>();
        Iterator<String> it = node.fieldNames();
        it.forEachRemaining(out::add);
        return out;
    }

    static void sleep(long ms) {
        try {
            TimeUnit.MILLISECONDS.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }
}
