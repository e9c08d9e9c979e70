package dev.echelon.fake;

import dev.echelon.registry.ModelSpec;
import dev.echelon.registry.VariantSpec;

import java.util.Objects;

/** A GGUF file as the fake server sees it: the registry's model and the variant the file holds. */
public record FakeModel(ModelSpec model, VariantSpec variant) {

    public FakeModel {
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(variant, "variant");
    }
}
