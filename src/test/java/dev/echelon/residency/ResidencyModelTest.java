package dev.echelon.residency;

import dev.echelon.cost.CostModel;
import dev.echelon.registry.ModelRegistry;
import dev.echelon.registry.RegistryLoader;
import dev.echelon.registry.RegistryMode;
import dev.echelon.registry.ResidencyState;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

import static dev.echelon.registry.ResidencyState.S0;
import static dev.echelon.registry.ResidencyState.S1;
import static dev.echelon.registry.ResidencyState.S2;
import static dev.echelon.registry.ResidencyState.S3;
import static dev.echelon.registry.ResidencyState.S4;
import static dev.echelon.registry.ResidencyState.S5;
import static dev.echelon.registry.ResidencyState.S6;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The model of the world on the shipped registry: the ladder, admissibility, footprints per layer group. */
class ResidencyModelTest {

    private static ModelRegistry shipped() {
        return new RegistryLoader(RegistryMode.FULL, Path.of("models"), false).load(Path.of("model_registry.yaml"));
    }

    private static ResidencyModel model(ModelRegistry r) {
        return ResidencyModel.of(r, new Budgets(r.residency().gpuBytes(), r.residency().hostRamBytes()),
                new CostModel());
    }

    @Test
    void theLadderTable() {
        for (ResidencyState s : EnumSet.of(S0, S1, S2, S3)) {
            assertEquals(Set.of(S0, S1, S2, S3, S4, S6), Ladder.edgesFrom(s), "a running state may go anywhere");
        }
        assertEquals(Set.of(S0, S1, S2, S3, S6), Ladder.edgesFrom(S4));
        assertEquals(Set.of(S0, S1, S2, S3, S4), Ladder.edgesFrom(S6));
        assertEquals(Set.of(), Ladder.edgesFrom(S5), "S5 belongs to the actuator");
    }

    @Test
    void illegalTransitionsCannotBeMade() {
        RolePlacement cold = RolePlacement.cold("q4_k_m");
        RolePlacement moving = new RolePlacement(S5, "q4_k_m", 0);
        RolePlacement full = RolePlacement.gpu(S1, "q4_k_m", 64);
        assertThrows(IllegalTransitionException.class, () -> new Transition("coder", cold, moving, 0, 0));
        assertThrows(IllegalTransitionException.class, () -> new Transition("coder", moving, full, 0, 0));
        assertThrows(IllegalTransitionException.class, () -> new Transition("coder", full, full, 0, 0));
        assertThrows(IllegalTransitionException.class,
                () -> new Transition("coder", cold, RolePlacement.cold("q8_0"), 0, 0), "S4 → S4 changes nothing");
        assertTrue(Ladder.legal(full, RolePlacement.gpu(S2, "q4_k_m", 32)), "a reconfiguration is a transition");
    }

    @Test
    void targetsAreCheckedAgainstTheRole() {
        ResidencyModel m = model(shipped());
        RolePlacement coderNow = m.initialPlacement().of("coder");
        assertEquals(RolePlacement.gpu(S2, "q4_k_m", 48), coderNow, "the registry's -ngl 48 of 64 is S2");
        String lowBitAsS0 = assertThrows(IllegalTransitionException.class,
                () -> m.transition("coder", coderNow, RolePlacement.gpu(S0, "q4_k_m", 64))).getMessage();
        assertTrue(lowBitAsS0.contains("S0 needs a full-precision variant"), lowBitAsS0);
        String pinned = assertThrows(IllegalTransitionException.class, () -> m.transition("frontdoor",
                m.initialPlacement().of("frontdoor"), RolePlacement.cpu("q8_0"))).getMessage();
        assertTrue(pinned.contains("pinned at S1"), pinned);
        assertThrows(IllegalTransitionException.class,
                () -> m.transition("coder", coderNow, RolePlacement.gpu(S2, "q5_k_m", 10)), "unknown variant");
        Transition up = m.transition("coder", coderNow, RolePlacement.gpu(S1, "q4_k_m", 64));
        assertTrue(up.seconds() > 0 && up.bytesMoved() > 0, up.toString());
        assertFalse(up.demotion());
    }

