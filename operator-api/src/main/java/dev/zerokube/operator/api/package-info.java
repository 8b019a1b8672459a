/**
 * The Kubernetes API of zerokube: the custom resources {@code ZeroTierNetwork} (cluster-scoped,
 * {@link dev.zerokube.operator.api.network}) and {@code Member} (namespaced,
 * {@link dev.zerokube.operator.api.member}) in group {@value dev.zerokube.operator.api.ZerokubeApi#GROUP},
 * version {@value dev.zerokube.operator.api.ZerokubeApi#VERSION}.
 *
 * <p>These classes are a wire format, like the overlay's codecs: mutable POJOs because Fabric8 and
 * Jackson need them, free of logic, every field documented with {@code @JsonPropertyDescription}
 * (that text is what {@code kubectl explain} shows). The CRD YAML in {@code crds/} is generated from
 * them, so the annotations here are the schema: patterns, bounds, defaults, enums and CEL rules
 * ({@code @ValidationRule}). A {@code null} field means "absent": defaults are applied by the API
 * server, so code that reads these objects from anything else (the Fabric8 mock server, files)
 * applies the same defaults itself when it converts them into validated records, once, at the
 * reconciler's edge. Nothing here may depend on the operator's code.
 *
 * <p>Compiled for Java 17: the CRD generator loads these classes inside Maven's own JVM.
 */
package dev.zerokube.operator.api;
