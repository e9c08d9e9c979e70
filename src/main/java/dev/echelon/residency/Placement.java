package dev.echelon.residency;

import dev.echelon.registry.ResidencyState;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.function.BiFunction;

/** Where every managed role is: an immutable map from role to its {@link RolePlacement}, in registry order. */
public record Placement(Map<String, RolePlacement> roles) {

    public Placement {
        roles = Collections.unmodifiableMap(new LinkedHashMap<>(roles));
    }

    public RolePlacement of(String role) {
        RolePlacement p = roles.get(role);
        if (p == null) {
            throw new IllegalArgumentException("no placement for role '" + role + "' (managed: " + roles.keySet() + ")");
        }
        return p;
    }

    public ResidencyState stateOf(String role) {
        return of(role).state();
    }

    public Placement with(String role, RolePlacement p) {
        Objects.requireNonNull(p);
        of(role); // only managed roles
        Map<String, RolePlacement> next = new LinkedHashMap<>(roles);
        next.put(role, p);
        return new Placement(next);
    }

    /** A copy with each role's placement replaced by {@code f(role, placement)}. */
    public Placement map(BiFunction<String, RolePlacement, RolePlacement> f) {
        Map<String, RolePlacement> next = new LinkedHashMap<>();
        roles.forEach((r, p) -> next.put(r, f.apply(r, p)));
        return new Placement(next);
    }

    /** Roles whose placement differs between this and {@code other}. */
    public java.util.List<String> changedRoles(Placement other) {
        return roles.keySet().stream().filter(r -> !roles.get(r).equals(other.roles().get(r))).toList();
    }

    @Override
    public String toString() {
        return roles.toString();
    }
}
