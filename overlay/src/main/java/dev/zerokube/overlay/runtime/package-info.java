/**
 * Adapters around the sans-I/O core: UDP (Netty), TAP (Java FFM), local JSON API, metrics and
 * file-backed stores. The only package of the overlay allowed to do I/O.
 */
package dev.zerokube.overlay.runtime;
