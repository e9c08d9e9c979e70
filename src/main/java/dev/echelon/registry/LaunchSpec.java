package dev.echelon.registry;

import java.util.List;
import java.util.Set;

/**
 * How to start one llama-server: a launch template merged with the instance's own settings.
 *
 * @param kvUnified {@code -kvu}: one KV cache shared by all {@code parallel} slots, so one request may take the whole
 *                  {@code ctxSize}; without it llama-server gives each slot {@code ctxSize / parallel} tokens (its
 *                  own default unifies the cache only when it picks the slot count, and Echelon always sets it)
 * @param port      fixed port, or 0 to take the next free one from the backend port range
 * @param loadMode  llama-server v0.5.0 {@code --load-mode} (auto, none, mmap, mlock, mmap+mlock, dio)
 * @param threads   {@code -t}, 0 for llama-server's default
 * @param flashAttn {@code -fa} on|off|auto
 * @param extraArgs appended verbatim, for flags Echelon does not model
 */
public record LaunchSpec(String template, String variant, GpuLayers gpuLayers, int ctxSize, int parallel,
        boolean kvUnified, String loadMode, int port, int threads, String flashAttn, List<String> extraArgs) {

    /** The flags that give every slot the whole of {@code -c} when passed among the extra arguments. */
    private static final Set<String> UNIFIED_KV = Set.of("-kvu", "--kv-unified");

    public LaunchSpec {
        extraArgs = List.copyOf(extraArgs);
    }

    /**
     * The most tokens, prompt and answer together, that one request may take on this server: llama-server splits
     * {@code -c} among the {@code -np} slots unless the KV cache is unified ({@link #kvUnified}, or {@code -kvu} among
     * the extra arguments). A prompt at or past this is refused ("exceeds the available context size"), a longer
     * answer cut off.
     */
    public int requestContextTokens() {
        boolean unified = kvUnified || extraArgs.stream().anyMatch(UNIFIED_KV::contains);
        return unified ? ctxSize : ctxSize / Math.max(1, parallel);
    }
}
