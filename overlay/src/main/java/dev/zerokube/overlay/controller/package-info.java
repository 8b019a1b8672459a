/**
 * The network controller (ZT1-09) over a {@code PolicyStore}: membership, IP assignment,
 * credentials and revocation.
 *
 * <p>Sans-I/O: reads and writes policy only through the store interface.
 */
package dev.zerokube.overlay.controller;
