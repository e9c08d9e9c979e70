package dev.echelon.registry;

import com.fasterxml.jackson.databind.JsonNode;

import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Reads and validates {@code model_registry.yaml}. Validation is complete: the whole file is checked and every
 * problem is reported at once, each as {@code file: key.path: reason}, so a user fixes the file in one round.
 * Unknown keys are errors, references must resolve and escalation chains must not form a cycle.
 */
public final class RegistryLoader {

    private static final Pattern NAME = Pattern.compile("[a-z][a-z0-9_-]{0,63}");
    private static final Set<String> RESERVED_ROLE_NAMES = Set.of("auto", "tier-a", "tier-b", "tier-c", "tier-d");
    private static final Set<String> LOAD_MODES = Set.of("auto", "none", "mmap", "mlock", "mmap+mlock", "dio");
    private static final Set<String> FLASH_ATTN = Set.of("on", "off", "auto");
    private static final String[] LAUNCH_KEYS = {"gpu_layers", "ctx_size", "parallel", "kv_unified", "load_mode",
            "threads", "flash_attn", "extra_args"};

    private static final Pattern TOOL_NAME = Pattern.compile("[a-z][a-z0-9_]{0,63}");

    private final RegistryMode mode;
    private final Path modelsDir;
    private final boolean requireModelFiles;
    private final Set<String> toolNames;

    /**
     * @param requireModelFiles check that every launched variant's GGUF file exists (real launches only: mock
     *                          mode simulates the files)
     */
    public RegistryLoader(RegistryMode mode, Path modelsDir, boolean requireModelFiles) {
        this(mode, modelsDir, requireModelFiles, null);
    }

    /**
     * @param toolNames the server-side tools that exist (Echelon passes its Tool beans' names): a role's
     *                  {@code tools} entry naming any other is an error; null checks only that names are well formed
     */
    public RegistryLoader(RegistryMode mode, Path modelsDir, boolean requireModelFiles, Set<String> toolNames) {
        this.mode = mode;
        this.modelsDir = modelsDir;
        this.requireModelFiles = requireModelFiles;
        this.toolNames = toolNames == null ? null : new java.util.TreeSet<>(toolNames);
    }

