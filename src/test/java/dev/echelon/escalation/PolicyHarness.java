package dev.echelon.escalation;

import dev.echelon.registry.ModelRegistry;
import dev.echelon.registry.RegistryLoader;
import dev.echelon.registry.RegistryMode;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

import static org.junit.jupiter.api.Assertions.fail;

/** Drives a request whose attempts always fail, the way the pipeline would, and records the actions. */
final class PolicyHarness {

    static final ModelRegistry REGISTRY =
            new RegistryLoader(RegistryMode.FULL, Path.of("models"), false).load(Path.of("model_registry.yaml"));

    static final int LOOP_CAP = 200;

    record Run(List<Action> actions, EscalationState finalState) {
        Action last() {
            return actions.get(actions.size() - 1);
        }

        Action.GiveUp giveUp() {
            return (Action.GiveUp) last();
        }
    }

    private PolicyHarness() {
    }

    /**
     * Starts on {@code firstRole}; every attempt fails with {@code failureFor(role)}, costs {@code tokens} and takes
     * {@code ms}; follows the policy until it gives up (or fails the test after {@link #LOOP_CAP} actions).
     */
    static Run run(EscalationPolicy policy, String chain, String firstRole, Budget budget,
            Function<String, ErrorCategory> failureFor, long tokens, long ms) {
        EscalationState state = EscalationState.start("req-1", chain, budget);
        String role = firstRole;
        Attempt.Kind kind = Attempt.Kind.FIRST;
        List<Action> actions = new ArrayList<>();
        for (int i = 0; i < LOOP_CAP; i++) {
            ErrorCategory failure = failureFor.apply(role);
            state = state.withAttempt(Attempt.failed(role, role + "-0", kind, failure, "always fails", tokens, ms));
            Action action = policy.next(state, failure, "always fails");
            actions.add(action);
            if (!action.continues()) {
                return new Run(actions, state);
            }
            role = action.targetRole().orElseThrow();
            kind = action.attemptKind().orElseThrow();
        }
        fail("policy did not terminate within " + LOOP_CAP + " actions: " + actions.subList(0, 10) + " ...");
        return null;
    }

    static Run run(EscalationPolicy policy, String chain, String firstRole, Budget budget, ErrorCategory always) {
        return run(policy, chain, firstRole, budget, r -> always, 100, 100);
    }

    static Budget big() {
        return new Budget(2, 10, 1_000_000, Duration.ofHours(1));
    }
}
