package dev.zerokube.overlay.crypto;

/**
 * Whether the crypto may use {@link Simd}: the JVM has the incubating {@code jdk.incubator.vector}
 * module ({@code --add-modules jdk.incubator.vector}; the build's tests, the benchmarks and
 * {@code ./zerokube} add it) and the CPU has 256- or 512-bit vectors. Kept apart from {@link Simd}
 * so that asking never loads the incubator classes.
 */
final class SimdCheck {
    /**
     * True when {@link Simd} can run here: the module is in the boot layer, the CPU has 256- or
     * 512-bit vectors and {@code zerokube.crypto.scalar=true} is not set. Tests use this to check
     * the vector kernels against the scalar code.
     */
    static final boolean AVAILABLE = available();

    /**
     * True when the crypto uses {@link Simd} by default: available and asked for with
     * {@code -Dzerokube.crypto.simd=true}. Off by default because the vector code allocates (boxed
     * vectors) for as long as C2 has not compiled it, and a full test JVM caught it allocating
     * ~0.9 KB per packet for good (ArmorTest), which breaks the no-allocation rule of the packet
     * path; until that is understood the scalar code is the default (docs/performance.md).
     */
    static final boolean ENABLED = AVAILABLE && Boolean.getBoolean("zerokube.crypto.simd");

    private SimdCheck() {}

    private static boolean available() {
        if (Boolean.getBoolean("zerokube.crypto.scalar")
                || ModuleLayer.boot().findModule("jdk.incubator.vector").isEmpty()) {
            return false;
        }
        return Simd.LANES >= 8;
    }
}
