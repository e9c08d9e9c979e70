package dev.echelon.supervisor;

import java.util.List;

/** How a llama-server build spells the flags that changed between versions. */
public enum FlagDialect {
    /**
     * llama.cpp v0.5.0: {@code --spec-type draft-simple} is required for a draft to be used at all, lengths are
     * {@code --spec-draft-n-max/-n-min/-p-min}, and memory locking is {@code --load-mode}.
     */
    SPEC_V050,
    /** Older builds: {@code --draft-max/--draft-min/--draft-p-min}, {@code --mlock}, {@code --no-mmap}. */
    LEGACY_DRAFT;

    List<String> draftFlags(int nMax, int nMin, double pMin) {
        String p = Double.toString(pMin);
        return switch (this) {
            case SPEC_V050 -> List.of("--spec-type", "draft-simple", "--spec-draft-n-max", Integer.toString(nMax),
                    "--spec-draft-n-min", Integer.toString(nMin), "--spec-draft-p-min", p);
            case LEGACY_DRAFT -> List.of("--draft-max", Integer.toString(nMax), "--draft-min", Integer.toString(nMin),
                    "--draft-p-min", p);
        };
    }

    /**
     * Draft-free n-gram lookup drafting up to {@code nMax} tokens; empty when this dialect's server has none (older
     * builds had lookup decoding only in a separate example program, not in llama-server).
     */
    List<String> ngramFlags(int nMax) {
        return switch (this) {
            case SPEC_V050 -> List.of("--spec-type", "ngram-simple", "--spec-ngram-simple-size-m",
                    Integer.toString(nMax));
            case LEGACY_DRAFT -> List.of();
        };
    }

    List<String> loadModeFlags(String loadMode) {
        return switch (this) {
            case SPEC_V050 -> "auto".equals(loadMode) ? List.of() : List.of("--load-mode", loadMode);
            case LEGACY_DRAFT -> switch (loadMode) {
                case "mlock", "mmap+mlock" -> List.of("--mlock");
                case "none", "dio" -> List.of("--no-mmap");
                default -> List.of();
            };
        };
    }
}
