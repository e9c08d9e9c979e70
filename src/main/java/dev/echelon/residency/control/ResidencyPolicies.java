package dev.echelon.residency.control;

import dev.echelon.config.InvalidSettingException;
import dev.echelon.residency.Overflow;
import dev.echelon.residency.ResidencyModel;
import dev.echelon.residency.ResidencyPolicy;
import dev.echelon.residency.plan.EchelonPlanner;
import dev.echelon.residency.plan.ForecastSettings;
import dev.echelon.residency.plan.GuardrailSettings;
import dev.echelon.residency.plan.HindsightSettings;
import dev.echelon.residency.plan.PlannerSettings;
import dev.echelon.residency.policy.CountLruPolicy;
import dev.echelon.residency.policy.RbPolicy;
import dev.echelon.residency.policy.StaticPolicy;
import dev.echelon.residency.policy.SwapOnePolicy;
import dev.echelon.residency.policy.TtlLruPolicy;

import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;

/**
 * The one place where a policy's name ({@code orchestrator.residency.policy}) becomes a policy: Echelon's planner,
 * or one of the peers it is compared with, run live (the offline optimum needs the whole future trace, so it exists
 * only in the simulator).
 */
public final class ResidencyPolicies {

    /** Every name {@link #create} knows. */
    public static final List<String> NAMES = List.of("planner", StaticPolicy.NAME, CountLruPolicy.NAME,
            TtlLruPolicy.NAME, SwapOnePolicy.NAME, RbPolicy.NAME);

    /**
     * What the deployment settings say about planning, on the controller's clock.
     *
     * @param horizonSeconds how far ahead the planner prices expected requests against moving weights
     * @param tickSeconds    how often a policy may replan (the controller's tick on its clock)
     * @param overflow       the planner's overflow rule, on the controller's clock; empty: off (peers have none)
     */
    public record Settings(GuardrailSettings guardrails, double horizonSeconds, double tickSeconds,
            Optional<Overflow.Settings> overflow) {
    }

    private ResidencyPolicies() {
    }

    /**
     * Where the live planner's hindsight solves run (once a minute; their time: {@link HindsightSettings#DEFAULTS}):
     * one daemon thread, off the controller's decisions, shared by every planner this process creates.
     */
    private static final class HindsightThread {
        static final Executor EXECUTOR = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "echelon-residency-hindsight");
            t.setDaemon(true);
            return t;
        });
    }

    /** @throws InvalidSettingException for an unknown name */
    public static ResidencyPolicy create(String name, ResidencyModel model, Settings s) {
        String key = name == null ? "" : name.trim().toLowerCase(Locale.ROOT);
        return switch (key) {
            case "planner" -> {
                PlannerSettings d = PlannerSettings.DEFAULTS;
                yield new EchelonPlanner(model, new PlannerSettings(s.horizonSeconds(), d.promptTokens(),
                        d.outputTokens(), d.tpotWeight(), d.substitutionPenaltySeconds(), d.switchingPenaltySeconds(),
                        s.tickSeconds(), d.gpuCells(), d.hostCells()), ForecastSettings.DEFAULTS, s.guardrails(),
                        HindsightSettings.DEFAULTS, HindsightThread.EXECUTOR, s.overflow());
            }
            case StaticPolicy.NAME -> new StaticPolicy(model);
            case CountLruPolicy.NAME -> new CountLruPolicy(model);
            case TtlLruPolicy.NAME -> new TtlLruPolicy(model);
            case SwapOnePolicy.NAME -> new SwapOnePolicy(model);
            case RbPolicy.NAME -> new RbPolicy(model);
            default -> throw new InvalidSettingException("orchestrator.residency.policy",
                    "unknown policy '" + name + "' (known: " + String.join(", ", NAMES) + ")");
        };
    }
}
