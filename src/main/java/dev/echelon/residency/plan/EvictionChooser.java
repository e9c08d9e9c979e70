package dev.echelon.residency.plan;

import dev.echelon.registry.ResidencyState;
import dev.echelon.residency.Observation;
import dev.echelon.residency.Placement;
import dev.echelon.residency.ResidencyModel;
import dev.echelon.residency.RolePlacement;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.ToIntFunction;

/**
 * Which roles make room for a load: the set whose eviction frees enough GPU memory at the least forecast loss per
 * byte freed. A victim's loss is its expected requests over the horizon × the extra time its reload would take from
 * where it goes, doubled per recent reversal of that role (flap damping as a price: a role that keeps being evicted
 * and reloaded gets dearer to evict, instead of being frozen by a dwell time).
 *
 * <p>Victims go to S3 (staged: the process keeps the file in host RAM, so a reload is an upload from the page cache,
 * 2–2.5× faster than from NVMe) while host RAM allows, else to S4. Pinned roles go no lower than their pin allows;
 * roles in transit and the roles the caller protects are never victims. Busy roles (requests in flight or queued) are
 * victims only when the caller allows it: whoever carries out the demotion drains them first.
 */
public final class EvictionChooser {

    /** A victim set: where each victim goes, what the evictions cost, and whether any victim is busy. */
    public record Eviction(Map<String, RolePlacement> moves, double loss, boolean busy) {
        public Eviction {
            moves = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(moves));
        }
    }

    private final ResidencyModel model;
    private final double horizonSeconds;

    public EvictionChooser(ResidencyModel model, double horizonSeconds) {
        this.model = model;
        this.horizonSeconds = horizonSeconds;
    }

    /**
     * Victims that let {@code role} go to {@code to} within the budgets, starting from {@code wanted}; empty when even
     * every admissible victim does not make room.
     *
     * @param reversals recent reversals of direction per role (flap damping)
     */
    public Optional<Eviction> choose(String role, RolePlacement to, Placement wanted, Observation now,
            Forecast forecast, Set<String> protectedRoles, boolean allowBusy, ToIntFunction<String> reversals) {
        Placement goal = wanted.with(role, to);
        if (model.fits(goal)) {
            return Optional.of(new Eviction(Map.of(), 0, false));
        }
        List<Candidate> candidates = new ArrayList<>();
        for (String v : model.roles().keySet()) {
            if (v.equals(role) || protectedRoles.contains(v) || now.inTransit().contains(v)) {
                continue;
            }
            RolePlacement at = wanted.of(v);
            if (!at.onGpu() || (!allowBusy && now.busy(v))) {
                continue;
            }
            RolePlacement staged = RolePlacement.cpu(at.variant());
            RolePlacement cold = RolePlacement.cold(at.variant());
            if (!model.admissible(v, cold) && !model.admissible(v, staged)) {
                continue; // pinned on the GPU
            }
            // a busy victim serves what it holds before it moves (whoever carries out a demotion drains first):
            // what it loses is the arrivals after that
            double demand = forecast.of(v).arrivalRate(horizonSeconds) * horizonSeconds;
            double damping = Math.pow(2, Math.min(4, reversals.applyAsInt(v)));
            double stagedLoss = model.admissible(v, staged)
                    ? demand * model.transitionSeconds(v, staged, at) * damping : Double.POSITIVE_INFINITY;
            double coldLoss = model.admissible(v, cold)
                    ? demand * model.transitionSeconds(v, cold, at) * damping : Double.POSITIVE_INFINITY;
            // roles substituted onto v lose their server: they go cold with it and pay a load when next asked for —
            // all but the role being placed, which leaves substitution by this very move: counted as going cold, its
            // own S6 → S4 would look like room made, and the load would not fit beside the victims left in place
            Map<String, RolePlacement> dependents = new LinkedHashMap<>();
            double dependentLoss = 0;
            for (String d : model.roles().keySet()) {
                if (!d.equals(role) && wanted.of(d).state() == ResidencyState.S6
                        && model.role(d).fallback().map(v::equals).orElse(false)) {
                    RolePlacement dCold = RolePlacement.cold(wanted.of(d).variant());
                    dependents.put(d, dCold);
                    var small = model.role(d).smallestVariant();
                    dependentLoss += forecast.of(d).arrivalRate(horizonSeconds) * horizonSeconds
                            * model.transitionSeconds(d, dCold, ResidencyModel.placementFor(small, small.layers()));
                }
            }
            if (dependents.keySet().stream().anyMatch(protectedRoles::contains)) {
                continue;
            }
            long freed = model.footprint(v, at).gpuBytes();
            candidates.add(new Candidate(v, staged, cold, stagedLoss + dependentLoss, coldLoss + dependentLoss, freed,
                    now.busy(v), dependents));
        }
        candidates.sort(Comparator.comparingDouble((Candidate c) -> Math.min(c.stagedLoss, c.coldLoss)
                / Math.max(1, c.freed)).thenComparing(Candidate::role));
        Map<String, RolePlacement> moves = new LinkedHashMap<>();
        Placement p = goal;
        for (Candidate c : candidates) {
            if (fitsGpu(p)) {
                break;
            }
            p = evict(p, c, moves);
        }
        if (!fitsGpu(p)) {
            return Optional.empty();
        }
        // drop victims that turned out unnecessary, dearest first
        List<String> chosen = new ArrayList<>(moves.keySet());
        chosen.removeIf(v -> candidates.stream().noneMatch(c -> c.role.equals(v)));
        chosen.sort(Comparator.comparingDouble((String v) -> -lossOf(candidates, v, moves.get(v))));
        for (String v : chosen) {
            Candidate c = candidates.stream().filter(x -> x.role.equals(v)).findFirst().orElse(null);
            if (c == null) {
                continue; // a dependent, moved with its fallback
            }
            Map<String, RolePlacement> trial = new LinkedHashMap<>(moves);
            trial.remove(v);
            c.dependents.keySet().forEach(trial::remove);
            if (model.fits(apply(goal, trial))) {
                moves.remove(v);
                c.dependents.keySet().forEach(moves::remove);
            }
        }
        p = apply(goal, moves);
        // host RAM cannot take every victim staged: send victims cold, cheapest reload first, until it fits
        for (String v : new ArrayList<>(moves.keySet())) {
            if (model.fits(p)) {
                break;
            }
            Candidate c = candidates.stream().filter(x -> x.role.equals(v)).findFirst().orElse(null);
            if (c != null && moves.get(v).running() && model.admissible(v, c.cold)) {
                moves.put(v, c.cold);
                p = p.with(v, c.cold);
            }
        }
        if (!model.fits(p)) {
            return Optional.empty();
        }
        double loss = 0;
        boolean busy = false;
        for (Candidate c : candidates) {
            if (moves.containsKey(c.role)) {
                loss += lossOf(candidates, c.role, moves.get(c.role));
                busy |= c.busy;
            }
        }
        return Optional.of(new Eviction(moves, loss, busy));
    }

    /** Evicts {@code c} in {@code p}: staged when host RAM takes it, else cold. */
    private Placement evict(Placement p, Candidate c, Map<String, RolePlacement> moves) {
        RolePlacement to = Double.isFinite(c.stagedLoss) && fitsHost(p.with(c.role, c.staged)) ? c.staged : c.cold;
        if (!model.admissible(c.role, to)) {
            to = c.staged;
        }
        moves.put(c.role, to);
        Placement out = p.with(c.role, to);
        for (Map.Entry<String, RolePlacement> d : c.dependents.entrySet()) {
            moves.put(d.getKey(), d.getValue());
            out = out.with(d.getKey(), d.getValue());
        }
        return out;
    }

    private static Placement apply(Placement p, Map<String, RolePlacement> moves) {
        Placement out = p;
        for (Map.Entry<String, RolePlacement> e : moves.entrySet()) {
            out = out.with(e.getKey(), e.getValue());
        }
        return out;
    }

    private double lossOf(List<Candidate> candidates, String v, RolePlacement to) {
        Candidate c = candidate(candidates, v);
        return to.running() ? c.stagedLoss : c.coldLoss;
    }

    private static Candidate candidate(List<Candidate> candidates, String v) {
        return candidates.stream().filter(c -> c.role.equals(v)).findFirst().orElseThrow();
    }

    private boolean fitsGpu(Placement p) {
        return model.footprint(p).gpuBytes() <= model.budgets().gpuBytes();
    }

    private boolean fitsHost(Placement p) {
        return model.footprint(p).hostBytes() <= model.budgets().hostRamBytes();
    }

    private record Candidate(String role, RolePlacement staged, RolePlacement cold, double stagedLoss,
            double coldLoss, long freed, boolean busy, Map<String, RolePlacement> dependents) {
    }
}
