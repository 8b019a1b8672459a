package dev.zerokube.overlay.controller;

import dev.zerokube.overlay.identity.Address;
import dev.zerokube.overlay.identity.Identity;
import dev.zerokube.overlay.node.Node;
import dev.zerokube.overlay.wire.NetworkId;
import dev.zerokube.overlay.wire.netconf.NetworkConfig;
import java.util.List;
import java.util.Objects;
import java.util.random.RandomGenerator;

/**
 * The sending half of a hosted controller (ZT1-09 §1.4, §5): turns the controller's decisions and
 * effects into packets through the {@link Node} that carries the controller identity. A config
 * goes out as signed chunks ({@link ConfigChunker}, a fresh update id each time), a refusal as an
 * ERROR (none for a push), an ignored request as nothing, a revocation as NETWORK_CREDENTIALS.
 *
 * <p>{@link ControllerAttachment} uses it when the controller decides on the node's thread; a host
 * whose controller decides on another thread (the operator, whose store answers from Kubernetes)
 * uses it directly and hands each decision back to the node's thread. Call it on the node's thread
 * only.
 */
public final class ControllerSender {
    private final Node node;
    private final ConfigChunker chunker;
    private final RandomGenerator random;

    /**
     * @param controllerIdentity the controller's identity with its private key (configs are signed
     *     with it)
     * @param random config update ids
     * @throws IllegalArgumentException if the identity is not the node's: members verify configs
     *     against the identity whose address starts the network id, and the node is where they send
     *     their requests
     */
    public ControllerSender(Node node, Identity controllerIdentity, RandomGenerator random) {
        this.node = Objects.requireNonNull(node, "node");
        Objects.requireNonNull(controllerIdentity, "controllerIdentity");
        this.random = Objects.requireNonNull(random, "random");
        if (!controllerIdentity.equals(node.identity())) {
            throw new IllegalArgumentException("controller identity " + controllerIdentity.address()
                    + " is not the node's " + node.address());
        }
        this.chunker = new ConfigChunker(controllerIdentity);
    }

    /** Answers request {@code requestPacketId} of {@code member} on {@code networkId} as {@code decision} says. */
    public void answer(Address member, NetworkId networkId, long requestPacketId, ConfigDecision decision, long nowMs) {
        switch (decision) {
            case ConfigDecision.Reply r -> sendConfig(member, requestPacketId, r.config(), nowMs);
            case ConfigDecision.Refuse r -> node.sendNetworkConfigError(member, networkId, requestPacketId,
                    r.code().wireCode(), nowMs);
            case ConfigDecision.Ignore i -> { }
        }
    }

    /** Sends each effect of a policy change, in order. */
    public void apply(List<ControllerEffect> effects, long nowMs) {
        for (ControllerEffect e : effects) {
            switch (e) {
                case ControllerEffect.PushConfig p -> sendConfig(p.recipient(), 0, p.config(), nowMs);
                case ControllerEffect.SendRevocation r -> node.sendRevocation(r.recipient(), r.revocation(), nowMs);
            }
        }
    }

    private void sendConfig(Address member, long requestPacketId, NetworkConfig config, long nowMs) {
        node.sendNetworkConfig(member, requestPacketId,
                chunker.chunks(config, ConfigChunker.newConfigUpdateId(random)), nowMs);
    }
}
