package dev.zerokube.overlay.crypto;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.reflect.Constructor;
import java.lang.reflect.Method;
import java.security.GeneralSecurityException;
import java.util.Arrays;
import javax.crypto.Cipher;
import javax.crypto.spec.SecretKeySpec;

/**
 * AES-CTR under one AES key, computed by the JDK's own counter-mode class, whose loop HotSpot
 * replaces with its AES-CTR stub (the code behind the JDK's {@code AES/CTR/NoPadding}). Used
 * directly it needs no {@code Cipher.init} per packet to change the counter: the counter block is
 * written into the array the mode was initialised with and the mode is reset to it.
 *
 * <p>Its counter is a 128-bit big-endian number; ZeroTier's wraps its last 32 bits without
 * carrying into byte 11 ({@link Aes#ctr}), so the caller splits a run at that wrap.
 *
 * <p>The classes are internal to {@code java.base} and reached by deep reflection, as in
 * {@link JdkGhash} (same opening, same fallback: {@link #AVAILABLE} false, and {@link Aes} builds
 * CTR from ECB itself). Only the JDK's checked entry point {@code encrypt(byte[], int, int,
 * byte[], int)} is called, after a known answer checked against the public AES/ECB at class load.
 *
 * <p>Not thread-safe (one counter per instance).
 */
final class JdkCounterMode {
    private static final Access ACCESS = Access.find();
    // Static final handles are constants to the JIT, which then inlines the calls.
    private static final MethodHandle RESET = ACCESS.reset;
    private static final MethodHandle ENCRYPT = ACCESS.encrypt;

    /** Whether the JDK's counter mode can be used in this JVM. */
    static final boolean AVAILABLE = ACCESS.reason == null;

    private final Object mode;
    // the array the mode was initialised with: its reset() copies it into the running counter
    private final byte[] initialCounter = new byte[Aes.BLOCK_LENGTH];

    /** AES-CTR under the AES key {@code key} (16, 24 or 32 bytes); requires {@link #AVAILABLE}. */
    JdkCounterMode(byte[] key) {
        if (!AVAILABLE) {
            throw new IllegalStateException("the JDK's counter mode is not available: " + ACCESS.reason);
        }
        try {
            mode = ACCESS.newMode(key.clone(), initialCounter);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("the JDK's counter mode refused a key", e);
        }
    }

    /** Why the JDK's counter mode is not used ({@code null} when it is). */
    static String unavailableReason() {
        return ACCESS.reason;
    }

    /**
     * {@code out = in XOR AES(c), AES(c+1), ...} over {@code len} bytes, {@code c} the 16 bytes at
     * {@code counter[counterOff..)} counted as one 128-bit big-endian number. {@code in} and
     * {@code out} may be the same range.
     */
    void crypt(byte[] counter, int counterOff, byte[] in, int inOff, byte[] out, int outOff, int len) {
        System.arraycopy(counter, counterOff, initialCounter, 0, Aes.BLOCK_LENGTH);
        if (len == 0) {
            return;
        }
        int done;
        try {
            RESET.invokeExact(mode);
            done = (int) ENCRYPT.invokeExact(mode, in, inOff, len, out, outOff);
        } catch (Throwable t) {
            throw new IllegalStateException("the JDK's counter mode failed", t);
        }
        if (done != len) {
            throw new IllegalStateException("the JDK's counter mode took " + done + " of " + len + " bytes");
        }
    }

    /** The reflective handles, or why they could not be had. */
    private record Access(Constructor<?> aes, Constructor<?> counterMode, Method init, MethodHandle reset,
            MethodHandle encrypt, String reason) {
        private static final String PACKAGE = "com.sun.crypto.provider.";

        static Access find() {
            try {
                Class<?> aesClass = Class.forName(PACKAGE + "AESCrypt");
                Class<?> symmetric = Class.forName(PACKAGE + "SymmetricCipher");
                Class<?> ctrClass = Class.forName(PACKAGE + "CounterMode");
                Constructor<?> aes = aesClass.getDeclaredConstructor();
                aes.setAccessible(true);
                Constructor<?> counterMode = ctrClass.getDeclaredConstructor(symmetric);
                counterMode.setAccessible(true);
                Method init = ctrClass.getDeclaredMethod("init", boolean.class, String.class, byte[].class, byte[].class);
                init.setAccessible(true);
                MethodHandles.Lookup lookup = MethodHandles.privateLookupIn(ctrClass, MethodHandles.lookup());
                MethodHandle reset = lookup.findVirtual(ctrClass, "reset", MethodType.methodType(void.class))
                        .asType(MethodType.methodType(void.class, Object.class));
                MethodHandle encrypt = lookup.findVirtual(ctrClass, "encrypt",
                                MethodType.methodType(int.class, byte[].class, int.class, int.class, byte[].class, int.class))
                        .asType(MethodType.methodType(int.class, Object.class, byte[].class, int.class, int.class, byte[].class, int.class));
                Access access = new Access(aes, counterMode, init, reset, encrypt, null);
                String wrong = access.selfTest();
                return wrong == null ? access : unavailable(wrong);
            } catch (ReflectiveOperationException | RuntimeException e) {
                // InaccessibleObjectException (package not opened) is a RuntimeException
                return unavailable(e.toString());
            }
        }

        private static Access unavailable(String reason) {
            return new Access(null, null, null, null, null, reason);
        }

        Object newMode(byte[] key, byte[] initialCounter) throws ReflectiveOperationException {
            Object mode = counterMode.newInstance(aes.newInstance());
            init.invoke(mode, false, "AES", key, initialCounter);
            return mode;
        }

        /**
         * Three blocks of keystream from a counter whose low byte carries, compared with AES/ECB of
         * the three counter blocks through the public API. Returns what is wrong, or null.
         */
        private String selfTest() throws ReflectiveOperationException {
            byte[] key = new byte[32];
            byte[] counter = new byte[Aes.BLOCK_LENGTH];
            for (int i = 0; i < 32; i++) {
                key[i] = (byte) (17 * i + 3);
            }
            Arrays.fill(counter, (byte) 0x5a);
            counter[15] = (byte) 0xff;
            byte[] blocks = new byte[3 * Aes.BLOCK_LENGTH];
            for (int b = 0; b < 3; b++) {
                System.arraycopy(counter, 0, blocks, b * Aes.BLOCK_LENGTH, Aes.BLOCK_LENGTH);
            }
            blocks[16 + 14]++; // 5a..5a 5b 00, then 5a..5a 5b 01
            blocks[16 + 15] = 0;
            blocks[32 + 14]++;
            blocks[32 + 15] = 1;
            byte[] expected;
            try {
                Cipher ecb = Cipher.getInstance("AES/ECB/NoPadding");
                ecb.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(key, "AES"));
                expected = ecb.doFinal(blocks);
            } catch (GeneralSecurityException e) {
                return "no AES/ECB to check it against: " + e;
            }
            byte[] initial = counter.clone();
            Object mode = newMode(key, initial);
            byte[] out = new byte[blocks.length];
            int done;
            try {
                reset.invokeExact(mode);
                done = (int) encrypt.invokeExact(mode, new byte[blocks.length], 0, blocks.length, out, 0);
            } catch (Throwable t) {
                return "its encrypt failed: " + t;
            }
            return done == blocks.length && Arrays.equals(expected, out) ? null : "it gave a wrong known answer";
        }
    }
}
