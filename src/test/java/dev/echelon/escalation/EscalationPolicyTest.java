package dev.echelon.escalation;

import dev.echelon.escalation.Action.Escalate;
import dev.echelon.escalation.Action.Fallback;
import dev.echelon.escalation.Action.GiveUp;
import dev.echelon.escalation.Action.GiveUp.Cause;
import dev.echelon.escalation.Action.Retry;
import dev.echelon.escalation.Action.ThinkHarder;
import dev.echelon.escalation.PolicyHarness.Run;
import dev.echelon.registry.RoleSpec;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;

import static dev.echelon.escalation.ErrorCategory.EARLY_ABORT;
import static dev.echelon.escalation.ErrorCategory.FORMAT;
import static dev.echelon.escalation.ErrorCategory.INFRASTRUCTURE;
import static dev.echelon.escalation.ErrorCategory.LOW_QUALITY;
import static dev.echelon.escalation.ErrorCategory.TIMEOUT;
import static dev.echelon.escalation.PolicyHarness.REGISTRY;
import static dev.echelon.escalation.PolicyHarness.big;
import static dev.echelon.escalation.PolicyHarness.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class EscalationPolicyTest {

    private static final String THINK = EscalationPolicy.Settings.DEFAULT.thinkHarderInstruction();

    private final AtomicLong nanos = new AtomicLong(1_000_000_000L);
    private CircuitBreakers breakers;
    private EscalationPolicy policy;

    @BeforeEach
    void setUp() {
        breakers = new CircuitBreakers(new CircuitBreakers.Settings(5, Duration.ofSeconds(10), Duration.ofMinutes(1)),
                nanos::get);
        policy = new EscalationPolicy(REGISTRY, breakers);
    }

    private void open(String instanceId) {
        for (int i = 0; i < 5; i++) {
            breakers.failure(instanceId);
        }
        assertEquals(CircuitBreakers.State.OPEN, breakers.state(instanceId));
    }

    // --- chains ----------------------------------------------------------------------------------------------------

    @Test
    void nextInChainFollowsTheRegistryChains() {
        assertEquals(Optional.of("worker"), policy.nextInChain("frontdoor", "code"));
        assertEquals(Optional.of("coder"), policy.nextInChain("worker", "code"));
        assertEquals(Optional.of("architect"), policy.nextInChain("worker", "general"));
        assertEquals(Optional.of("architect"), policy.nextInChain("math", "math"));
        assertEquals(Optional.empty(), policy.nextInChain("coder", "code"), "end of chain, and B is terminal");
        assertEquals(Optional.empty(), policy.nextInChain("architect", "general"));
        assertEquals(Optional.empty(), policy.nextInChain("math", "code"), "math is not in chain code");
        assertEquals(Optional.empty(), policy.nextInChain("frontdoor", "no-such-chain"));
        assertEquals(Optional.empty(), policy.nextInChain("frontdoor", null));
    }

    @Test
    void chainIsTheRequestedOneWhenItContainsTheRoleElseTheFirstThatDoes() {
        assertEquals(Optional.of("code"), policy.chainFor("worker", "code"));
        assertEquals(Optional.of("math"), policy.chainFor("math", "code"));
        assertEquals(Optional.of("general"), policy.chainFor("architect", "code"));
        assertEquals(Optional.of("general"), policy.chainFor("frontdoor", null));
        assertEquals(Optional.of("general"), policy.chainFor("frontdoor", "no-such-chain"));
        assertEquals(Optional.empty(), policy.chainFor("draft_general", "code"));
    }

    // --- one sequence per category -------------------------------------------------------------------------------

    @Test
    void lowQualityThinksHarderOnceThenClimbsTheChainAndStopsAtTierB() {
        Run r = run(policy, "code", "frontdoor", Budget.DEFAULT, LOW_QUALITY);
        assertEquals(List.of(
                new ThinkHarder("frontdoor", 2, THINK),
                new Escalate("frontdoor", "worker", "code"),
                new Escalate("worker", "coder", "code")), r.actions().subList(0, 3));
        assertEquals(4, r.actions().size());
        GiveUp g = r.giveUp();
        assertEquals(Cause.NO_CANDIDATE, g.cause());
        assertEquals(LOW_QUALITY, g.category());
        assertTrue(g.reason().contains("coder is tier B (terminal)"), g.reason());
    }

    @Test
    void formatRetriesTheSameRoleUpToMaxRetriesThenEscalates() {
        Run r = run(policy, "code", "frontdoor", Budget.DEFAULT, FORMAT);
        assertEquals(List.of(
                new Retry("frontdoor", "format: always fails", true),
                new Retry("frontdoor", "format: always fails", true),
                new Escalate("frontdoor", "worker", "code"),
                new Retry("worker", "format: always fails", true),
                new Retry("worker", "format: always fails", true),
                new Escalate("worker", "coder", "code"),
                new Retry("coder", "format: always fails", true),
                new Retry("coder", "format: always fails", true)), r.actions().subList(0, 8));
        assertEquals(Cause.MAX_RETRIES, r.giveUp().cause());
        assertTrue(r.actions().stream().filter(a -> a instanceof Retry).allMatch(a -> ((Retry) a).strictFormat()));
    }

    @Test
    void earlyAbortRetriesOnceThenEscalates() {
        Run r = run(policy, "code", "frontdoor", Budget.DEFAULT, EARLY_ABORT);
        assertEquals(List.of(
                new Retry("frontdoor", "early abort: always fails", false),
                new Escalate("frontdoor", "worker", "code"),
                new Retry("worker", "early abort: always fails", false),
                new Escalate("worker", "coder", "code"),
                new Retry("coder", "early abort: always fails", false)), r.actions().subList(0, 5));
        assertEquals(Cause.NO_CANDIDATE, r.giveUp().cause());
        assertEquals(6, r.actions().size());
    }

    @Test
    void timeoutEscalatesAlongTheChainThenFallsBackLaterallyFromTierB() {
        Run r = run(policy, "general", "frontdoor", Budget.DEFAULT, TIMEOUT);
        assertEquals(List.of(
                new Escalate("frontdoor", "worker", "general"),
                new Escalate("worker", "architect", "general"),
                new Fallback("architect", "coder")), r.actions().subList(0, 3));
        GiveUp g = r.giveUp();
        assertEquals(4, r.actions().size());
        assertEquals(Cause.NO_CANDIDATE, g.cause());
        assertEquals(TIMEOUT, g.category());
    }

    @Test
    void infrastructureUsesTheLateralFallbacks() {
        Run r = run(policy, "code", "coder", Budget.DEFAULT, INFRASTRUCTURE);
        assertEquals(List.of(new Fallback("coder", "architect")), r.actions().subList(0, 1));
        assertEquals(2, r.actions().size());
        assertTrue(r.giveUp().reason().contains("tier B"), r.giveUp().reason());

        Run worker = run(policy, "code", "worker", big(), INFRASTRUCTURE);
        assertEquals(List.of(
                new Fallback("worker", "math"),
                new Escalate("math", "architect", "math"), // math's own fallback (worker) was tried already
                new Fallback("architect", "coder")), worker.actions().subList(0, 3));
        assertEquals(Cause.NO_CANDIDATE, worker.giveUp().cause());
    }

    @Test
    void infrastructureSkipsCircuitOpenFallbacks() {
        open("architect-0");
        Action a = policy.next(first("code", "coder", INFRASTRUCTURE), INFRASTRUCTURE, "connection refused");
        GiveUp g = assertInstanceOf(GiveUp.class, a);
        assertEquals(Cause.NO_CANDIDATE, g.cause());
        assertTrue(g.reason().contains("circuit-open"), g.reason());

        // frontdoor's only fallback (worker) is open: climb the chain instead, walking past the open worker too
        open("worker-0");
        assertEquals(new Escalate("frontdoor", "coder", "code"),
                policy.next(first("code", "frontdoor", INFRASTRUCTURE), INFRASTRUCTURE, "503"));
    }

    @Test
    void aHalfOpenFallbackIsAvailableForItsProbe() {
        open("architect-0");
        nanos.addAndGet(Duration.ofSeconds(11).toNanos());
        assertEquals(new Fallback("coder", "architect"),
                policy.next(first("code", "coder", INFRASTRUCTURE), INFRASTRUCTURE, "503"));
        assertTrue(breakers.allow("architect-0"), "the pipeline claims the probe");
        // with the probe out, architect refuses: nothing left for a second request
        assertInstanceOf(GiveUp.class, policy.next(first("code", "coder", INFRASTRUCTURE), INFRASTRUCTURE, "503"));
    }

    @Test
    void escalationWalksPastCircuitOpenRoles() {
        open("worker-0");
        assertEquals(new Escalate("frontdoor", "coder", "code"),
                policy.next(first("code", "frontdoor", TIMEOUT), TIMEOUT, "first token"));
    }

    // --- never revisit -------------------------------------------------------------------------------------------

    @Test
    void aRoleThatFailedIsNeverATargetAgain() {
        EscalationState s = EscalationState.start("r", "general", big())
                .withAttempt(Attempt.failed("frontdoor", "frontdoor-0", Attempt.Kind.FIRST, LOW_QUALITY, "", 10, 10))
                .withAttempt(Attempt.failed("worker", "worker-0", Attempt.Kind.ESCALATE, LOW_QUALITY, "", 10, 10))
                .withAttempt(Attempt.failed("architect", "architect-0", Attempt.Kind.ESCALATE, INFRASTRUCTURE, "", 0, 10));
        Action toCoder = policy.next(s, INFRASTRUCTURE, "down");
        assertEquals(new Fallback("architect", "coder"), toCoder);
        s = s.withAttempt(Attempt.failed("coder", "coder-0", Attempt.Kind.FALLBACK, INFRASTRUCTURE, "", 0, 10));
        assertInstanceOf(GiveUp.class, policy.next(s, INFRASTRUCTURE, "down"), "architect already failed");

        // frontdoor failed, then worker: a timeout on math (reached some other way) must not go back to worker
        EscalationState m = EscalationState.start("r", "math", big())
                .withAttempt(Attempt.failed("worker", "worker-0", Attempt.Kind.FIRST, INFRASTRUCTURE, "", 0, 10))
                .withAttempt(Attempt.failed("math", "math-0", Attempt.Kind.FALLBACK, INFRASTRUCTURE, "", 0, 10));
        assertEquals(new Escalate("math", "architect", "math"), policy.next(m, INFRASTRUCTURE, "down"));
    }

    @Test
    void randomFailureSequencesTerminateAndNeverRevisitARole() {
        Random random = new Random(42);
        ErrorCategory[] all = ErrorCategory.values();
        List<String> starts = REGISTRY.roles().values().stream().filter(RoleSpec::servesUsers).map(RoleSpec::name).toList();
        List<String> chains = new ArrayList<>(REGISTRY.chains().keySet());
        chains.add(null);
        for (int run = 0; run < 2_000; run++) {
            String chain = chains.get(random.nextInt(chains.size()));
            String start = starts.get(random.nextInt(starts.size()));
            Budget budget = new Budget(random.nextInt(4), random.nextInt(6), 1_000_000, Duration.ofHours(1));
            Run r = run(policy, chain, start, budget, role -> all[random.nextInt(all.length)], 10, 10);
            Set<String> left = new HashSet<>();
            String current = start;
            int moves = 0;
            for (Action a : r.actions()) {
                if (a instanceof Escalate || a instanceof Fallback) {
                    left.add(current);
                    String to = a.targetRole().orElseThrow();
                    assertFalse(left.contains(to) || to.equals(current), "revisited " + to + " in " + r.actions());
                    current = to;
                    moves++;
                } else if (a.continues()) {
                    assertEquals(current, a.targetRole().orElseThrow(), "retries stay on the role");
                }
            }
            assertTrue(moves <= budget.maxEscalations(), "escalation budget respected: " + r.actions());
            for (String role : r.finalState().visitedRoles()) {
                assertTrue(r.finalState().retriesOn(role) <= budget.maxRetries(), "retry budget respected on " + role);
            }
        }
    }

    // --- budgets -------------------------------------------------------------------------------------------------

    @Test
    void maxRetriesStopsRetryingATerminalRole() {
        Run r = run(policy, "code", "coder", Budget.DEFAULT.withMaxRetries(3), FORMAT);
        assertEquals(4, r.actions().size());
        assertTrue(r.actions().subList(0, 3).stream().allMatch(a -> a instanceof Retry));
        GiveUp g = r.giveUp();
        assertEquals(Cause.MAX_RETRIES, g.cause());
        assertEquals(FORMAT, g.category());
        assertTrue(g.reason().contains("maxRetries"), g.reason());

        assertEquals(6, run(policy, "code", "coder", Budget.DEFAULT.withMaxRetries(5), FORMAT).actions().size(),
                "a larger budget lets the same loop go on longer");
        Run none = run(policy, "code", "frontdoor", Budget.DEFAULT.withMaxRetries(0), LOW_QUALITY);
        assertEquals(new Escalate("frontdoor", "worker", "code"), none.actions().get(0),
                "no retry budget: no think-harder either");
    }

    @Test
    void maxEscalationsStopsClimbing() {
        Run r = run(policy, "general", "frontdoor", Budget.DEFAULT.withMaxEscalations(1), TIMEOUT);
        assertEquals(List.of(new Escalate("frontdoor", "worker", "general")), r.actions().subList(0, 1));
        GiveUp g = r.giveUp();
        assertEquals(Cause.MAX_ESCALATIONS, g.cause());
        assertTrue(g.reason().contains("maxEscalations"), g.reason());
        assertTrue(g.reason().contains("architect"), "names the move it refused: " + g.reason());

        Run zero = run(policy, "code", "coder", Budget.DEFAULT.withMaxEscalations(0), INFRASTRUCTURE);
        assertEquals(1, zero.actions().size());
        assertEquals(Cause.MAX_ESCALATIONS, zero.giveUp().cause(), "fallbacks count as escalations");
    }

    @Test
    void maxTotalTokensStopsALoopThatWouldGoOn() {
        Budget budget = new Budget(1_000, 10, 5_000, Duration.ofHours(1));
        Run r = run(policy, "code", "coder", budget, c -> FORMAT, 1_000, 10);
        assertEquals(5, r.actions().size(), "four retries, then the fifth attempt spends the last tokens");
        GiveUp g = r.giveUp();
        assertEquals(Cause.MAX_TOTAL_TOKENS, g.cause());
        assertTrue(g.reason().contains("maxTotalTokens"), g.reason());
        assertEquals(5_000, r.finalState().tokensUsed());
        assertEquals(0, r.finalState().remainingTokens());
    }

    @Test
    void deadlineStopsALoopThatWouldGoOn() {
        Budget budget = new Budget(1_000, 10, Long.MAX_VALUE, Duration.ofSeconds(60));
        Run r = run(policy, "code", "coder", budget, c -> FORMAT, 10, 10_000);
        assertEquals(6, r.actions().size());
        GiveUp g = r.giveUp();
        assertEquals(Cause.DEADLINE, g.cause());
        assertTrue(g.reason().startsWith("deadline"), g.reason());
    }

    @Test
    void deadlineIsCheckedBeforeAnyOtherRule() {
        EscalationState s = EscalationState.start("r", "code", Budget.DEFAULT)
                .withAttempt(Attempt.failed("frontdoor", "frontdoor-0", Attempt.Kind.FIRST, INFRASTRUCTURE, "", 0, 5),
                        Duration.ofSeconds(120));
        for (ErrorCategory c : ErrorCategory.values()) {
            GiveUp g = assertInstanceOf(GiveUp.class, policy.next(s, c, "x"));
            assertEquals(Cause.DEADLINE, g.cause());
            assertEquals(c, g.category());
        }
        assertInstanceOf(Fallback.class, policy.next(s.withElapsed(Duration.ofSeconds(119)), INFRASTRUCTURE, "x"));
    }

    // --- misc --------------------------------------------------------------------------------------------------

    @Test
    void thinkHarderCarriesTheConfiguredSettings() {
        EscalationPolicy custom = new EscalationPolicy(REGISTRY, breakers,
                new EscalationPolicy.Settings(3, "Reason carefully.", 1, 2));
        Run r = run(custom, "code", "frontdoor", big(), LOW_QUALITY);
        assertEquals(new ThinkHarder("frontdoor", 3, "Reason carefully."), r.actions().get(0));
        assertEquals(new ThinkHarder("worker", 3, "Reason carefully."), r.actions().get(2), "two per request");
        assertEquals(new Escalate("worker", "coder", "code"), r.actions().get(3));
    }

    @Test
    void anEmptyStateIsRejected() {
        assertThrows(IllegalArgumentException.class,
                () -> policy.next(EscalationState.start("r", "code", Budget.DEFAULT), TIMEOUT, "x"));
    }

    @Test
    void unknownRoleGivesUp() {
        GiveUp g = assertInstanceOf(GiveUp.class, policy.next(first("code", "nobody", TIMEOUT), TIMEOUT, "x"));
        assertEquals(Cause.NO_CANDIDATE, g.cause());
    }

    @Test
    void budgetFromConfig() {
        assertEquals(Budget.DEFAULT, Budget.fromConfig(java.util.Map.of()));
        Budget b = Budget.fromConfig(java.util.Map.of("max_retries", 1, "maxEscalations", "4",
                "max_total_tokens", 8192L, "deadline", "90s"));
        assertEquals(new Budget(1, 4, 8192, Duration.ofSeconds(90)), b);
        assertEquals(Duration.ofMinutes(2), Budget.fromConfig(java.util.Map.of("deadline", "PT2M")).deadline());
        assertEquals(Duration.ofMillis(1500), Budget.fromConfig(java.util.Map.of("deadline_ms", 1500)).deadline());
        assertEquals(Duration.ofMillis(250), Budget.fromConfig(java.util.Map.of("deadline", "250ms")).deadline());
        assertThrows(IllegalArgumentException.class, () -> Budget.fromConfig(java.util.Map.of("max_retry", 1)));
        assertThrows(IllegalArgumentException.class, () -> Budget.fromConfig(java.util.Map.of("deadline", "soon")));
        assertThrows(IllegalArgumentException.class, () -> new Budget(-1, 1, 1, Duration.ofSeconds(1)));
        assertEquals(new Budget(2, 3, 100, Duration.ofSeconds(120)), Budget.of(null, null, 100L, null));
    }

    private static EscalationState first(String chain, String role, ErrorCategory failure) {
        return EscalationState.start("r", chain, Budget.DEFAULT)
                .withAttempt(Attempt.failed(role, role + "-0", Attempt.Kind.FIRST, failure, "", 10, 10));
    }
}