    @Test
    void footprintsSplitByLayerAndTheDraftRidesWithItsTarget() {
        ResidencyModel m = model(shipped());
        Footprint all = m.footprint("coder", RolePlacement.gpu(S1, "q4_k_m", 64));
        Footprint half = m.footprint("coder", RolePlacement.gpu(S2, "q4_k_m", 32));
        Footprint cpu = m.footprint("coder", RolePlacement.cpu("q4_k_m"));
        long weights = 19_851_335_840L;
        long kv = 262_144L * 8192;
        long draft = 531_068_512L + 12_288L * 8192;
        assertEquals(weights + kv + draft + ResidencyModel.GPU_OVERHEAD_BYTES, all.gpuBytes());
        assertEquals(0, all.hostBytes());
        assertEquals((weights + kv) / 2 + draft + ResidencyModel.GPU_OVERHEAD_BYTES, half.gpuBytes(), 1.0);
        assertEquals((weights + kv) / 2, half.hostBytes(), 1.0);
        assertEquals(new Footprint(0, weights + kv + draft), cpu);
        assertEquals(Footprint.ZERO, m.footprint("coder", RolePlacement.cold("q4_k_m")));
        assertFalse(m.manages("draft_general"), "a draft is not a unit of its own");
        assertFalse(m.manages("embedder"), "the in-process embedder has no weights to move");
        assertTrue(m.fits(m.initialPlacement()), "the shipped launch placement fits the shipped budgets");
    }

    @Test
    void aPrecisionFloorRemovesSmallerVariantsFromEveryOption() throws Exception {
        Path file = Files.createTempFile("registry", ".yaml");
        try {
            String yaml = Files.readString(Path.of("model_registry.yaml")).replace("    frontdoor: S1",
                    "    frontdoor: S1\n  precision_floors:\n    architect: q8_0");
            Files.writeString(file, yaml);
            ModelRegistry r = new RegistryLoader(RegistryMode.FULL, Path.of("models"), false).load(file);
            assertEquals("q8_0", r.residency().precisionFloors().get("architect"));
            List<RolePlacement> options = model(r).options("architect");
            assertFalse(options.isEmpty());
            assertTrue(options.stream().allMatch(o -> o.variant().equals("q8_0")), options.toString());
            assertTrue(model(shipped()).options("architect").stream().anyMatch(o -> o.variant().equals("q4_k_m")));
        } finally {
            Files.deleteIfExists(file);
        }
    }

    @Test
    void aSpeculatingRoleIsPricedAtTheSpeedItsDraftsAcceptanceGivesIt() {
        ResidencyModel plain = model(shipped());
        ResidencyModel credited = plain.withAcceptance(DraftAcceptance.fixed(java.util.Map.of("coder", 0.8,
                "architect", 0.8)));
        RolePlacement all = RolePlacement.gpu(S1, "q4_k_m", 64);
        var before = plain.service("coder", all, 1000, 1);
        var after = credited.service("coder", all, 1000, 1);
        // Leviathan et al.: a pass drafts k tokens (k · draft time), verifies them in one target pass (5 % dearer
        // than a plain step) and yields (1 − α^(k+1)) / (1 − α) tokens; the best k for α 0.8 at this cost ratio
        double target = before.tpotSeconds();
        double draft = 1.0 / 420; // draft_general's calibration: 420 tokens/s on the GPU
        double best = Double.MAX_VALUE;
        for (int k = 1; k <= 16; k++) {
            best = Math.min(best, (1.05 * target + k * draft) / ((1 - Math.pow(0.8, k + 1)) / 0.2));
        }
        assertEquals(best, after.tpotSeconds(), best * 1e-9);
        assertTrue(after.tpotSeconds() < before.tpotSeconds() / 2, before + " → " + after);
        assertTrue(after.ttftSeconds() > before.ttftSeconds(), "the draft prefills the prompt too");
        assertTrue(after.ttftSeconds() < before.ttftSeconds() * 1.2, before + " → " + after);

        var fasterStill = plain.withAcceptance(DraftAcceptance.fixed(java.util.Map.of("coder", 0.9)))
                .service("coder", all, 1000, 1);
        assertTrue(fasterStill.tpotSeconds() < after.tpotSeconds(), "a higher acceptance decodes faster");
        assertEquals(before, plain.withAcceptance(DraftAcceptance.fixed(java.util.Map.of("coder", 0.02)))
                .service("coder", all, 1000, 1), "no draft length pays at α 0.02: priced as decoding alone");
        RolePlacement architect = RolePlacement.gpu(S1, "q4_k_m", 48);
        assertEquals(plain.service("architect", architect, 1000, 1), credited.service("architect", architect, 1000,
                1), "the architect has no draft: an acceptance for it changes nothing");

        // with half the target's layers on the CPU, the draft (still on the GPU) costs relatively less: more gain
        RolePlacement half = RolePlacement.gpu(S2, "q4_k_m", 32);
        double gainHalf = plain.service("coder", half, 1000, 1).tpotSeconds()
                / credited.service("coder", half, 1000, 1).tpotSeconds();
        assertTrue(gainHalf > before.tpotSeconds() / after.tpotSeconds(), "gain at S2 " + gainHalf);
    }
}
