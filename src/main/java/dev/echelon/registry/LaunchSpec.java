package dev.echelon.registry;

import java.util.List;

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

    public LaunchSpec {
        extraArgs = List.copyOf(extraArgs);
    }
}
