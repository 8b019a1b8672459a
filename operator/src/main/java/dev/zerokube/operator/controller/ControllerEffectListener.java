package dev.zerokube.operator.controller;

import dev.zerokube.overlay.controller.ControllerEffect;
import dev.zerokube.overlay.wire.NetworkId;
import java.util.List;

/**
 * Where the embedded controller's {@link ControllerEffect}s go: the node that carries the
 * controller's identity on UDP turns each into packets (a PushConfig into unsolicited
 * NETWORK_CONFIG chunks, a SendRevocation into NETWORK_CREDENTIALS, ZT1-09 §5). Called on the
 * controller thread; must not block for long.
 */
@FunctionalInterface
public interface ControllerEffectListener {
    /** Effects of one policy change of network {@code networkId}, in the order to send them. */
    void onEffects(NetworkId networkId, List<ControllerEffect> effects);
}
