package dev.echelon.registry;

/** What a role's model does. */
public enum RoleKind {
    /** Generates text for users. */
    GENERATE,
    /** Drafts tokens for a target's speculation; never serves users. */
    DRAFT,
    /** Produces embeddings (in-process or through llama-server --embeddings). */
    EMBEDDING
}
