package dev.echelon.simulate;

import dev.echelon.residency.ResidencyModel;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.DoubleFunction;

import static dev.echelon.simulate.WorkKind.CHAT;
import static dev.echelon.simulate.WorkKind.CODE;
import static dev.echelon.simulate.WorkKind.DESIGN;
import static dev.echelon.simulate.WorkKind.GENERAL;
import static dev.echelon.simulate.WorkKind.MATH;

/**
 * Seeded request traces in the {@link TraceFamily} shapes. Each family is a rate per {@link WorkKind} as a function
 * of time (requests per second); arrivals are a non-homogeneous Poisson process drawn by thinning, and each request's
 * sizes come from its kind. Rates are set for one workstation: busy roles stay below their slots' capacity when
 * placed on the GPU (e.g. the coder serves ~one request per 10 s there), so queues build only when a policy leaves a
 * role slow or cold. The same family, seed and duration give the same trace.
 */
public final class TraceGenerator {

    private static final int KINDS = WorkKind.values().length;

    private final Map<WorkKind, String> roles;
    private final Map<String, Integer> maxPrompt;

    public TraceGenerator(ResidencyModel model) {
        this.roles = WorkKind.roles(model);
        this.maxPrompt = new java.util.HashMap<>();
        model.roles().values().forEach(r -> maxPrompt.put(r.name(), Math.max(8, r.ctxSize() / 2)));
    }

    public Trace generate(TraceFamily family, long seed, double durationSeconds) {
        if (durationSeconds <= 0) {
            throw new IllegalArgumentException("duration must be > 0 s: " + durationSeconds);
        }
        SplittableRandom rnd = new SplittableRandom(seed ^ (0x9E3779B97F4A7C15L * (family.ordinal() + 1)));
        DoubleFunction<double[]> rates = rates(family, durationSeconds, rnd.split());
        double max = 0;
        for (double t = 0; t <= durationSeconds; t += 1) {
            max = Math.max(max, sum(rates.apply(t)));
        }
        List<Request> out = new ArrayList<>();
        if (max <= 0) {
            return new Trace(family, seed, durationSeconds, out);
        }
        double t = 0;
        while (true) {
            t += -Math.log(1 - rnd.nextDouble()) / max;
            if (t >= durationSeconds) {
                break;
            }
            double[] r = rates.apply(t);
            double total = sum(r);
            if (rnd.nextDouble() * max >= total) {
                continue; // thinned
            }
            WorkKind kind = pick(r, total, rnd);
            String role = roles.get(kind);
            out.add(new Request(out.size(), t, role, kind.promptTokens(rnd, maxPrompt.get(role)),
                    kind.outputTokens(rnd)));
        }
        return new Trace(family, seed, durationSeconds, out);
    }

    /** The role each kind of work goes to. */
    public Map<WorkKind, String> roles() {
        return roles;
    }

    /** Requests per second per {@link WorkKind} at time t (index = ordinal). */
    static DoubleFunction<double[]> rates(TraceFamily family, double d, SplittableRandom rnd) {
        return switch (family) {
            case WORKDAY -> t -> t < d / 3 ? mix(0.20, 0.05, 0.004, 0.004, 0.002)
                    : t < 2 * d / 3 ? mix(0.06, 0.02, 0.002, 0.04, 0.006)
                    : mix(0.06, 0.01, 0.04, 0.004, 0.025);
            case BURSTS -> bursts(d, rnd);
            case ALTERNATING -> alternating(d, rnd);
            case SCAN -> t -> {
                WorkKind active = WorkKind.values()[(int) Math.min(9, Math.floor(10 * t / d)) % KINDS];
                double[] r = mix(0.02, 0, 0, 0, 0);
                r[active.ordinal()] += switch (active) {
                    case CHAT -> 0.3;
                    case GENERAL -> 0.08;
                    case MATH -> 0.06;
                    case CODE -> 0.04;
                    case DESIGN -> 0.03;
                };
                return r;
            };
            case LONG_IDLE -> t -> mix(0.4 / 240, 0.15 / 240, 0.15 / 240, 0.15 / 240, 0.15 / 240);
            case DRIFT -> t -> {
                double x = t / d;
                return mix(0.2 * (1 - x) + 0.03, 0.02, 0.005, 0.045 * Math.exp(-Math.pow((x - 0.5) / 0.2, 2)),
                        0.035 * x * x);
            };
            case STEADY -> t -> mix(0.12, 0.03, 0.015, 0.015, 0.01);
        };
    }

    /** Chat baseline; every ~6 min (exponential gaps) a 45–120 s burst of math, code or architecture. */
    private static DoubleFunction<double[]> bursts(double d, SplittableRandom rnd) {
        List<double[]> bursts = new ArrayList<>(); // start, end, kind ordinal
        for (double t = 60 + rnd.nextDouble() * 120; t < d; t += 240 + -Math.log(1 - rnd.nextDouble()) * 120) {
            WorkKind k = new WorkKind[] {MATH, CODE, DESIGN}[rnd.nextInt(3)];
            double length = 45 + rnd.nextDouble() * 75;
            bursts.add(new double[] {t, t + length, k.ordinal()});
            t += length;
        }
        return t -> {
            double[] r = mix(0.08, 0.02, 0.002, 0.002, 0.002);
            for (double[] b : bursts) {
                if (t >= b[0] && t < b[1]) {
                    WorkKind k = WorkKind.values()[(int) b[2]];
                    r[k.ordinal()] += switch (k) {
                        case MATH -> 0.12;
                        case CODE -> 0.07;
                        default -> 0.06;
                    };
                }
            }
            return r;
        };
    }

    /** Code and architecture take turns, each turn 60–180 s long, with light chat throughout. */
    private static DoubleFunction<double[]> alternating(double d, SplittableRandom rnd) {
        List<Double> switches = new ArrayList<>();
        for (double t = 0; t < d; t += 60 + rnd.nextDouble() * 120) {
            switches.add(t);
        }
        return t -> {
            int turn = 0;
            while (turn + 1 < switches.size() && switches.get(turn + 1) <= t) {
                turn++;
            }
            double[] r = mix(0.03, 0, 0, 0, 0);
            r[(turn % 2 == 0 ? CODE : DESIGN).ordinal()] += 0.05;
            return r;
        };
    }

    private static double[] mix(double chat, double general, double math, double code, double design) {
        double[] r = new double[KINDS];
        r[CHAT.ordinal()] = chat;
        r[GENERAL.ordinal()] = general;
        r[MATH.ordinal()] = math;
        r[CODE.ordinal()] = code;
        r[DESIGN.ordinal()] = design;
        return r;
    }

    private static double sum(double[] r) {
        double s = 0;
        for (double x : r) {
            s += x;
        }
        return s;
    }

    private static WorkKind pick(double[] r, double total, SplittableRandom rnd) {
        double u = rnd.nextDouble() * total;
        for (int i = 0; i < r.length; i++) {
            u -= r[i];
            if (u < 0) {
                return WorkKind.values()[i];
            }
        }
        return WorkKind.values()[r.length - 1];
    }
}
