/**
 * The {@code ZeroTierNetwork} custom resource (cluster-scoped, short name {@code ztnet}): one
 * ZeroTier virtual network, its configuration as the controller issues it to members, and who may
 * join from this cluster. Start at {@link dev.zerokube.operator.api.network.ZeroTierNetworkSpec}.
 */
package dev.zerokube.operator.api.network;
