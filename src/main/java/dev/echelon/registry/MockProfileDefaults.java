package dev.echelon.registry;

/**
 * A mock profile for a model whose registry entry gives none, from its size alone: decoding is memory-bandwidth
 * bound (every weight is read once per token), prefill is compute bound. The constants describe a mid-range
 * workstation: a GPU with ~900 GB/s, a CPU with ~60 GB/s of usable memory bandwidth, PCIe 4 x16 and a PCIe 4 NVMe.
 */
final class MockProfileDefaults {

    static final double GPU_MEMORY_BANDWIDTH = 900e9;
    static final double CPU_MEMORY_BANDWIDTH = 60e9;
    static final double EFFICIENCY = 0.6;

    private MockProfileDefaults() {
    }

    static MockProfile forBytes(long bytes) {
        double b = Math.max(bytes, 1_000_000L);
        double decodeGpu = GPU_MEMORY_BANDWIDTH * EFFICIENCY / b;
        double decodeCpu = CPU_MEMORY_BANDWIDTH * EFFICIENCY / b;
        return new MockProfile(0.5, decodeGpu * 40, decodeGpu, decodeCpu * 8, decodeCpu, 5e9, 24e9, 400);
    }
}
