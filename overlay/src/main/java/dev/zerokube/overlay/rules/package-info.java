/**
 * The ZeroTier rule language (ZT1-06): compiler from text to binary rules and the evaluator.
 *
 * <p>Depends on {@code wire}. Sans-I/O.
 */
package dev.zerokube.overlay.rules;
