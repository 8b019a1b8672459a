package dev.zerokube.overlay.runtime.sys;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.invoke.MethodHandle;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/*
 * Goal: a lazy buffer reads as zeros, costs resident memory only for the pages written (unlike an
 * arena's zero-filled allocation), and is unmapped when its arena closes. Method: the kernel's own
 * account, page by page, through mincore(2) (not /proc/self/smaps, whose entries the kernel may
 * merge with a neighbouring mapping), and /proc/self/maps after the close (Linux; skipped
 * elsewhere).
 */
class LazyMemoryTest {
    private static final long BYTES = 4L << 20;

    @Test
    void onlyWrittenPagesAreResidentAndTheMappingGoesWithItsArena() throws IOException {
        assumeTrue(Files.isReadable(Path.of("/proc/self/maps")), "needs /proc/self/maps (Linux): skipped");
        long address;
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment m = LazyMemory.allocate(arena, BYTES);
            address = m.address();
            assertEquals(BYTES, m.byteSize());
            assertEquals(0, address % 4096, "page-aligned");
            assertEquals(0, residentPages(m), "nothing resident before the first write");
            m.set(ValueLayout.JAVA_BYTE, 0, (byte) 1);
            m.set(ValueLayout.JAVA_BYTE, BYTES - 1, (byte) 2);
            assertEquals(2, residentPages(m), "two pages written, two resident");
            assertEquals(0, m.get(ValueLayout.JAVA_BYTE, 4096 * 5), "fresh pages read as zeros");
            MemorySegment zeroed = arena.allocate(BYTES, 4096);
            assertEquals(BYTES / 4096, residentPages(zeroed), "for contrast: an arena's allocation is all resident");
        }
        assertFalse(mapped(address), "unmapped when the arena closed");
    }

    @Test
    void aNonPositiveSizeIsRefused() {
        try (Arena arena = Arena.ofConfined()) {
            assertThrows(IllegalArgumentException.class, () -> LazyMemory.allocate(arena, 0));
        }
    }

    private static final MethodHandle MINCORE = Linker.nativeLinker().downcallHandle(
            Linker.nativeLinker().defaultLookup().find("mincore").orElseThrow(),
            FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_LONG, ValueLayout.ADDRESS));

    /** How many of the (page-aligned) segment's 4 KiB pages are resident, by mincore(2). */
    private static long residentPages(MemorySegment m) {
        long pages = m.byteSize() / 4096;
        try (Arena call = Arena.ofConfined()) {
            MemorySegment vec = call.allocate(pages);
            int r = (int) MINCORE.invokeExact(m, m.byteSize(), vec);
            assertEquals(0, r, "mincore");
            long resident = 0;
            for (long i = 0; i < pages; i++) {
                resident += vec.get(ValueLayout.JAVA_BYTE, i) & 1;
            }
            return resident;
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    private static boolean mapped(long address) throws IOException {
        String start = Long.toHexString(address) + "-";
        return Files.readAllLines(Path.of("/proc/self/maps")).stream().anyMatch(l -> l.startsWith(start));
    }
}
