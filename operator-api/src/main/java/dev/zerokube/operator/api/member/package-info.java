/**
 * The {@code Member} custom resource (namespaced, short name {@code ztmember}): one ZeroTier node's
 * membership of one network, created by an administrator (a laptop, a server) or by the operator
 * when a pod joins. Start at {@link dev.zerokube.operator.api.member.MemberSpec}.
 */
package dev.zerokube.operator.api.member;
