/**
 * Bounds-checked byte readers and writers and the one decode error
 * ({@link dev.zerokube.overlay.codec.WireFormatException}) shared by every decoder of the core
 * ({@code identity}, {@code wire}). Depends on nothing.
 */
package dev.zerokube.overlay.codec;
