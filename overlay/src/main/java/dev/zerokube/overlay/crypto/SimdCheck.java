package dev.zerokube.overlay.crypto;

/**
 * Whether the crypto may use {@link Simd}: the JVM has the incubating {@code jdk.incubator.vector}
 * module ({@code --add-modules jdk.incubator.vector}; the build's tests, the benchmarks and
 * {@code ./zerokube} add it) and the CPU has 256- or 512-bit vectors. Kept apart from {@link Simd}
 * so that asking never loads the incubator classes.
 */
final class SimdCheck {
    /**
     * True when {@link Simd} may be used. The system property {@code zerokube.crypto.scalar=true}
     * forces the scalar code (to compare, or to rule the vector code out).
     */
    static final boolean ENABLED = enabled();

    private SimdCheck() {}

    private static boolean enabled() {
        if (Boolean.getBoolean("zerokube.crypto.scalar")
                || ModuleLayer.boot().findModule("jdk.incubator.vector").isEmpty()) {
            return false;
        }
        return Simd.LANES >= 8;
    }
}
