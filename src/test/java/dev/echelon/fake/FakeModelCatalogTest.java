package dev.echelon.fake;

import dev.echelon.registry.MockProfile;
import dev.echelon.registry.ModelSpec;
import dev.echelon.registry.VariantSpec;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class FakeModelCatalogTest {

    private static final MockProfile PROFILE = new MockProfile(0.5, 1000, 30, 100, 5, 4e9, 20e9, 100);
    private static final ModelSpec CODER = new ModelSpec("coder", "qwen", List.of(
            new VariantSpec("q8", "qwen/coder-q8_0.gguf", "Q8_0", 16_000_000_000L, 48, 196_608, 32768),
            new VariantSpec("q4", "qwen/coder-q4_k_m.gguf", "Q4_K_M", 9_000_000_000L, 48, 196_608, 32768)),
            PROFILE);
    private static final ModelSpec ABS = new ModelSpec("abs", "llama", List.of(
            new VariantSpec("f16", "/opt/weights/abs-f16.gguf", "F16", 2_000_000_000L, 16, 32_768, 4096)), PROFILE);
    private final FakeModelCatalog catalog = FakeModelCatalog.of(List.of(CODER, ABS), Path.of("/srv/models"));

    @Test
    void resolvesRelativeAbsoluteAndByFileName() {
        assertEquals("q4", catalog.byPath("/srv/models/qwen/coder-q4_k_m.gguf").orElseThrow().variant().name());
        assertEquals("q8", catalog.byPath("qwen/coder-q8_0.gguf").orElseThrow().variant().name());
        assertEquals("q8", catalog.byPath("/srv/models/./qwen/../qwen/coder-q8_0.gguf").orElseThrow().variant()
                .name());
        assertEquals("abs", catalog.byPath("/opt/weights/abs-f16.gguf").orElseThrow().model().name());
        assertEquals("q4", catalog.byPath("/somewhere/else/coder-q4_k_m.gguf").orElseThrow().variant().name());
        assertTrue(catalog.byPath("/srv/models/unknown.gguf").isEmpty());
        assertTrue(catalog.byPath("").isEmpty());
    }
}
