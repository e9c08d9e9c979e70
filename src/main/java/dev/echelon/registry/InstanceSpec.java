package dev.echelon.registry;

import java.net.URI;
import java.util.Optional;

/** One llama-server of a role: started by Echelon from a launch spec, or attached at an external URL. */
public record InstanceSpec(String id, String role, Optional<LaunchSpec> launch, Optional<URI> url) {

    public boolean external() {
        return url.isPresent();
    }
}
