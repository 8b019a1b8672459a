/**
 * The join endpoint ({@code POST /v1/join}, API.md): a sidecar presents its pod's projected
 * service-account token (audience {@code zerokube.dev}) and its public identity; the endpoint proves
 * the token with a TokenReview, finds the pod it was issued to, applies the network's admission
 * policy ({@link dev.zerokube.operator.join.JoinPolicy}, pure and ordered) and creates or updates
 * the pod's {@code Member}, owned by the pod, so the Member dies with it.
 *
 * <p>Errors are values with an HTTP status ({@link dev.zerokube.operator.join.JoinException}); no
 * error path writes anything. docs/injection.md describes the security model.
 */
package dev.zerokube.operator.join;
