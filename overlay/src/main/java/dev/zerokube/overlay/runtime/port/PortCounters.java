package dev.zerokube.overlay.runtime.port;

/**
 * A snapshot of a {@link VirtualPort}'s counters (for metrics). "From host" is what the host's
 * stack sent into the port (towards the overlay), "to host" what the node wrote.
 *
 * @param framesFromHost frames handed to the consumer (each TSO segment counts)
 * @param bytesFromHost bytes of those frames
 * @param superFramesFromHost TSO super-frames read and cut into segments
 * @param framesFromHostDropped reads that could not be handed on (malformed, unsupported offload)
 * @param framesToHost frames written to the host
 * @param bytesToHost bytes of those frames
 * @param framesToHostDropped writes refused (too long, queue full, or the write failed)
 */
public record PortCounters(
        long framesFromHost, long bytesFromHost, long superFramesFromHost, long framesFromHostDropped,
        long framesToHost, long bytesToHost, long framesToHostDropped) {
}
