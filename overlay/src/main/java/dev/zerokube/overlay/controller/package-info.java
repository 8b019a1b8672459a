/**
 * The network controller (ZT1-09) over a {@link dev.zerokube.overlay.controller.PolicyStore}:
 * membership, IP assignment, credentials and revocation, answering exactly as ZeroTier One
 * 1.14.1's embedded controller for the same records.
 *
 * <p>Start at {@link dev.zerokube.overlay.controller.NetworkController}: config requests and policy
 * changes in, a {@link dev.zerokube.overlay.controller.ConfigDecision} and
 * {@link dev.zerokube.overlay.controller.ControllerEffect}s out;
 * {@link dev.zerokube.overlay.controller.ConfigChunker} turns configs into signed chunks. The
 * policy model is {@link dev.zerokube.overlay.controller.NetworkRecord} and
 * {@link dev.zerokube.overlay.controller.MemberRecord}, mapped from and to 1.14.1's JSON objects
 * by {@link dev.zerokube.overlay.controller.ControllerJson}. One job per class: admission,
 * config assembly, static IP assignment (IPv4 and IPv6 pool allocators), credential issuing, push
 * planning, the in-memory member status table.
 *
 * <p>Sans-I/O: time and randomness are arguments; reads and writes go only through the store.
 * May use {@code identity} and {@code wire}; must not do I/O, start threads or read clocks.
 */
package dev.zerokube.overlay.controller;
