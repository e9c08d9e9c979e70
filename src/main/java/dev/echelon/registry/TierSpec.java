package dev.echelon.registry;

/** A declared tier and the human names the registry gives it. */
public record TierSpec(Tier tier, String name, String description) {
}
