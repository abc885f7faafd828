package io.gnetj.bench.e2e;

import io.netty.util.AsciiString;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Locale;

/**
 * The {@code Date} header value for the Netty HTTP peer, formatted once per second of the clock
 * (not per request), as gnetj's HTTP example does.
 *
 * <p>Threading: any thread; a value formatted twice by two loops at a second's turn is harmless.
 */
final class HttpDate {

    private static final DateTimeFormatter IMF_FIXDATE =
            DateTimeFormatter.ofPattern("EEE, dd MMM yyyy HH:mm:ss 'GMT'", Locale.US).withZone(ZoneOffset.UTC);

    private static final class Value {
        final long second;
        final AsciiString text;

        Value(long second, AsciiString text) {
            this.second = second;
            this.text = text;
        }
    }

    private volatile Value current = format(System.currentTimeMillis() / 1000);

    AsciiString get() {
        long second = System.currentTimeMillis() / 1000;
        Value v = current;
        if (v.second != second) {
            v = format(second);
            current = v;
        }
        return v.text;
    }

    private static Value format(long second) {
        return new Value(second, new AsciiString(IMF_FIXDATE.format(Instant.ofEpochSecond(second))));
    }
}
