package dev.zerokube.overlay.crypto;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.reflect.Constructor;
import java.lang.reflect.Field;
import java.util.Objects;

/**
 * GHASH (NIST SP 800-38D §6.4) under one hash subkey H, computed by the JDK's own GHASH class,
 * whose block loop HotSpot replaces with its carry-less-multiply stub (the same code the JDK's
 * AES-GCM runs). Used directly, without a {@code Cipher}, it needs no per-packet {@code init} and
 * no buffering of the data, so a GMAC allocates nothing and costs a third of what it costs through
 * {@code Cipher} (0.29 against 0.80 us for 2800 bytes; docs/performance.md, "GMAC and CTR
 * straight on the JDK's own GHASH and counter mode").
 *
 * <p>The class is internal to {@code java.base}: it is reached by deep reflection, which the JVM
 * allows only with {@code --add-opens java.base/com.sun.crypto.provider=ALL-UNNAMED} (the
 * {@code Add-Opens} entry of zerokube's jar manifests, the build's test JVMs and the benchmarks
 * pass it). Everything is looked up once, here; when any of it is missing (the package not opened,
 * or a JDK whose GHASH has another shape) {@link #AVAILABLE} is false and {@link Gmac} computes
 * through the public AES-GCM API instead. Only the JDK's own checked entry point is called
 * ({@code update(byte[], int, int)}, which validates the range before its intrinsic runs), and the
 * JDK makes its own tables, so no assumption about their layout is made here.
 *
 * <p>Not thread-safe (one running hash per instance).
 */
final class JdkGhash {
    private static final String CLASS_NAME = "com.sun.crypto.provider.GHASH";
    private static final Access ACCESS = Access.find();
    // A static final handle is a constant to the JIT, which then inlines the call into the caller.
    private static final MethodHandle UPDATE = ACCESS.update;

    /** Whether the JDK's GHASH can be used in this JVM. */
    static final boolean AVAILABLE = ACCESS.reason == null;

    private final Object ghash;
    private final long[] state;

    /** GHASH under the 16-byte subkey {@code h}; requires {@link #AVAILABLE}. */
    JdkGhash(byte[] h) {
        if (!AVAILABLE) {
            throw new IllegalStateException("the JDK's GHASH is not available: " + ACCESS.reason);
        }
        if (h.length != Aes.BLOCK_LENGTH) {
            throw new IllegalArgumentException("GHASH subkey must be 16 bytes, got " + h.length);
        }
        try {
            ghash = ACCESS.constructor.newInstance((Object) h.clone());
            state = (long[]) ACCESS.state.get(ghash);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("the JDK's GHASH refused a subkey", e);
        }
    }

    /** Why the JDK's GHASH is not used ({@code null} when it is). */
    static String unavailableReason() {
        return ACCESS.reason;
    }

    /** Starts a new hash: the running value back to zero. */
    void reset() {
        state[0] = 0;
        state[1] = 0;
    }

    /** Hashes {@code data[off, off+len)}; {@code len} must be a multiple of 16. */
    void blocks(byte[] data, int off, int len) {
        Objects.checkFromIndexSize(off, len, data.length);
        if ((len & 15) != 0) {
            throw new IllegalArgumentException("GHASH takes whole blocks, got " + len + " bytes");
        }
        int done;
        try {
            done = (int) UPDATE.invokeExact(ghash, data, off, len);
        } catch (Throwable t) {
            throw new IllegalStateException("the JDK's GHASH failed", t);
        }
        if (done != len) {
            throw new IllegalStateException("the JDK's GHASH took " + done + " of " + len + " bytes");
        }
    }

    /** The running value, high 64 bits (big-endian bytes 0..8 of the block). */
    long high() {
        return state[0];
    }

    /** The running value, low 64 bits (bytes 8..16). */
    long low() {
        return state[1];
    }

    /** The reflective handles, or why they could not be had. */
    private record Access(Constructor<?> constructor, Field state, MethodHandle update, String reason) {
        static Access find() {
            try {
                Class<?> c = Class.forName(CLASS_NAME);
                Constructor<?> constructor = c.getDeclaredConstructor(byte[].class);
                constructor.setAccessible(true);
                Field state = c.getDeclaredField("state");
                state.setAccessible(true);
                if (state.getType() != long[].class) {
                    return unavailable("its state is a " + state.getType().getName());
                }
                MethodHandles.Lookup lookup = MethodHandles.privateLookupIn(c, MethodHandles.lookup());
                MethodHandle update = lookup.findVirtual(c, "update", MethodType.methodType(int.class, byte[].class, int.class, int.class))
                        .asType(MethodType.methodType(int.class, Object.class, byte[].class, int.class, int.class));
                Access access = new Access(constructor, state, update, null);
                String wrong = access.selfTest();
                return wrong == null ? access : unavailable(wrong);
            } catch (ReflectiveOperationException | RuntimeException e) {
                // InaccessibleObjectException (package not opened) is a RuntimeException
                return unavailable(e.toString());
            }
        }

        private static Access unavailable(String reason) {
            return new Access(null, null, null, reason);
        }

        /**
         * One known answer before anything relies on it: GHASH of a single block under H (SP
         * 800-38D's test case 2 for AES-128 with a zero key and IV: H = 66e94bd4ef8a2c3b884cfa59ca342b2e,
         * one block of ciphertext 0388dace60b6a392f328c2b971b2fe78 plus the length block gives
         * f38cbb1ad69223dcc3457ae5b6b0f885). Returns what is wrong, or null.
         */
        private String selfTest() throws ReflectiveOperationException {
            byte[] h = java.util.HexFormat.of().parseHex("66e94bd4ef8a2c3b884cfa59ca342b2e");
            byte[] blocks = java.util.HexFormat.of().parseHex(
                    "0388dace60b6a392f328c2b971b2fe78" + "00000000000000000000000000000080");
            Object g = constructor.newInstance((Object) h);
            long[] s = (long[]) state.get(g);
            int done;
            try {
                done = (int) update.invokeExact(g, blocks, 0, blocks.length);
            } catch (Throwable t) {
                return "its update failed: " + t;
            }
            if (done != blocks.length || s.length != 2 || s[0] != 0xf38cbb1ad69223dcL || s[1] != 0xc3457ae5b6b0f885L) {
                return "it gave a wrong known answer";
            }
            return null;
        }
    }
}
