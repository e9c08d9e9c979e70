package dev.echelon.fake;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * llama-server v0.5.0 command-line flags as the fake understands them. Flags that change nothing in a simulation
 * (threads, batch sizes, cache types, ...) are accepted and ignored, so that a launch line built for the real binary
 * works unchanged; an unknown flag fails like llama-server does.
 */
final class ServerConfig {

    static final Set<String> SPEC_TYPES = Set.of("none", "draft-simple", "draft-eagle3", "draft-mtp", "draft-dflash",
            "draft-dspark", "ngram-simple", "ngram-map-k", "ngram-map-k4v", "ngram-mod", "ngram-cache");

    /** Flags taking a value that the fake records nowhere. */
    private static final Set<String> IGNORED_WITH_VALUE = Set.of(
            "-t", "--threads", "-tb", "--threads-batch", "-b", "--batch-size", "-ub", "--ubatch-size",
            "-ctk", "--cache-type-k", "-ctv", "--cache-type-v", "--spec-draft-type-k", "-ctkd", "--cache-type-k-draft",
            "--spec-draft-type-v", "-ctvd", "--cache-type-v-draft", "-ot", "--override-tensor",
            "-ncmoe", "--n-cpu-moe", "--spec-draft-n-cpu-moe", "--spec-draft-ncmoe", "-ncmoed", "--n-cpu-moe-draft",
            "--spec-draft-threads", "-td", "--threads-draft", "--spec-draft-threads-batch", "-tbd",
            "--threads-batch-draft", "--spec-draft-override-tensor", "-otd", "--override-tensor-draft",
            "--spec-draft-device", "-devd", "--device-draft", "-dev", "--device", "-to", "--timeout",
            "--threads-http", "--cache-reuse", "-lv", "--verbosity", "--log-verbosity", "--log-file",
            "--chat-template", "--chat-template-file", "--chat-template-kwargs", "--reasoning-format",
            "--reasoning-budget", "--reasoning-effort", "--spec-draft-p-split", "--draft-p-split",
            "--spec-ngram-mod-n-min", "--spec-ngram-mod-n-max", "--spec-ngram-mod-n-match",
            "--spec-ngram-simple-size-n", "--spec-ngram-simple-size-m", "--spec-ngram-simple-min-hits",
            "--spec-ngram-map-k-size-n", "--spec-ngram-map-k-size-m", "--spec-ngram-map-k-min-hits",
            "--spec-ngram-map-k4v-size-n", "--spec-ngram-map-k4v-size-m", "--spec-ngram-map-k4v-min-hits",
            "-ctxcp", "--ctx-checkpoints", "--swa-checkpoints", "--slot-save-path",
            "-fitt", "--fit-target", "-fitc", "--fit-ctx", "--prio", "--poll", "-C", "--cpu-mask", "-Cr",
            "--cpu-range", "--ui-config", "--webui-config", "--ui-config-file", "--webui-config-file",
            "--api-key-file", "--pooling", "-dt", "--defrag-thold");

    /** Flags without a value that the fake records nowhere. */
    private static final Set<String> IGNORED_SWITCHES = Set.of(
            "-cb", "--cont-batching", "-nocb", "--no-cont-batching", "--no-webui", "--webui", "--ui", "--no-ui",
            "--log-disable", "--jinja", "--no-jinja", "-cmoe", "--cpu-moe", "--spec-draft-cpu-moe", "-cmoed",
            "--cpu-moe-draft", "--warmup", "--no-warmup", "-v", "--verbose", "--log-verbose", "--log-prefix",
            "--no-log-prefix", "--log-timestamps", "--no-log-timestamps", "--swa-full", "--cache-prompt",
            "--no-cache-prompt", "--spec-draft-backend-sampling", "--no-spec-draft-backend-sampling",
            "--reasoning-preserve", "--no-reasoning-preserve");

