/**
 * The mutating admission webhook that injects the {@code zerokube-node} sidecar into pods that ask
 * for networks, and the HTTPS server (with its operator-made certificates) that serves it and the
 * join endpoint.
 *
 * <p>The decision is a pure function: {@link dev.zerokube.operator.webhook.PodInjector} turns a pod
 * and what it can look up about networks into an {@link dev.zerokube.operator.webhook.InjectionDecision}
 * (skip with a reason, deny with a message, or a JSON patch), and
 * {@link dev.zerokube.operator.webhook.InjectionWebhook} wraps it as AdmissionReview JSON in and out.
 * Only {@link dev.zerokube.operator.webhook.OperatorHttpsServer},
 * {@link dev.zerokube.operator.webhook.WebhookCertificates} and the Fabric8-backed lookups do I/O.
 * docs/injection.md explains the flow, the failure policy and the security model.
 */
package dev.zerokube.operator.webhook;