    public ModelRegistry load(Path file) {
        String name = file.toString();
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new RegistryValidationException(List.of(name + ": cannot be read (" + e + ")"));
        }
        return parse(text, name);
    }

    public ModelRegistry parse(String text, String fileName) {
        List<String> errors = new ArrayList<>();
        JsonNode root;
        try {
            root = YamlTree.parse(text, errors, fileName);
        } catch (IOException e) {
            String msg = e.getMessage() == null ? e.toString() : e.getMessage().lines().findFirst().orElse("");
            throw new RegistryValidationException(List.of(fileName + ": not valid YAML: " + msg));
        }
        Cursor top = new Cursor(fileName, "", root, errors);
        if (!root.isObject()) {
            top.error("must be a mapping with keys tiers, roles, … (was " + top.describe() + ")");
            throw new RegistryValidationException(errors);
        }
        ModelRegistry registry = new Builder(top, fileName).build();
        if (!errors.isEmpty()) {
            throw new RegistryValidationException(errors);
        }
        return registry;
    }

    /** One pass over one file. */
    private final class Builder {
        private final Cursor top;
        private final String fileName;
        private final Map<String, Cursor> roleCursors = new LinkedHashMap<>();

        Builder(Cursor top, String fileName) {
            this.top = top;
            this.fileName = fileName;
        }

        ModelRegistry build() {
            top.onlyKeys("version", "tiers", "launch_templates", "roles", "speculation", "escalation", "residency");
            top.field("version").intValue(1, 1, 1);
            Map<Tier, TierSpec> tiers = tiers(top.field("tiers"));
            Map<String, LaunchSpec> templates = templates(top.field("launch_templates"));
            Map<String, RoleSpec> roles = roles(top.field("roles"), templates);
            List<DraftPairing> drafts = drafts(top.field("speculation"), roles);
            Map<String, List<String>> chains = chains(top.field("escalation"), roles);
            ResidencySpec residency = residency(top.field("residency"), roles);
            crossChecks(roles);
            return new ModelRegistry(fileName, tiers, roles, templates,
                    drafts, chains, residency);
        }

        // ---- tiers ---------------------------------------------------------------------------------------

        private Map<Tier, TierSpec> tiers(Cursor c) {
            Map<Tier, TierSpec> out = new EnumMap<>(Tier.class);
            if (!c.requireObject()) {
                return out;
            }
            c.onlyKeys("A", "B", "C", "D");
            for (Tier t : Tier.values()) {
                Cursor tc = c.field(t.name());
                if (!tc.present()) {
                    tc.error("required (every tier A–D must be declared; tier " + t.name() + " is the "
                            + t.role() + " tier)");
                    continue;
                }
                if (!tc.isObjectIfPresent()) {
                    continue;
                }
                tc.onlyKeys("name", "description");
                out.put(t, new TierSpec(t, tc.field("name").string(t.role()), tc.field("description").string("")));
            }
            return out;
        }

        // ---- launch templates ------------------------------------------------------------------------------

        private Map<String, LaunchSpec> templates(Cursor c) {
            Map<String, LaunchSpec> out = new LinkedHashMap<>();
            for (Map.Entry<String, Cursor> e : c.entries().entrySet()) {
                Cursor tc = e.getValue();
                checkName(tc, e.getKey());
                if (!tc.requireObject()) {
                    continue;
                }
                tc.onlyKeys(LAUNCH_KEYS);
                out.put(e.getKey(), launchFields(tc, defaultLaunch(e.getKey()), e.getKey(), ""));
            }
            return out;
        }

        private LaunchSpec defaultLaunch(String template) {
            return new LaunchSpec(template, "", GpuLayers.ALL, 4096, 1, false, "auto", 0, 0, "auto", List.of());
        }

        /** Reads launch fields present in {@code c} over {@code base}. */
        private LaunchSpec launchFields(Cursor c, LaunchSpec base, String template, String variant) {
            GpuLayers ngl = gpuLayers(c.field("gpu_layers"), base.gpuLayers());
            int ctx = c.field("ctx_size").intValue(base.ctxSize(), 1, Integer.MAX_VALUE);
            int parallel = c.field("parallel").intValue(base.parallel(), 1, 256);
            boolean kvUnified = c.field("kv_unified").bool(base.kvUnified());
            String loadMode = c.field("load_mode").string(base.loadMode());
            if (c.field("load_mode").present() && !LOAD_MODES.contains(loadMode)) {
                c.field("load_mode").error("must be one of " + String.join(", ", new java.util.TreeSet<>(LOAD_MODES))
                        + " (was '" + loadMode + "')");
            }
            int threads = c.field("threads").intValue(base.threads(), 0, 4096);
            String fa = c.field("flash_attn").string(base.flashAttn());
            if (c.field("flash_attn").present() && !FLASH_ATTN.contains(fa)) {
                c.field("flash_attn").error("must be one of on, off, auto (was '" + fa + "')");
            }
            List<String> extra = c.field("extra_args").present() ? c.field("extra_args").strings() : base.extraArgs();
            int port = c.field("port").intValue(base.port(), 1, 65535);
            return new LaunchSpec(template, variant, ngl, ctx, parallel, kvUnified, loadMode, port, threads, fa,
                    extra);
        }

        private GpuLayers gpuLayers(Cursor c, GpuLayers fallback) {
            if (!c.present()) {
                return fallback;
            }
            JsonNode n = c.node();
            if (n.isTextual() && (n.asText().equals("all") || n.asText().equals("auto"))) {
                return GpuLayers.ALL;
            }
            if (n.isIntegralNumber() && n.longValue() >= 0 && n.longValue() <= 10_000) {
                return GpuLayers.of(n.intValue());
            }
            c.error("must be 'all' or a layer count >= 0 (was " + c.describe() + ")");
            return fallback;
        }

        // ---- roles -------------------------------------------------------------------------------------------

        private Map<String, RoleSpec> roles(Cursor c, Map<String, LaunchSpec> templates) {
            Map<String, RoleSpec> out = new LinkedHashMap<>();
            if (!c.requireObject()) {
                return out;
            }
            for (Map.Entry<String, Cursor> e : c.entries().entrySet()) {
                String name = e.getKey();
                Cursor rc = e.getValue();
                checkName(rc, name);
                if (RESERVED_ROLE_NAMES.contains(name)) {
                    rc.error("'" + name + "' is reserved (it names a routing target in the API)");
                }
                roleCursors.put(name, rc);
                if (!rc.requireObject()) {
                    continue;
                }
                RoleSpec role = role(name, rc, templates);
                if (role != null) {
                    out.put(name, role);
                }
            }
            return out;
        }

        private RoleSpec role(String name, Cursor rc, Map<String, LaunchSpec> templates) {
            rc.onlyKeys("tier", "kind", "description", "model", "in_process", "instances", "fallbacks", "routing",
                    "timeouts", "tools");
            Cursor tierC = rc.field("tier");
            if (!tierC.present()) {
                tierC.error("required (one of A, B, C, D)");
            }
            Tier tier = tierC.enumValue(Tier.class, null, false);
            RoleKind defaultKind = tier == Tier.D ? RoleKind.DRAFT : RoleKind.GENERATE;
            RoleKind kind = rc.field("kind").enumValue(RoleKind.class, defaultKind, true);
            if (kind == RoleKind.DRAFT && tier != null && tier != Tier.D) {
                rc.field("kind").error("draft roles belong to tier D (this role is tier " + tier + ")");
            }
            if (kind == RoleKind.GENERATE && tier == Tier.D) {
                rc.field("kind").error("tier D never serves users: kind must be draft or embedding");
            }
            Optional<String> inProcess = rc.field("in_process").optionalString();
            if (inProcess.isPresent() && kind != RoleKind.EMBEDDING) {
                rc.field("in_process").error("only embedding roles run in-process");
            }
            Optional<ModelSpec> model = Optional.empty();
            Cursor mc = rc.field("model");
            if (mc.present()) {
                model = model(mc);
            }

            List<InstanceSpec> instances = new ArrayList<>();
            List<Cursor> items = rc.field("instances").items();
            for (int i = 0; i < items.size(); i++) {
                InstanceSpec inst = instance(name, i, items.get(i), model, templates);
                if (inst != null) {
                    instances.add(inst);
                }
            }
            boolean allExternal = !instances.isEmpty() && instances.stream().allMatch(InstanceSpec::external);
            boolean needsModel = inProcess.isEmpty() && !(mode == RegistryMode.LEAN && allExternal);
            if (model.isEmpty() && needsModel && !mc.present()) {
                mc.error(mode == RegistryMode.LEAN
                        ? "required (lean mode waives it only for roles whose instances are all external URLs)"
                        : "required (set ORCHESTRATOR_REGISTRY_MODE=lean to attach external URLs without models)");
            }
            if (instances.isEmpty() && inProcess.isEmpty() && kind != RoleKind.DRAFT) {
                rc.field("instances").error("required: at least one instance (a launch template or a url)");
            }

            List<String> fallbacks = rc.field("fallbacks").strings();
            double defaultCost = tier == null ? 1.0 : switch (tier) {
                case A -> 1.0;
                case C -> 4.0;
                case B -> 12.0;
                case D -> 0.5;
            };
            RoutingHints routing = new RoutingHints(List.of(), List.of(), defaultCost);
            Cursor hc = rc.field("routing");
            if (hc.isObjectIfPresent()) {
                hc.onlyKeys("categories", "keywords", "cost");
                double cost = hc.field("cost").present() ? hc.field("cost").requirePositive() : defaultCost;
                routing = new RoutingHints(hc.field("categories").strings(), hc.field("keywords").strings(), cost);
            }
            RoleTimeouts timeouts = timeouts(rc.field("timeouts"));
            List<String> tools = tools(rc.field("tools"), kind, tier);
            if (tier == null) {
                return null;
            }
            return new RoleSpec(name, tier, kind, rc.field("description").string(""), model, inProcess, instances,
                    fallbacks, routing, timeouts, tools);
        }

        /** A role's server-side tools: known names, each once, on a role that answers users. */
        private List<String> tools(Cursor c, RoleKind kind, Tier tier) {
            if (!c.present()) {
                return List.of();
            }
            List<Cursor> items = c.items();
            List<String> names = items.stream().map(Cursor::requireString).toList();
            if (!names.isEmpty() && (kind != RoleKind.GENERATE || tier == Tier.D)) {
                c.error("only roles that answer users call tools (this role is "
                        + (kind == null ? "?" : kind.name().toLowerCase()) + ", tier " + tier + ")");
            }
            Set<String> seen = new HashSet<>();
            List<String> out = new ArrayList<>();
            for (int i = 0; i < names.size(); i++) {
                String n = names.get(i);
                Cursor ic = items.get(i);
                if (!TOOL_NAME.matcher(n).matches()) {
                    ic.error("'" + n + "' is not a valid tool name (lower-case letters, digits and '_')");
                } else if (toolNames != null && !toolNames.contains(n)) {
                    ic.error("unknown tool '" + n + "' (tools: " + String.join(", ", toolNames) + ")");
                } else if (!seen.add(n)) {
                    ic.error("tool '" + n + "' is listed twice");
                } else {
                    out.add(n);
                }
            }
            return out;
        }

        private Optional<ModelSpec> model(Cursor mc) {
            if (!mc.requireObject()) {
                return Optional.empty();
            }
            mc.onlyKeys("name", "family", "variants", "mock");
            String name = mc.field("name").requireString();
            String family = mc.field("family").requireString();
            List<VariantSpec> variants = new ArrayList<>();
            Set<String> names = new HashSet<>();
            Cursor vc = mc.field("variants");
            if (!vc.present()) {
                vc.error("required: at least one GGUF variant");
            }
            List<Cursor> vItems = vc.items();
            if (vc.present() && vc.node().isArray() && vItems.isEmpty()) {
                vc.error("must list at least one variant");
            }
            for (Cursor v : vItems) {
                if (!v.requireObject()) {
                    continue;
                }
                v.onlyKeys("name", "path", "quant", "bytes", "layers", "kv_bytes_per_token", "context_length");
                String vName = v.field("name").requireString();
                if (!names.add(vName)) {
                    v.field("name").error("duplicate variant name '" + vName + "'");
                }
                String path = v.field("path").requireString();
                if (!path.isEmpty() && !path.endsWith(".gguf")) {
                    v.field("path").error("must name a .gguf file (was '" + path + "')");
                }
                variants.add(new VariantSpec(vName, path, v.field("quant").requireString(), v.field("bytes").bytes(true),
                        v.field("layers").requireInt(1), v.field("kv_bytes_per_token").requireLong(1),
                        v.field("context_length").requireInt(1)));
            }
            MockProfile mock = mock(mc.field("mock"), variants.isEmpty() ? 0 : variants.get(0).bytes());
            return Optional.of(new ModelSpec(name, family, variants, mock));
        }

        private MockProfile mock(Cursor c, long referenceBytes) {
            MockProfile d = MockProfileDefaults.forBytes(referenceBytes);
            if (!c.isObjectIfPresent()) {
                return d;
            }
            c.onlyKeys("capability", "prefill_tps_gpu", "decode_tps_gpu", "prefill_tps_cpu", "decode_tps_cpu",
                    "nvme_to_ram_bytes_per_s", "ram_to_gpu_bytes_per_s", "process_start_ms", "tokenizer");
            double capability = c.field("capability").doubleValue(d.capability(), 0, 1);
            double pg = positive(c.field("prefill_tps_gpu"), d.prefillTpsGpu());
            double dg = positive(c.field("decode_tps_gpu"), d.decodeTpsGpu());
            double pc = positive(c.field("prefill_tps_cpu"), d.prefillTpsCpu());
            double dc = positive(c.field("decode_tps_cpu"), d.decodeTpsCpu());
            long nvme = c.field("nvme_to_ram_bytes_per_s").present() ? c.field("nvme_to_ram_bytes_per_s").bytes(true)
                    : (long) d.nvmeToRamBytesPerSec();
            long pcie = c.field("ram_to_gpu_bytes_per_s").present() ? c.field("ram_to_gpu_bytes_per_s").bytes(true)
                    : (long) d.ramToGpuBytesPerSec();
            long start = c.field("process_start_ms").longValue(d.processStartMs(), 0);
            return new MockProfile(capability, pg, dg, pc, dc, Math.max(1, nvme), Math.max(1, pcie), start,
                    c.field("tokenizer").optionalString().orElse(null));
        }

        private double positive(Cursor c, double fallback) {
            return c.present() ? c.requirePositive() : fallback;
        }

        private InstanceSpec instance(String role, int index, Cursor ic, Optional<ModelSpec> model,
                Map<String, LaunchSpec> templates) {
            if (!ic.requireObject()) {
                return null;
            }
            List<String> keys = new ArrayList<>(List.of("id", "url", "template", "variant", "port"));
            keys.addAll(List.of(LAUNCH_KEYS));
            ic.onlyKeys(keys.toArray(String[]::new));
            String id = ic.field("id").string(role + "-" + index);
            checkName(ic.field("id"), id);
            Cursor urlC = ic.field("url");
            if (urlC.present()) {
                for (String k : keys) {
                    if (!k.equals("id") && !k.equals("url") && ic.field(k).present()) {
                        ic.field(k).error("an external instance (url) takes no launch settings");
                    }
                }
                Optional<URI> url = url(urlC);
                return new InstanceSpec(id, role, Optional.empty(), url.isPresent() ? url : Optional.of(
                        URI.create("http://invalid")));
            }
            String templateName = ic.field("template").string("");
            LaunchSpec base = defaultLaunch("");
            if (!templateName.isEmpty()) {
                LaunchSpec t = templates.get(templateName);
                if (t == null) {
                    ic.field("template").error("unknown launch template '" + templateName + "' (templates: "
                            + String.join(", ", templates.keySet()) + ")");
                } else {
                    base = t;
                }
            }
            String variant = ic.field("variant").string("");
            if (model.isPresent() && !model.get().variants().isEmpty()) {
                ModelSpec m = model.get();
                if (variant.isEmpty()) {
                    variant = m.referenceVariant().name();
                } else if (m.variant(variant).isEmpty()) {
                    ic.field("variant").error("unknown variant '" + variant + "' (variants: " + String.join(", ",
                            m.variants().stream().map(VariantSpec::name).toList()) + ")");
                }
            } else if (model.isEmpty() && mode == RegistryMode.LEAN) {
                ic.error("a launched instance needs the role's model (lean mode waives models only for url instances)");
            }
            LaunchSpec launch = launchFields(ic, base, templateName, variant);
            if (model.isPresent()) {
                Optional<VariantSpec> v = model.get().variant(variant);
                if (v.isPresent()) {
                    if (!launch.gpuLayers().all() && launch.gpuLayers().count() > v.get().layers()) {
                        (ic.field("gpu_layers").present() ? ic.field("gpu_layers") : ic).error("must be <= the variant's "
                                + v.get().layers() + " layers (was " + launch.gpuLayers().count() + ")");
                    }
                    if (launch.ctxSize() > v.get().contextLength()) {
                        (ic.field("ctx_size").present() ? ic.field("ctx_size") : ic.field("template")).error(
                                "ctx_size " + launch.ctxSize() + " exceeds the model's context length "
                                        + v.get().contextLength());
                    }
                    if (requireModelFiles) {
                        Path p = resolveModel(v.get().path());
                        if (!Files.isRegularFile(p)) {
                            ic.field("variant").error("model file " + p + " does not exist (variant '" + variant
                                    + "', models dir " + modelsDir + ")");
                        }
                    }
                }
            }
            return new InstanceSpec(id, role, Optional.of(launch), Optional.empty());
        }

        private Path resolveModel(String path) {
            Path p = Path.of(path);
            return p.isAbsolute() ? p : modelsDir.resolve(p);
        }

        private Optional<URI> url(Cursor c) {
            String raw = c.string("");
            try {
                URI uri = new URI(raw);
                if (("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) && uri.getHost() != null) {
                    return Optional.of(uri);
                }
            } catch (URISyntaxException ignored) {
                // reported below
            }
            c.error("must be an http(s) URL such as http://127.0.0.1:8080 (was '" + raw + "')");
            return Optional.empty();
        }

        private RoleTimeouts timeouts(Cursor c) {
            RoleTimeouts d = RoleTimeouts.DEFAULT;
            if (!c.isObjectIfPresent()) {
                return d;
            }
            c.onlyKeys("connect_ms", "first_token_ms", "idle_ms", "total_ms", "load_ms");
            return new RoleTimeouts(c.field("connect_ms").longValue(d.connectMs(), 1),
                    c.field("first_token_ms").longValue(d.firstTokenMs(), 1),
                    c.field("idle_ms").longValue(d.idleMs(), 1), c.field("total_ms").longValue(d.totalMs(), 1),
                    c.field("load_ms").longValue(d.loadMs(), 1));
        }

        // ---- speculation -----------------------------------------------------------------------------------

        private List<DraftPairing> drafts(Cursor c, Map<String, RoleSpec> roles) {
            List<DraftPairing> out = new ArrayList<>();
            if (!c.isObjectIfPresent()) {
                return out;
            }
            c.onlyKeys("pairs");
            Set<String> targets = new HashSet<>();
            for (Cursor pc : c.field("pairs").items()) {
                if (!pc.requireObject()) {
                    continue;
                }
                pc.onlyKeys("target", "draft", "n_max", "n_min", "p_min", "draft_gpu_layers");
                String target = pc.field("target").requireString();
                String draft = pc.field("draft").requireString();
                int nMax = pc.field("n_max").intValue(8, 1, 64);
                int nMin = pc.field("n_min").intValue(0, 0, 64);
                if (nMin > nMax) {
                    pc.field("n_min").error("must be <= n_max " + nMax + " (was " + nMin + ")");
                }
                double pMin = pc.field("p_min").doubleValue(0.0, 0, 1);
                GpuLayers ngld = gpuLayers(pc.field("draft_gpu_layers"), GpuLayers.ALL);
                RoleSpec t = roles.get(target);
                RoleSpec d = roles.get(draft);
                if (!target.isEmpty()) {
                    if (t == null) {
                        unknownRole(pc.field("target"), target, roles);
                    } else if (!t.servesUsers()) {
                        pc.field("target").error("role '" + target + "' does not generate for users; only they have drafts");
                    } else if (!targets.add(target)) {
                        pc.field("target").error("role '" + target + "' already has a draft pairing");
                    }
                }
                if (!draft.isEmpty()) {
                    if (d == null) {
                        unknownRole(pc.field("draft"), draft, roles);
                    } else if (d.tier() != Tier.D || d.kind() != RoleKind.DRAFT) {
                        pc.field("draft").error("role '" + draft + "' is tier " + d.tier() + " (" + d.kind().name()
                                .toLowerCase() + "); drafts must be tier D draft roles");
                    } else if (d.model().isEmpty()) {
                        pc.field("draft").error("draft role '" + draft + "' has no model");
                    }
                }
                if (t != null && d != null && t.model().isPresent() && d.model().isPresent()
                        && !t.model().get().family().equals(d.model().get().family())) {
                    pc.field("draft").error("tokenizer family '" + d.model().get().family()
                            + "' differs from target's '" + t.model().get().family()
                            + "' (speculation needs identical vocabularies)");
                }
                out.add(new DraftPairing(target, draft, nMax, nMin, pMin, ngld));
            }
            return out;
        }

        // ---- escalation --------------------------------------------------------------------------------------

        private Map<String, List<String>> chains(Cursor c, Map<String, RoleSpec> roles) {
            Map<String, List<String>> out = new LinkedHashMap<>();
            if (!c.isObjectIfPresent()) {
                return out;
            }
            c.onlyKeys("chains");
            Map<String, Set<String>> edges = new LinkedHashMap<>();
            Map<String, String> edgeWhere = new HashMap<>();
            for (Map.Entry<String, Cursor> e : c.field("chains").entries().entrySet()) {
                Cursor cc = e.getValue();
                checkName(cc, e.getKey());
                List<String> chain = cc.strings();
                if (cc.present() && chain.size() < 2) {
                    cc.error("an escalation chain lists at least two roles (was " + chain.size() + ")");
                }
                Set<String> seen = new LinkedHashSet<>();
                for (int i = 0; i < chain.size(); i++) {
                    String r = chain.get(i);
                    Cursor rc = cc.items().get(i);
                    RoleSpec spec = roles.get(r);
                    if (spec == null) {
                        if (!r.isEmpty() && !roleCursors.containsKey(r)) {
                            unknownRole(rc, r, roles);
                        }
                    } else if (!spec.servesUsers()) {
                        rc.error("role '" + r + "' is tier " + spec.tier() + " " + spec.kind().name().toLowerCase()
                                + " and never serves users; it cannot be an escalation step");
                    } else if (spec.tier() == Tier.B && i < chain.size() - 1) {
                        rc.error("role '" + r + "' is tier B, which is terminal (lateral fallback only); nothing may "
                                + "follow it in a chain");
                    }
                    if (!seen.add(r)) {
                        rc.error("escalation cycle: '" + r + "' appears twice in chain '" + e.getKey() + "' ("
                                + String.join(" → ", chain) + ")");
                    }
                    if (i > 0) {
                        String from = chain.get(i - 1);
                        edges.computeIfAbsent(from, k -> new LinkedHashSet<>()).add(r);
                        edgeWhere.putIfAbsent(from + ">" + r, cc.path());
                    }
                }
                out.put(e.getKey(), List.copyOf(chain));
            }
            reportCycles(c.field("chains"), edges);
            return out;
        }

        /** Chains together form a graph; a cycle across chains (a→b in one, b→a in another) is an error too. */
        private void reportCycles(Cursor chains, Map<String, Set<String>> edges) {
            Map<String, Integer> colour = new HashMap<>();
            Set<String> reported = new HashSet<>();
            for (String start : edges.keySet()) {
                dfs(start, edges, colour, new ArrayList<>(), chains, reported);
            }
        }

        private void dfs(String node, Map<String, Set<String>> edges, Map<String, Integer> colour, List<String> stack,
                Cursor chains, Set<String> reported) {
            Integer col = colour.get(node);
            if (col != null && col == 2) {
                return;
            }
            if (col != null && col == 1) {
                List<String> cycle = new ArrayList<>(stack.subList(stack.indexOf(node), stack.size()));
                cycle.add(node);
                String key = String.join(">", new java.util.TreeSet<>(cycle));
                if (cycle.size() > 2 && reported.add(key)) { // a self-repeat inside one chain is reported there
                    chains.error("escalation cycle across chains: " + String.join(" → ", cycle));
                }
                return;
            }
            colour.put(node, 1);
            stack.add(node);
            for (String next : edges.getOrDefault(node, Set.of())) {
                dfs(next, edges, colour, stack, chains, reported);
            }
            stack.remove(stack.size() - 1);
            colour.put(node, 2);
        }

        // ---- residency ---------------------------------------------------------------------------------------

        private ResidencySpec residency(Cursor c, Map<String, RoleSpec> roles) {
            if (!c.requireObject()) {
                return new ResidencySpec(0, 0, Map.of(), Map.of());
            }
            c.onlyKeys("gpu_bytes", "host_ram_bytes", "pins", "precision_floors");
            long gpu = c.field("gpu_bytes").bytes(true);
            long ram = c.field("host_ram_bytes").bytes(true);
            Map<String, ResidencyState> pins = new LinkedHashMap<>();
            for (Map.Entry<String, Cursor> e : c.field("pins").entries().entrySet()) {
                ResidencyState s = e.getValue().enumValue(ResidencyState.class, null, false);
                if (!roles.containsKey(e.getKey()) && !roleCursors.containsKey(e.getKey())) {
                    unknownRole(e.getValue(), e.getKey(), roles);
                }
                if (s == ResidencyState.S5) {
                    e.getValue().error("S5 is a transient state (a model in flight) and cannot be a pin");
                } else if (s == ResidencyState.S6) {
                    e.getValue().error("S6 (substituted by a fallback) cannot be a floor; pin a state S0-S4");
                } else if (s != null) {
                    pins.put(e.getKey(), s);
                }
            }
            Map<String, String> floors = new LinkedHashMap<>();
            for (Map.Entry<String, Cursor> e : c.field("precision_floors").entries().entrySet()) {
                String variant = e.getValue().requireString();
                RoleSpec role = roles.get(e.getKey());
                if (role == null) {
                    if (!roleCursors.containsKey(e.getKey())) {
                        unknownRole(e.getValue(), e.getKey(), roles);
                    }
                    continue;
                }
                if (variant == null) {
                    continue;
                }
                if (role.model().isEmpty()) {
                    e.getValue().error("role '" + e.getKey() + "' has no model, so no precision to floor");
                } else if (role.model().get().variant(variant).isEmpty()) {
                    e.getValue().error("role '" + e.getKey() + "' has no variant '" + variant + "' (it has "
                            + role.model().get().variants().stream().map(v -> v.name()).toList() + ")");
                } else {
                    floors.put(e.getKey(), variant);
                }
            }
            return new ResidencySpec(gpu, ram, pins, floors);
        }

        // ---- whole-file checks --------------------------------------------------------------------------------

        private void crossChecks(Map<String, RoleSpec> roles) {
            boolean frontDoor = roles.values().stream().anyMatch(r -> r.tier() == Tier.A && r.servesUsers());
            if (!roles.isEmpty() && !frontDoor) {
                top.field("roles").error("no tier A role: the front door answers every request that names no role");
            }
            Map<String, String> ids = new HashMap<>();
            Map<Integer, String> ports = new HashMap<>();
            for (RoleSpec r : roles.values()) {
                Cursor rc = roleCursors.get(r.name());
                for (int i = 0; i < r.instances().size(); i++) {
                    InstanceSpec inst = r.instances().get(i);
                    Cursor ic = rc.field("instances").items().get(i);
                    String prev = ids.putIfAbsent(inst.id(), r.name());
                    if (prev != null) {
                        ic.field("id").error("duplicate instance id '" + inst.id() + "' (also in role '" + prev + "')");
                    }
                    inst.launch().filter(l -> l.port() > 0).ifPresent(l -> {
                        String other = ports.putIfAbsent(l.port(), inst.id());
                        if (other != null) {
                            ic.field("port").error("port " + l.port() + " is already used by instance '" + other + "'");
                        }
                    });
                }
                List<Cursor> fb = rc.field("fallbacks").items();
                for (int i = 0; i < r.fallbacks().size(); i++) {
                    String f = r.fallbacks().get(i);
                    RoleSpec target = roles.get(f);
                    if (f.equals(r.name())) {
                        fb.get(i).error("a role cannot be its own fallback");
                    } else if (target == null) {
                        if (!roleCursors.containsKey(f)) {
                            unknownRole(fb.get(i), f, roles);
                        }
                    } else if (target.kind() != r.kind() || !target.servesUsers() && r.servesUsers()) {
                        fb.get(i).error("fallback '" + f + "' is a " + target.kind().name().toLowerCase()
                                + " role in tier " + target.tier() + "; it cannot serve this role's traffic");
                    }
                }
            }
        }

        private void unknownRole(Cursor c, String name, Map<String, RoleSpec> roles) {
            c.error("unknown role '" + name + "' (roles: " + String.join(", ", roleCursors.keySet()) + ")");
        }

        private void checkName(Cursor c, String name) {
            if (!NAME.matcher(name).matches()) {
                c.error("'" + name + "' is not a valid name (lower-case letters, digits, '_' and '-', starting "
                        + "with a letter)");
            }
        }
    }
}
