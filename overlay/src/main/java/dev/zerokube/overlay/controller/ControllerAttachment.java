package dev.zerokube.overlay.controller;

import dev.zerokube.overlay.identity.Identity;
import dev.zerokube.overlay.node.NetworkConfigMaster;
import dev.zerokube.overlay.node.Node;
import dev.zerokube.overlay.wire.InetEndpoint;
import dev.zerokube.overlay.wire.NetworkId;
import dev.zerokube.overlay.wire.netconf.ConfigRequestMetadata;
import java.util.List;
import java.util.Objects;
import java.util.function.Consumer;
import java.util.random.RandomGenerator;

/**
 * Runs a {@link NetworkController} inside a {@link Node} (1.14.1's {@code Node::setNetconfMaster}
 * with the {@code NetworkController::Sender} side, ZT1-09 §1.3–§1.4, §5): the node hands it the
 * NETWORK_CONFIG_REQUESTs for the networks it controls, the controller decides, and the answer
 * goes back through the node: a config as signed chunks ({@link ConfigChunker}, a fresh update id
 * each time), a refusal as an ERROR (none for a push), nothing for an ignored request. Policy
 * changes ({@link #onPolicyChange}) become config pushes and revocations the same way. The
 * packets are made by a {@link ControllerSender}, which hosts that decide on another thread use
 * directly.
 *
 * <p>Same threading as the node: call everything on the node's thread (the runtime's
 * {@code execute}); the controller and its store are then used from that one thread only.
 */
public final class ControllerAttachment implements NetworkConfigMaster {
    private final NetworkController controller;
    private final ControllerSender sender;
    private Consumer<ConfigDecision> decisionListener = d -> { };

    private ControllerAttachment(NetworkController controller, ControllerSender sender) {
        this.controller = controller;
        this.sender = sender;
    }

    /**
     * Makes {@code node} the host of {@code controller} ({@link Node#setConfigMaster}).
     *
     * @param random config update ids
     * @throws IllegalArgumentException if the controller's identity is not the node's: members
     *     verify configs against the identity whose address starts the network id, and the node
     *     is where they send their requests
     */
    public static ControllerAttachment attach(Node node, NetworkController controller, RandomGenerator random) {
        Objects.requireNonNull(node, "node");
        Objects.requireNonNull(controller, "controller");
        ControllerAttachment a = new ControllerAttachment(controller, new ControllerSender(node, controller.identity(), random));
        node.setConfigMaster(a);
        return a;
    }

    public NetworkController controller() {
        return controller;
    }

    /** Sees every decision on a genuine request, on the node's thread, before it is answered (metrics). */
    public void setDecisionListener(Consumer<ConfigDecision> listener) {
        decisionListener = Objects.requireNonNull(listener, "listener");
    }

    @Override
    public void onConfigRequest(NetworkId networkId, Identity requester, long requestPacketId,
            ConfigRequestMetadata metadata, InetEndpoint physicalAddress, long nowMs) {
        ConfigDecision d = controller.onConfigRequest(nowMs, requester, networkId, metadata, physicalAddress);
        decisionListener.accept(d);
        sender.answer(requester.address(), networkId, requestPacketId, d, nowMs);
    }

    /**
     * A policy change someone else made (administrator, operator): pushes fresh configs to the
     * online members it concerns and sends revocations (ZT1-09 §5). Returns what was sent.
     */
    public List<ControllerEffect> onPolicyChange(PolicyChange change, long nowMs) {
        List<ControllerEffect> effects = controller.onPolicyChange(nowMs, change);
        apply(effects, nowMs);
        return effects;
    }

    /** Sends each effect through the node. */
    public void apply(List<ControllerEffect> effects, long nowMs) {
        sender.apply(effects, nowMs);
    }
}
