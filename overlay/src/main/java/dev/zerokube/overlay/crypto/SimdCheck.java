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
     * True when the crypto uses {@link Simd}: whenever it is {@link #AVAILABLE}. It was opt-in for a
     * while because a full test JVM caught the vector Salsa20 allocating ~0.9 KB per packet for
     * good; the cause was vector locals carried across loop edges, which C2 can intrinsify only with
     * a receiver type profile. The kernels no longer do that, and {@code SimdProfileFreeTest} runs
     * the packet path in a JVM without type profiles and checks it allocates nothing.
     * {@code -Dzerokube.crypto.scalar=true} still forces the scalar code.
     */
    static final boolean ENABLED = AVAILABLE;

    private SimdCheck() {}

    private static boolean available() {
        if (Boolean.getBoolean("zerokube.crypto.scalar")
                || ModuleLayer.boot().findModule("jdk.incubator.vector").isEmpty()) {
            return false;
        }
        return Simd.LANES >= 8;
    }
}
