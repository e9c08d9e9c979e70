package dev.echelon.tools;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The sandbox's uid pool: one run per uid, never a uid with processes alive, leases rotate. */
class SandboxUidsTest {

    /** Far from the default range, so that the real runs of other tests in this JVM never hold these uids. */
    private static final int FIRST = 3_000_000;

    @Test
    void runsAtOnceGetUidsOfTheirOwnUntilTheRangeIsSpent() {
        SandboxUids uids = new SandboxUids(FIRST, FIRST + 2, uid -> false);
        Set<Integer> held = new HashSet<>();
        SandboxUids.Lease a = uids.lease();
        SandboxUids.Lease b = uids.lease();
        SandboxUids.Lease c = uids.lease();
        held.add(a.uid());
        held.add(b.uid());
        held.add(c.uid());
        assertEquals(Set.of(FIRST, FIRST + 1, FIRST + 2), held);
        SandboxUnavailableException full = assertThrows(SandboxUnavailableException.class, uids::lease);
        assertTrue(full.getMessage().contains("3000000-3000002")
                && full.getMessage().contains("ORCHESTRATOR_SANDBOX_UIDS"), full.getMessage());
        b.close();
        assertEquals(b.uid(), uids.lease().uid(), "the one released is the one free");
        a.close();
        c.close();
    }

    @Test
    void aUidWithProcessesAliveIsSkipped() {
        Set<Integer> alive = new HashSet<>(Set.of(FIRST + 10, FIRST + 11));
        SandboxUids uids = new SandboxUids(FIRST + 10, FIRST + 12, alive::contains);
        try (SandboxUids.Lease lease = uids.lease()) {
            assertEquals(FIRST + 12, lease.uid());
        }
        alive.add(FIRST + 12);
        assertThrows(SandboxUnavailableException.class, uids::lease, "every uid still has processes");
        alive.clear();
        try (SandboxUids.Lease lease = uids.lease()) {
            assertTrue(lease.uid() >= FIRST + 10 && lease.uid() <= FIRST + 12);
        }
    }

    @Test
    void aUidThatCannotBeCheckedIsNotLeasedAndNotLeftHeld() {
        boolean[] procReadable = {false};
        SandboxUids uids = new SandboxUids(FIRST + 40, FIRST + 40, uid -> {
            if (!procReadable[0]) {
                throw new SandboxUnavailableException("cannot read /proc");
            }
            return false;
        });
        assertThrows(SandboxUnavailableException.class, uids::lease);
        procReadable[0] = true;
        try (SandboxUids.Lease lease = uids.lease()) {
            assertEquals(FIRST + 40, lease.uid(), "the failed check left the uid free");
        }
    }

    @Test
    void leasesRotateSoThatAReleasedUidHasTimeToEmpty() {
        SandboxUids uids = new SandboxUids(FIRST + 20, FIRST + 23, uid -> false);
        int previous;
        try (SandboxUids.Lease first = uids.lease()) {
            previous = first.uid();
        }
        for (int i = 0; i < 8; i++) {
            try (SandboxUids.Lease next = uids.lease()) {
                assertNotEquals(previous, next.uid(), "a uid just released is not leased again at once");
                previous = next.uid();
            }
        }
    }

    @Test
    void leasesAreSharedByEveryPoolInTheJvm() {
        SandboxUids one = new SandboxUids(FIRST + 30, FIRST + 30, uid -> false);
        SandboxUids other = new SandboxUids(FIRST + 30, FIRST + 30, uid -> false);
        try (SandboxUids.Lease held = one.lease()) {
            assertThrows(SandboxUnavailableException.class, other::lease);
        }
        other.lease().close();
    }

    @Test
    void rangesAreParsedAndRootIsRefused() {
        assertEquals(64, SandboxUids.parse(SandboxUids.DEFAULT_RANGE).size());
        assertEquals(1, SandboxUids.parse("65534").size());
        assertEquals(65534, SandboxUids.parse(" 65534 ").first());
        for (String bad : new String[] {"0", "0-5", "9-3", "", "a-b", "-5", "1-2-3"}) {
            assertThrows(IllegalArgumentException.class, () -> SandboxUids.parse(bad), bad);
        }
    }
}
