package dev.echelon.residency.plan;

import dev.echelon.cost.Calibration;
import dev.echelon.cost.CostModel;
import dev.echelon.registry.ResidencyState;
import dev.echelon.registry.Tier;
import dev.echelon.registry.VariantSpec;
import dev.echelon.residency.Budgets;
import dev.echelon.residency.Footprint;
import dev.echelon.residency.Placement;
import dev.echelon.residency.ResidencyModel;
import dev.echelon.residency.ResidentRole;
import dev.echelon.residency.RolePlacement;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;

/**
 * Random residency worlds for property tests, from a seed (QuickTheories draws the seed and the role count): roles
 * with random sizes, layer counts, variants, KV sizes, slots, drafts, fallbacks and pins, a random current placement
 * that respects the pins, and budgets that hold that placement with random (sometimes no) headroom.
 */
final class RandomModels {

    static final long MIB = 1L << 20;

    record World(ResidencyModel model, Placement current) {
    }

    private RandomModels() {
    }

    static World world(int roles, long seed) {
        Random rnd = new Random(seed);
        List<String> names = new ArrayList<>();
        for (int i = 0; i < roles; i++) {
            names.add("r" + i);
        }
        List<ResidentRole> rs = new ArrayList<>();
        for (int i = 0; i < roles; i++) {
            int layers = 8 + rnd.nextInt(73);
            int nv = 1 + rnd.nextInt(3);
            long base = (300 + rnd.nextInt(20_000)) * MIB;
            List<VariantSpec> vs = new ArrayList<>();
            for (int v = 0; v < nv; v++) {
                long bytes = Math.max(64 * MIB, base >> v);
                String quant = v == 0 && rnd.nextBoolean() ? "Q8_0" : "Q4_K_M";
                vs.add(new VariantSpec("v" + v, "r" + i + "-v" + v + ".gguf", quant, bytes, layers,
                        1024L * (4 + rnd.nextInt(300)), 32768));
            }
            Optional<VariantSpec> draft = rnd.nextInt(4) == 0
                    ? Optional.of(new VariantSpec("d", "d.gguf", "Q8_0", (100 + rnd.nextInt(500)) * MIB, 24, 12288,
                            32768))
                    : Optional.empty();
            Optional<String> fallback = roles > 1 && rnd.nextInt(3) > 0
                    ? Optional.of(names.get((i + 1 + rnd.nextInt(roles - 1)) % roles)) : Optional.empty();
            Optional<ResidencyState> pin = rnd.nextInt(5) == 0
                    ? Optional.of(ResidencyState.values()[rnd.nextInt(4)]) : Optional.empty();
            Calibration c = new Calibration(vs.get(0).bytes(), 500 + rnd.nextInt(10_000), 10 + rnd.nextInt(300),
                    5 + rnd.nextInt(200), 1 + rnd.nextInt(30), 1e9 + rnd.nextInt(10) * 1e9,
                    5e9 + rnd.nextInt(30) * 1e9, rnd.nextInt(1500));
            Tier tier = Tier.values()[rnd.nextInt(3)];
            RolePlacement provisional = RolePlacement.cpu(vs.get(vs.size() - 1).name());
            ResidentRole role = new ResidentRole("r" + i, tier, vs, 1 + rnd.nextInt(2), 1024 * (1 + rnd.nextInt(16)),
                    1 + rnd.nextInt(4), draft, c, fallback, pin, provisional);
            if (pin.isPresent() && alone(role).options(role.name()).isEmpty()) {
                // pinned at S0 with only low-bit variants: no placement satisfies the pin; drop it
                role = new ResidentRole(role.name(), tier, vs, role.instances(), role.ctxSize(), role.parallel(),
                        draft, c, fallback, Optional.empty(), provisional);
            }
            rs.add(role);
        }
        // options depend only on the roles, so a throw-away model with ample budgets picks the current placement
        ResidencyModel probe = new ResidencyModel(rs, new Budgets(Long.MAX_VALUE / 4, Long.MAX_VALUE / 4),
                new CostModel());
        Map<String, RolePlacement> current = new LinkedHashMap<>();
        for (ResidentRole r : rs) {
            List<RolePlacement> opts = probe.options(r.name());
            current.put(r.name(), opts.get(rnd.nextInt(opts.size())));
        }
        // an S6 role whose fallback does not run is possible in reality only transiently; allow it sometimes
        Placement placement = new Placement(current);
        Footprint used = probe.footprint(placement);
        long gpu = headroom(used.gpuBytes(), rnd);
        long host = headroom(used.hostBytes(), rnd);
        return new World(new ResidencyModel(rs, new Budgets(gpu, host), new CostModel()), placement);
    }

    private static ResidencyModel alone(ResidentRole r) {
        ResidentRole noFallback = new ResidentRole(r.name(), r.tier(), r.variants(), r.instances(), r.ctxSize(),
                r.parallel(), r.draft(), r.calibration(), Optional.empty(), r.pin(), r.initial());
        return new ResidencyModel(List.of(noFallback), new Budgets(Long.MAX_VALUE / 4, Long.MAX_VALUE / 4),
                new CostModel());
    }

    /** Budget at least {@code used}: exactly it, or with up to 100 % more, or a random large value. */
    private static long headroom(long used, Random rnd) {
        return switch (rnd.nextInt(4)) {
            case 0 -> used;
            case 1 -> used + (long) (rnd.nextDouble() * used);
            case 2 -> used + (long) (rnd.nextDouble() * 4096) * MIB;
            default -> Math.max(used, (long) (rnd.nextDouble() * 64 * 1024) * MIB);
        };
    }

    /** A random admissible placement per role (what a planner might want), not necessarily within budget. */
    static Placement randomWanted(ResidencyModel model, Random rnd) {
        Map<String, RolePlacement> m = new LinkedHashMap<>();
        for (String role : model.roles().keySet()) {
            List<RolePlacement> opts = model.options(role);
            m.put(role, opts.get(rnd.nextInt(opts.size())));
        }
        return new Placement(m);
    }
}
