package dev.zerokube.overlay.identity;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.zerokube.overlay.codec.ByteReader;
import dev.zerokube.overlay.codec.ByteWriter;
import dev.zerokube.overlay.codec.WireFormatException;
import java.util.HexFormat;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

// Goal: Address keeps exactly 40 bits, knows which values are reserved (ZT1-01 §2), and its text
// and binary forms round-trip. Method: boundary values, seeded random values, malformed text.
class AddressTest {

    @Test
    void reservedValuesAreZeroAndTheFfPrefix() {
        assertTrue(new Address(0).isReserved());
        assertTrue(new Address(0xff00000000L).isReserved());
        assertTrue(new Address(0xffffffffffL).isReserved());
        assertTrue(new Address(0xff12345678L).isReserved());
        assertFalse(new Address(1).isReserved());
        assertFalse(new Address(0xfeffffffffL).isReserved());
        assertFalse(new Address(0x0100000000L).isReserved());
        assertFalse(new Address(0x22afb5217cL).isReserved());
    }

    @Test
    void moreThan40BitsIsAProgrammingError() {
        assertThrows(IllegalArgumentException.class, () -> new Address(0x10000000000L));
        assertThrows(IllegalArgumentException.class, () -> new Address(-1));
        assertEquals(new Address(0x22afb5217cL), Address.fromLow40Bits(0x123422afb5217cL));
        assertEquals(new Address(0x569957c763L), Address.fromLow40Bits(0x569957c763000001L >>> 24));
        assertEquals(new Address(0xffffffffffL), Address.fromLow40Bits(-1));
    }

    @Test
    void textIsTenLowercaseDigits() {
        assertEquals("0000000001", new Address(1).toString());
        assertEquals("89e92ceee5", new Address(0x89e92ceee5L).toString());
        assertEquals("0000000000", Address.NONE.toString());
        assertEquals("ffffffffff", new Address(0xffffffffffL).toString());
    }

    @Test
    void parseAcceptsShortFormsAndEitherCase() {
        assertEquals(new Address(0x89e92ceee5L), Address.parse("89E92CEEE5"));
        assertEquals(new Address(0x2afb5217cL), Address.parse("2afb5217c"));
        assertEquals(new Address(1), Address.parse("1"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "00000000001", "0x12345678", "12345678g", " 123456789", "123456789 ",
        "0000000000", "0", "ff00000000", "FFFFFFFFFF", "-1", "+1", "١٢٣"})
    void parseRefusesMalformedAndReserved(String text) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Address.parse(text));
        assertTrue(e.getMessage().contains("address"), e.getMessage());
    }

    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3, 4, 5, 6, 7, 8})
    void seededRoundTrips(long seed) throws WireFormatException {
        SplittableRandom random = new SplittableRandom(seed);
        for (int i = 0; i < 200; i++) {
            Address a = new Address(random.nextLong(Address.MASK + 1));
            ByteWriter w = new ByteWriter();
            a.encode(w);
            byte[] bytes = w.toByteArray();
            assertEquals(5, bytes.length);
            assertArrayEquals(bytes, a.toBytes());
            assertEquals(a, Address.fromBytes(bytes, 0));
            assertEquals(a, Address.decode(new ByteReader(bytes, "test"), "address"));
            assertEquals(a.value(), Long.parseLong(a.toString(), 16));
            assertEquals(10, a.toString().length());
            if (!a.isReserved()) {
                assertEquals(a, Address.parse(a.toString()));
                assertEquals(a, Address.parse(a.toString().toUpperCase()));
            }
        }
    }

    @Test
    void bytesAreBigEndian() {
        assertArrayEquals(HexFormat.of().parseHex("22afb5217c"), new Address(0x22afb5217cL).toBytes());
        byte[] buf = new byte[7];
        new Address(0x0102030405L).copyTo(buf, 1);
        assertArrayEquals(HexFormat.of().parseHex("00010203040500"), buf);
    }

    @Test
    void truncatedBinaryIsAWireFormatError() {
        for (int n = 0; n < 5; n++) {
            byte[] bytes = new byte[n];
            WireFormatException e = assertThrows(WireFormatException.class,
                    () -> Address.decode(new ByteReader(bytes, "HELLO"), "source address"));
            assertTrue(e.what().contains("HELLO") && e.what().contains("source address"), e.what());
        }
    }

    @Test
    void ordersAsUnsigned40BitIntegers() {
        assertTrue(new Address(1).compareTo(new Address(0xfeffffffffL)) < 0);
        assertTrue(new Address(0xff00000000L).compareTo(new Address(0x7fffffffffL)) > 0);
    }
}
