package dev.echelon.residency;

import dev.echelon.registry.ResidencyState;

import java.util.EnumMap;
import java.util.EnumSet;
import java.util.Map;
import java.util.Set;

import static dev.echelon.registry.ResidencyState.S0;
import static dev.echelon.registry.ResidencyState.S1;
import static dev.echelon.registry.ResidencyState.S2;
import static dev.echelon.registry.ResidencyState.S3;
import static dev.echelon.registry.ResidencyState.S4;
import static dev.echelon.registry.ResidencyState.S6;

/**
 * The legal edges between residency states, as llama.cpp can realise them (DESIGN.md, "The residency controller").
 *
 * <ul>
 *   <li>Every settled state (S0–S4, S6) can move to every other: llama-server starts from a cold file or a staged
 *       one at any {@code -ngl}, and a running one is stopped or restarted with new flags in one action.</li>
 *   <li>A running state may move to itself only as a reconfiguration (another variant or GPU layer count);
 *       S4 → S4 and S6 → S6 would change nothing and are refused.</li>
 *   <li>S5 is the controller's own: a role is put in S5 by the actuator while a transition runs and leaves it
 *       when the server is ready. No plan may start or end in S5.</li>
 * </ul>
 */
public final class Ladder {

    private static final Map<ResidencyState, Set<ResidencyState>> EDGES = new EnumMap<>(ResidencyState.class);

    static {
        EDGES.put(S0, EnumSet.of(S0, S1, S2, S3, S4, S6));
        EDGES.put(S1, EnumSet.of(S0, S1, S2, S3, S4, S6));
        EDGES.put(S2, EnumSet.of(S0, S1, S2, S3, S4, S6));
        EDGES.put(S3, EnumSet.of(S0, S1, S2, S3, S4, S6));
        EDGES.put(S4, EnumSet.of(S0, S1, S2, S3, S6));
        EDGES.put(S6, EnumSet.of(S0, S1, S2, S3, S4));
        EDGES.put(ResidencyState.S5, EnumSet.noneOf(ResidencyState.class));
    }

    private Ladder() {
    }

    /** The states reachable from {@code from} in one transition (the table, for docs and tests). */
    public static Set<ResidencyState> edgesFrom(ResidencyState from) {
        return Set.copyOf(EDGES.get(from));
    }

    public static boolean legal(RolePlacement from, RolePlacement to) {
        return why(from, to) == null;
    }

    /** Why {@code from → to} is illegal, or null when it is legal. */
    public static String why(RolePlacement from, RolePlacement to) {
        if (from.state() == ResidencyState.S5 || to.state() == ResidencyState.S5) {
            return "S5 is the in-flight state of a running transition; it is entered and left only by the actuator";
        }
        if (!EDGES.get(from.state()).contains(to.state())) {
            return "no edge " + from.state() + " → " + to.state() + " on the ladder";
        }
        if (from.equals(to)) {
            return "nothing changes";
        }
        if (from.state() == to.state() && !from.running()) {
            return from.state() + " → " + to.state() + " changes nothing that exists";
        }
        return null;
    }
}
