package io.gnetj.examples.http;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import java.util.function.LongSupplier;

/**
 * The {@code Date} header value (IMF-fixdate, RFC 9110 5.6.7, e.g.
 * {@code Sun, 06 Nov 1994 08:49:37 GMT}), formatted at most once per second of the clock, not per
 * request.
 *
 * <p>Each call reads the clock (cheap: {@code currentTimeMillis}) and returns the cached bytes while
 * they are for the current second. When the second changes, the caller that notices formats the
 * new value and publishes it with one volatile store; two loops noticing at once both format, which
 * is harmless.
 *
 * <p>Threading: any thread. The returned array is shared: never modify it.
 */
public final class DateCache {

    /** Bytes of every value returned. */
    public static final int LENGTH = 29;

    private static final DateTimeFormatter IMF_FIXDATE =
            DateTimeFormatter.ofPattern("EEE, dd MMM yyyy HH:mm:ss 'GMT'", Locale.US).withZone(ZoneOffset.UTC);

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

    private static Snapshot format(long second) {
        byte[] bytes = IMF_FIXDATE.format(Instant.ofEpochSecond(second)).getBytes(StandardCharsets.US_ASCII);
        return new Snapshot(second, bytes);
    }
}
