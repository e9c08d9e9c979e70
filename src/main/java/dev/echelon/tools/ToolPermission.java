package dev.echelon.tools;

/** What a tool may reach beyond computing on its arguments; declared so operators see what a role's tools can do. */
public enum ToolPermission {
    /** Makes outbound network requests (web_fetch). */
    NETWORK,
    /** Reads or writes files outside a throw-away work directory. */
    FILESYSTEM,
    /** Runs programs (run_code, in the sandbox). */
    COMPUTE
}
