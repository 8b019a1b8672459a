package dev.zerokube.operator;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Instant;
import org.junit.jupiter.api.Test;

/*
 * Goal: event times are MicroTimes a real API server parses (it insists on six fractional digits
 * and answered 400 to Instant.toString()'s ".303Z", found by the real-API-server benchmark).
 * Method: instants with 0, 3, 6 and 9 fractional digits.
 */
class EventRecorderTest {
    @Test
    void eventTimeHasExactlySixFractionalDigits() {
        assertEquals("2026-12-01T02:50:22.000000Z", EventRecorder.microTime(Instant.parse("2026-12-01T02:50:22Z")));
        assertEquals("2026-12-01T02:50:22.303000Z", EventRecorder.microTime(Instant.parse("2026-12-01T02:50:22.303Z")));
        assertEquals("2026-12-01T02:50:22.303123Z", EventRecorder.microTime(Instant.parse("2026-12-01T02:50:22.303123Z")));
        assertEquals("2026-12-01T02:50:22.303123Z", EventRecorder.microTime(Instant.parse("2026-12-01T02:50:22.303123999Z")));
    }
}
