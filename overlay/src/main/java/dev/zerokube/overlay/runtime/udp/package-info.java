/**
 * The node's UDP sockets on Linux, driven through Java's FFM API: {@link
 * dev.zerokube.overlay.runtime.udp.UdpSocket} opens and configures one; a {@link
 * dev.zerokube.overlay.runtime.udp.DatagramReceiver} reads batches of datagrams with {@code
 * recvmmsg}, cutting UDP GRO bursts at the segment size the kernel reports; a {@link
 * dev.zerokube.overlay.runtime.udp.DatagramSender} gathers a batch of sends into one {@code
 * sendmmsg}, consecutive datagrams to one remote into one UDP GSO message.
 *
 * <p>Why not Netty's datagram channel: it allocates a packet object, a sender address and a pooled
 * buffer per datagram, runs each through a pipeline, and its {@code recvmmsg} drops the GRO
 * segment size (so it reads one burst per system call). Here the per-datagram path allocates
 * nothing: the native buffers are made once, remote addresses are mapped to the core's endpoints
 * through a bounded cache. The event loop (Netty's epoll, see {@code NodeService}) still decides
 * when to read and write.
 *
 * <p>Part of {@code runtime}: may do I/O. Linux x86-64/aarch64 structure layouts.
 */
package dev.zerokube.overlay.runtime.udp;