    /** Flags with an optional value from a closed set (e.g. {@code -fa [on|off|auto]}). */
    private static final Map<String, Set<String>> OPTIONAL_VALUE = Map.of(
            "-fa", Set.of("on", "off", "auto", "true", "false", "1", "0", "enabled", "disabled"),
            "--flash-attn", Set.of("on", "off", "auto", "true", "false", "1", "0", "enabled", "disabled"),
            "--log-colors", Set.of("on", "off", "auto"),
            "-fit", Set.of("on", "off"), "--fit", Set.of("on", "off"),
            "-rea", Set.of("on", "off", "auto"), "--reasoning", Set.of("on", "off", "auto"));

    private static final Set<String> REMOVED_DRAFT_MAX = Set.of("--draft", "--draft-n", "--draft-max");
    private static final Set<String> REMOVED_DRAFT_MIN = Set.of("--draft-min", "--draft-n-min");
    private static final Set<String> REMOVED_NGRAM = Set.of("--spec-ngram-size-n", "--spec-ngram-size-m",
            "--spec-ngram-min-hits");

    static final Set<String> LOAD_MODES = Set.of("auto", "none", "mmap", "mlock", "mmap+mlock", "dio");

    String model;
    String host = "127.0.0.1";
    int port = 8080;
    /** -ngl: null = auto (treated as all), -1 = all, else a layer count. */
    Integer gpuLayers;
    int ctxSize;
    int parallel = -1;
    /** {@code -kvu} / {@code -no-kvu}; null: llama-server's default (unified when the slot count is auto). */
    Boolean kvUnified;
    /** {@code --kv-unified-per-slot}, 0 when absent. */
    int kvUnifiedPerSlot;
    String draftModel;
    List<String> specTypes = List.of();
    int specDraftNMax = 3;
    int specDraftNMin;
    double specDraftPMin;
    Integer draftGpuLayers;
    List<String> aliases = List.of();
    String loadMode = "auto";
    boolean metrics;
    boolean props;
    boolean slots = true;
    long seed = -1;
    int nPredict = -1;
    String apiKey;
    boolean honourSpecRequest;
    /**
     * {@code --fake-acceptance A}: every draft token is accepted with probability A, whatever the prompt — a bench
     * knob that pins α so that measured speedups can be set beside the analytic ones. Null: the capability model
     * decides per prompt.
     */
    Double forcedAcceptance;
    final List<String> args;

    private ServerConfig(List<String> args) {
        this.args = List.copyOf(args);
    }

    static ServerConfig parse(List<String> args) {
        ServerConfig c = new ServerConfig(args == null ? List.of() : args);
        List<String> a = c.args;
        for (int i = 0; i < a.size(); i++) {
            String flag = a.get(i);
            String value = null;
            int eq = flag.indexOf('=');
            if (flag.startsWith("--") && eq > 0) {
                value = flag.substring(eq + 1);
                flag = flag.substring(0, eq);
            }
            if (REMOVED_DRAFT_MAX.contains(flag)) {
                throw new IllegalArgumentException(
                        "error while handling argument \"" + flag + "\": the argument has been removed. use "
                                + "--spec-draft-n-max or --spec-ngram-mod-n-max");
            }
            if (REMOVED_DRAFT_MIN.contains(flag)) {
                throw new IllegalArgumentException(
                        "error while handling argument \"" + flag + "\": the argument has been removed. use "
                                + "--spec-draft-n-min or --spec-ngram-mod-n-min");
            }
            if (REMOVED_NGRAM.contains(flag)) {
                throw new IllegalArgumentException("error while handling argument \"" + flag
                        + "\": the argument has been removed. use the respective --spec-ngram-* flags");
            }
            if (OPTIONAL_VALUE.containsKey(flag)) {
                if (value == null && i + 1 < a.size()
                        && OPTIONAL_VALUE.get(flag).contains(a.get(i + 1).toLowerCase(Locale.ROOT))) {
                    i++;
                }
                continue;
            }
            if (IGNORED_SWITCHES.contains(flag)) {
                continue;
            }
            switch (flag) {
                case "--metrics" -> c.metrics = true;
                case "--props" -> c.props = true;
                case "--slots" -> c.slots = true;
                case "--no-slots" -> c.slots = false;
                case "-kvu", "--kv-unified" -> c.kvUnified = true;
                case "-no-kvu", "--no-kv-unified" -> c.kvUnified = false;
                case "--fake-honour-spec-request" -> c.honourSpecRequest = true;
                default -> {
                    boolean known = IGNORED_WITH_VALUE.contains(flag) || isValueFlag(flag);
                    if (!known) {
                        throw new IllegalArgumentException("invalid argument: " + flag);
                    }
                    if (value == null) {
                        if (i + 1 >= a.size()) {
                            throw new IllegalArgumentException("error while handling argument \"" + flag
                                    + "\": expected value for argument");
                        }
                        value = a.get(++i);
                    }
                    c.apply(flag, value);
                }
            }
        }
        if (c.model == null || c.model.isBlank()) {
            throw new IllegalArgumentException("failed to load model: no model path given (-m)");
        }
        if (c.specTypes.contains("draft-simple") && c.draftModel == null) {
            throw new IllegalArgumentException(
                    "speculative decoding type 'draft-simple' requires a draft model (-md, --spec-draft-model)");
        }
        return c;
    }

