/**
 * The node's Ethernet port on the host: a {@link dev.zerokube.overlay.runtime.port.VirtualPort}
 * hands frames from the host's stack to the node and writes the node's frames to the host.
 *
 * <p>{@link dev.zerokube.overlay.runtime.port.TapPort} is a Linux TAP device driven through Java's
 * FFM API with virtio-net offloads (TSO super-frames cut in Java by
 * {@link dev.zerokube.overlay.runtime.port.TsoSegmenter}), configured over rtnetlink;
 * {@link dev.zerokube.overlay.runtime.port.UserspacePort} is an in-memory port for tests and the
 * lab; {@link dev.zerokube.overlay.runtime.port.FdPassing} hands an open TAP descriptor from the node
 * agent to the sidecar. {@code ../shared/design/DATAPATH.md} has the measurements behind the design.
 *
 * <p>Part of {@code runtime}: may do I/O. The per-frame path allocates nothing, takes no locks and
 * never logs; the frame logic that needs no I/O ({@link dev.zerokube.overlay.runtime.port.Checksum},
 * {@link dev.zerokube.overlay.runtime.port.TsoSegmenter}) is plain code over byte arrays, tested
 * without a kernel.
 */
package dev.zerokube.overlay.runtime.port;
