package dev.echelon.registry;

import java.util.List;
import java.util.Optional;

/**
 * A model: the same weights at one or more precisions.
 *
 * @param family tokenizer family; a draft and its target must share it (checked again at run time through /tokenize)
 */
public record ModelSpec(String name, String family, List<VariantSpec> variants, MockProfile mock) {

    public ModelSpec {
        variants = List.copyOf(variants);
    }

    public Optional<VariantSpec> variant(String variantName) {
        return variants.stream().filter(v -> v.name().equals(variantName)).findFirst();
    }

    /** The first listed variant: the reference for the mock profile's throughputs. */
    public VariantSpec referenceVariant() {
        return variants.get(0);
    }
}
