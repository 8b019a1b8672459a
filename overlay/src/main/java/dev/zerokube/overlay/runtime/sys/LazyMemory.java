package dev.zerokube.overlay.runtime.sys;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * Native buffers whose pages cost nothing until written: an anonymous private mapping, unmapped
 * when its arena closes. {@link Arena#allocate} zero-fills what it returns, so a 512 KiB buffer
 * is 512 KiB of resident memory from the first moment; a node's UDP buffers are sized for bursts
 * that an idle node (a pod's sidecar, most of the time) never has. The kernel's fresh pages read
 * as zeros, as an arena's would. Transparent huge pages are declined for the mapping: with THP
 * "always", one write would otherwise make 2 MiB resident.
 */
public final class LazyMemory {
    private LazyMemory() {
    }

    /**
     * {@code bytes} of page-aligned memory that lives as long as {@code arena}.
     *
     * @throws OutOfMemoryError when the kernel refuses the mapping (the reason included)
     */
    public static MemorySegment allocate(Arena arena, long bytes) {
        if (bytes <= 0) {
            throw new IllegalArgumentException("bytes must be positive: " + bytes);
        }
        MemorySegment mapped;
        try (Arena call = Arena.ofConfined()) {
            MemorySegment st = Libc.newCallState(call);
            mapped = Libc.mmapAnonymous(st, bytes, Libc.PROT_READ | Libc.PROT_WRITE, Libc.MAP_PRIVATE | Libc.MAP_ANONYMOUS);
            if (mapped.address() == -1L) {
                int errno = Libc.errno(st);
                throw new OutOfMemoryError("mmap of " + bytes + " bytes: " + Libc.strerror(errno) + " (errno " + errno + ")");
            }
            // advice only: a kernel without THP refuses it (EINVAL), and then there is nothing to decline
            Libc.madvise(st, mapped.reinterpret(bytes), bytes, Libc.MADV_NOHUGEPAGE);
        }
        long address = mapped.address();
        return mapped.reinterpret(bytes, arena, segment -> unmap(address, bytes));
    }

    private static void unmap(long address, long bytes) {
        try (Arena call = Arena.ofConfined()) {
            Libc.munmap(Libc.newCallState(call), MemorySegment.ofAddress(address), bytes);
        }
    }
}