    private static boolean isValueFlag(String flag) {
        return switch (flag) {
            case "-m", "--model", "--host", "--port", "-ngl", "--gpu-layers", "--n-gpu-layers", "-c", "--ctx-size",
                    "-np", "--parallel", "-md", "--model-draft", "--spec-draft-model", "--spec-type",
                    "--spec-draft-n-max", "--spec-draft-n-min", "--spec-draft-p-min", "--draft-p-min", "-ngld",
                    "--spec-draft-ngl", "--gpu-layers-draft", "--n-gpu-layers-draft", "-a", "--alias", "-lm", "--fake-acceptance",
                    "--load-mode", "-s", "--seed", "-n", "--predict", "--n-predict", "--api-key",
                    "--kv-unified-per-slot" -> true;
            default -> false;
        };
    }

    private void apply(String flag, String value) {
        switch (flag) {
            case "-m", "--model" -> model = value;
            case "--host" -> host = value.split(",")[0].trim();
            case "--port" -> port = integer(flag, value);
            case "-ngl", "--gpu-layers", "--n-gpu-layers" -> gpuLayers = layers(flag, value);
            case "-c", "--ctx-size" -> ctxSize = integer(flag, value);
            case "-np", "--parallel" -> parallel = integer(flag, value);
            case "--kv-unified-per-slot" -> kvUnifiedPerSlot = integer(flag, value);
            case "-md", "--model-draft", "--spec-draft-model" -> draftModel = value;
            case "--spec-type" -> {
                Set<String> types = new LinkedHashSet<>();
                for (String t : value.split(",")) {
                    String s = t.trim().toLowerCase(Locale.ROOT);
                    if (s.isEmpty()) {
                        continue;
                    }
                    if (!SPEC_TYPES.contains(s)) {
                        throw new IllegalArgumentException("error while handling argument \"--spec-type\": "
                                + "unknown speculative decoding type: " + s);
                    }
                    if (!s.equals("none")) {
                        types.add(s);
                    }
                }
                specTypes = List.copyOf(types);
            }
            case "--spec-draft-n-max" -> specDraftNMax = Math.max(0, integer(flag, value));
            case "--spec-draft-n-min" -> specDraftNMin = Math.max(0, integer(flag, value));
            case "--spec-draft-p-min", "--draft-p-min" -> specDraftPMin = decimal(flag, value);
            case "-ngld", "--spec-draft-ngl", "--gpu-layers-draft", "--n-gpu-layers-draft" ->
                    draftGpuLayers = layers(flag, value);
            case "-a", "--alias" -> {
                List<String> out = new ArrayList<>();
                for (String s : value.split(",")) {
                    if (!s.isBlank()) {
                        out.add(s.trim());
                    }
                }
                aliases = List.copyOf(out);
            }
            case "-lm", "--load-mode" -> {
                if (!LOAD_MODES.contains(value)) {
                    throw new IllegalArgumentException(
                            "error while handling argument \"" + flag + "\": unknown load mode: " + value);
                }
                loadMode = value;
            }
            case "-s", "--seed" -> seed = longValue(flag, value);
            case "-n", "--predict", "--n-predict" -> nPredict = integer(flag, value);
            case "--api-key" -> apiKey = value;
            case "--fake-acceptance" -> {
                double a = decimal(flag, value);
                if (!(a > 0 && a < 1)) {
                    throw new IllegalArgumentException("--fake-acceptance must be in (0, 1): " + value);
                }
                forcedAcceptance = a;
            }
            default -> {
                // accepted and ignored
            }
        }
    }

