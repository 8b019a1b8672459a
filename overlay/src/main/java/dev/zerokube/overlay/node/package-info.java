/**
 * The node state machine (ZT1-07, ZT1-08): peers, paths, topology, switch, multicast and
 * virtual networks, driven by packets, frames and time passed in.
 *
 * <p>Sans-I/O: effects leave through a host interface; no sockets, files, threads or clocks.
 */
package dev.zerokube.overlay.node;
