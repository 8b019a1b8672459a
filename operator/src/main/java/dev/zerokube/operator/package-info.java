/**
 * The zerokube operator: JOSDK reconcilers for {@code ZeroTierNetwork} ({@code network}) and
 * {@code Member} ({@code member}), the embedded network controller whose
 * {@link dev.zerokube.overlay.controller.PolicyStore} is the Kubernetes API ({@code controller}),
 * leader election and the process entry point {@link dev.zerokube.operator.OperatorMain}.
 *
 * <p>May use the overlay engine and the CRD model; the overlay must never depend on this module.
 * Pure decisions (what a spec means, what a status should say) live in classes without a client,
 * so they are tested without an API server.
 */
package dev.zerokube.operator;