    /** Fraction of the target's layers on the GPU. */
    double gpuFraction(int layers) {
        return fraction(gpuLayers, layers);
    }

    double draftGpuFraction(int layers) {
        return fraction(draftGpuLayers, layers);
    }

    private static double fraction(Integer ngl, int layers) {
        if (ngl == null || ngl < 0) {
            return 1.0;
        }
        if (layers <= 0) {
            return ngl > 0 ? 1.0 : 0.0;
        }
        return Math.min(1.0, (double) ngl / layers);
    }

    int slotCount() {
        return parallel <= 0 ? 4 : parallel;
    }

    /**
     * The tokens each slot holds, as llama-server sizes them: {@code -c} (the trained context when absent) shared by
     * all slots when the KV cache is unified — {@code -kvu}, or by default when the slot count is left to the server —
     * else split evenly among them; {@code --kv-unified-per-slot} caps a unified slot (and sizes the pool when
     * {@code -c} is absent). Never past the trained context. The shared pool running out under several long requests
     * at once (the real server purges idle slots' caches, then ends slots) is not modelled.
     */
    int slotContext(int contextTrain) {
        boolean unified = kvUnified != null ? kvUnified : parallel <= 0;
        int total = ctxSize > 0 ? ctxSize
                : unified && kvUnifiedPerSlot > 0 ? slotCount() * kvUnifiedPerSlot : contextTrain;
        int perSlot = unified ? total : total / slotCount();
        if (unified && kvUnifiedPerSlot > 0) {
            perSlot = Math.min(perSlot, kvUnifiedPerSlot);
        }
        return Math.max(16, Math.min(perSlot, contextTrain));
    }

    boolean draftSimple() {
        return draftModel != null && specTypes.contains("draft-simple");
    }

    /** llama-server's {@code "speculative.types"} string, e.g. {@code none,draft-simple}. */
    String specTypesString() {
        StringBuilder sb = new StringBuilder("none");
        for (String t : specTypes) {
            sb.append(',').append(t);
        }
        return sb.toString();
    }

    String gpuLayersFlagValue() {
        return gpuLayers == null ? "auto" : gpuLayers < 0 ? "all" : gpuLayers.toString();
    }

    private static Integer layers(String flag, String value) {
        String v = value.trim().toLowerCase(Locale.ROOT);
        if (v.equals("all")) {
            return -1;
        }
        if (v.equals("auto")) {
            return null;
        }
        int n = integer(flag, value);
        return n < 0 ? -1 : n;
    }

    private static int integer(String flag, String value) {
        try {
            return Integer.parseInt(value.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("error while handling argument \"" + flag + "\": stoi: " + value);
        }
    }

    private static long longValue(String flag, String value) {
        try {
            return Long.parseLong(value.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("error while handling argument \"" + flag + "\": stoul: " + value);
        }
    }

    private static double decimal(String flag, String value) {
        try {
            return Double.parseDouble(value.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("error while handling argument \"" + flag + "\": stof: " + value);
        }
    }
}
