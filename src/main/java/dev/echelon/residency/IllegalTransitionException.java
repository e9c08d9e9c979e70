package dev.echelon.residency;

/** A placement change that the ladder or the role's constraints forbid. */
public final class IllegalTransitionException extends IllegalArgumentException {

    public IllegalTransitionException(String role, RolePlacement from, RolePlacement to, String why) {
        super("illegal residency transition for role '" + role + "': " + from + " → " + to + ": " + why);
    }
}
