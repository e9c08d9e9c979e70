package dev.echelon.residency.plan;

import java.util.Map;

/** Per-role demand at time {@code nowSeconds}; roles never seen are idle. */
public record Forecast(double nowSeconds, Map<String, RoleForecast> roles, double escalationSeconds) {

    public Forecast {
        roles = Map.copyOf(roles);
    }

    public RoleForecast of(String role) {
        RoleForecast f = roles.get(role);
        return f != null ? f : RoleForecast.idle(escalationSeconds, 0);
    }
}
