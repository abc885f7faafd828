package io.gnetj.examples.http;

import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.function.LongSupplier;

/**
 * The {@code Date} header value (IMF-fixdate, RFC 9110 5.6.7, e.g.
 * {@code Sun, 06 Nov 1994 08:49:37 GMT}), formatted at most once per second of the clock, not per
 * request.
 *
 * <p>Each call reads the clock (cheap: {@code currentTimeMillis}) and returns the cached bytes while
 * they are for the current second. When the second changes, the caller that notices formats the
 * new value and publishes it with one volatile store; two loops noticing at once both format, which
 * is harmless. Formatting fills the bytes by hand from the date's fields (a {@code DateTimeFormatter}
 * would leave a few KB of garbage on the event loop every second, which the end-to-end runner
 * counted as 0.1 B per request).
 *
 * <p>Threading: any thread. The returned array is shared: never modify it.
 */
public final class DateCache {

    /** Bytes of every value returned. */
    public static final int LENGTH = 29;

    private static final String DAYS = "MonTueWedThuFriSatSun";
    private static final String MONTHS = "JanFebMarAprMayJunJulAugSepOctNovDec";

    private final LongSupplier clockMillis;
    private volatile Snapshot current;

    private static final class Snapshot {
        final long second;
        final byte[] bytes;

        Snapshot(long second, byte[] bytes) {
            this.second = second;
            this.bytes = bytes;
        }
    }

    /** A cache on the system clock. */
    public DateCache() {
        this(System::currentTimeMillis);
    }

    /** A cache on {@code clockMillis} (tests). */
    public DateCache(LongSupplier clockMillis) {
        this.clockMillis = clockMillis;
        this.current = format(Math.floorDiv(clockMillis.getAsLong(), 1000));
    }

    /** The current date, {@value #LENGTH} ASCII bytes. */
    public byte[] get() {
        long second = Math.floorDiv(clockMillis.getAsLong(), 1000);
        Snapshot s = current;
        if (s.second != second) {
            s = format(second);
            current = s;
        }
        return s.bytes;
    }

    /** {@code Sun, 06 Nov 1994 08:49:37 GMT} for {@code second} (epoch seconds), e.g. a {@code Last-Modified}. */
    static byte[] imfFixdate(long second) {
        return format(second).bytes;
    }

    /** {@code Sun, 06 Nov 1994 08:49:37 GMT}: fixed width, years 1000 to 9999. */
    private static Snapshot format(long second) {
        LocalDateTime t = LocalDateTime.ofEpochSecond(second, 0, ZoneOffset.UTC);
        byte[] b = new byte[LENGTH];
        name(b, 0, DAYS, t.getDayOfWeek().ordinal());
        b[3] = ',';
        b[4] = ' ';
        digits(b, 5, t.getDayOfMonth(), 2);
        b[7] = ' ';
        name(b, 8, MONTHS, t.getMonthValue() - 1);
        b[11] = ' ';
        digits(b, 12, t.getYear(), 4);
        b[16] = ' ';
        digits(b, 17, t.getHour(), 2);
        b[19] = ':';
        digits(b, 20, t.getMinute(), 2);
        b[22] = ':';
        digits(b, 23, t.getSecond(), 2);
        b[25] = ' ';
        b[26] = 'G';
        b[27] = 'M';
        b[28] = 'T';
        return new Snapshot(second, b);
    }

    private static void name(byte[] b, int at, String names, int index) {
        for (int i = 0; i < 3; i++) {
            b[at + i] = (byte) names.charAt(index * 3 + i);
        }
    }

    private static void digits(byte[] b, int at, int value, int width) {
        for (int i = width - 1; i >= 0; i--) {
            b[at + i] = (byte) ('0' + value % 10);
            value /= 10;
        }
    }
}
