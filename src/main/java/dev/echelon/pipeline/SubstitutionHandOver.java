package dev.echelon.pipeline;

import org.jboss.logging.Logger;

import java.util.List;

/**
 * When the residency controller substitutes a role (S6), the requests already waiting in line for it move to its
 * fallback at once — as the simulator the policies are measured in moves a role's queue when it lands in S6 — rather
 * than waiting out the bound for a held role first. Runs on every standing change, since the fallback may become
 * ready after the substitution; a request moves only when its fallback can serve now.
 */
final class SubstitutionHandOver {

    private static final Logger LOG = Logger.getLogger(SubstitutionHandOver.class);

    private final ResidencyView residency;
    private final Admission admission;
    private final List<String> roles;

    SubstitutionHandOver(ResidencyView residency, Admission admission, List<String> roles) {
        this.residency = residency;
        this.admission = admission;
        this.roles = List.copyOf(roles);
    }

    /** Subscribes to the controller's standing changes. */
    void start() {
        residency.onStandingChange(changed -> handOverAll());
    }

    void handOverAll() {
        for (String role : roles) {
            ResidencyView.RoleStanding s = residency.standing(role);
            if (s.standing() != ResidencyView.Standing.SUBSTITUTED || s.fallback().isEmpty()
                    || admission.queued(role) == 0 || !admission.ready(s.fallback().get())) {
                continue;
            }
            int n = admission.handOver(role, "role '" + role + "' was substituted (S6) by its fallback "
                    + s.fallback().get() + " while the request waited");
            if (n > 0) {
                LOG.debugf("residency: %d waiting request(s) of %s handed to %s", n, role, s.fallback().get());
            }
        }
    }
}
