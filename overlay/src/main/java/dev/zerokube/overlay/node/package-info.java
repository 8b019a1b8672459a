/**
 * The node state machine (ZT1-07, ZT1-02 §13–§14, ZT1-03): peers, paths, roots and worlds,
 * the switch (receive, send, relay), driven by datagrams and time passed in.
 *
 * <p>Start at {@link dev.zerokube.overlay.node.Node} (inputs, deadlines, threading and buffer
 * rules) and {@link dev.zerokube.overlay.node.NodeHost} (every effect). Inside, one class per
 * protocol concept: {@code Topology} (peer table, canonical paths, worlds, upstreams),
 * {@code Peer} and {@code Path} (state and path selection), {@code Switch} (receive and send
 * pipelines, packets waiting for WHOIS), {@code Relay} (forwarding and RENDEZVOUS),
 * {@code PacketHandler} (what each verb does), {@code Keepalive} (the 5 s contact round),
 * {@code Transmitter} (composing, armoring and cipher choice), {@link dev.zerokube.overlay.node.Timing}
 * (every ZeroTier timer). Virtual networks (ZT1-03 §4.11–§4.13, ZT1-05, ZT1-09 §1): {@code Networks}
 * (joined networks, config requests and replies, the controller bridge through
 * {@link dev.zerokube.overlay.node.NetworkConfigMaster}), {@code Network} (one network's config,
 * status and gate), {@code ConfigReassembler} (signed config chunks), {@code Membership} (what we
 * hold about one other member), {@code CredentialExchange} (NETWORK_CREDENTIALS both ways).
 * Ethernet (ZT1-08, rules per ZT1-06 §7): {@code Ethernet} (frames from the local port to FRAME,
 * EXT_FRAME and MULTICAST_FRAME and back to {@code NodeHost.deliverFrame}, LIKE/GATHER),
 * {@code NetworkPort} (one network's MAC, subscriptions, bridges), {@code Multicaster} and
 * {@code OutboundMulticast} (member tables, gathers, the send plan), {@code FrameFilter} (the rule
 * drivers and their TEE/WATCH/REDIRECT copies), {@code FrameNetwork}/{@code NetworkFrames} (what
 * frames need of the membership layer).
 *
 * <p>May depend on {@code codec}, {@code crypto}, {@code identity}, {@code wire} and {@code rules}. Sans-I/O:
 * effects leave through {@code NodeHost}; no sockets, files, threads, locks, clocks or logging.
 */
package dev.zerokube.overlay.node;
